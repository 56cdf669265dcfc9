import { buildChangeEvent, encodeEvent } from '@tidemark/events';
import type { ArchiveInput } from './record.js';

/** A valid Tidemark event as the consumer delivers it. */
export function eventInput(
  offset: number,
  overrides: Partial<ArchiveInput> = {},
  changedAt = '2024-05-01T12:34:56+02:00',
): ArchiveInput {
  const event = buildChangeEvent(
    {
      op: 'update',
      system: 'zeyos',
      instance: 'acme',
      entityType: 'contacts',
      entityId: String(4711 + offset),
      after: { name: 'Zoë Müller', city: 'Köln', n: offset },
      changedAt,
      version: `v${offset}`,
    },
    {
      correlationId: 'poll-7f3a',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  );
  const encoded = encodeEvent(event);
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(encoded.headers)) headers[name] = Buffer.from(value);
  return {
    topic: 'tidemark.zeyos.contacts',
    partition: 2,
    offset: String(offset),
    timestamp: String(Date.parse('2024-05-01T11:00:00Z') + offset),
    key: Buffer.from(encoded.key),
    value: encoded.value,
    headers,
    ...overrides,
  };
}
