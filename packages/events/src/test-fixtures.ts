// Shared by the tests of this package; not exported from the index.
import type { Change } from './change.js';

export function sampleChange(overrides: Partial<Change> = {}): Change {
  return {
    op: 'update',
    system: 'zeyos',
    instance: 'acme',
    entityType: 'contacts',
    entityId: 'c-42',
    after: { name: 'Zoë Müller', tags: ['vip'], address: { city: 'Köln', zip: null } },
    before: { name: 'Zoe Mueller', tags: [], address: { city: 'Köln', zip: null } },
    changedFields: ['name', 'tags'],
    changedBy: 'anna',
    changedAt: '2024-05-01T12:34:56.123456+02:00',
    version: '1714559696-5f2c',
    sequence: '1017',
    ...overrides,
  };
}

export const sampleTraceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
