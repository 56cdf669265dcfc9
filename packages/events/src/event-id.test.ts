import { describe, expect, it } from 'vitest';
import { EVENT_ID_NAMESPACE, type EventIdInput, eventIdFor, uuidV5 } from './event-id.js';

const base: EventIdInput = {
  system: 'zeyos',
  instance: 'acme',
  entityType: 'contacts',
  entityId: 'c-42',
  version: '1714559696-5f2c',
  op: 'update',
};

describe('uuidV5', () => {
  it('matches the RFC 4122 / 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow();
  });
});

describe('eventIdFor', () => {
  it('is a lowercase version 5 UUID', () => {
    expect(eventIdFor(base)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('follows the documented recipe', () => {
    const name = ['zeyos', 'acme', 'contacts', 'c-42', '1714559696-5f2c', 'update'].join('\u0000');
    expect(eventIdFor(base)).toBe(uuidV5(EVENT_ID_NAMESPACE, name));
    // Pinned (cross-checked with Python's uuid.uuid5): a change here would give every
    // replayed event a new id.
    expect(eventIdFor(base)).toBe('acdb835e-47c6-51b2-94ac-5bed4f92011b');
  });

  it('gives the same id for the same inputs, whatever else the change carries', () => {
    const withExtras = { ...base, after: { a: 1 }, sequence: '9', changedAt: 'later' };
    expect(eventIdFor({ ...base })).toBe(eventIdFor(base));
    expect(eventIdFor(withExtras)).toBe(eventIdFor(base));
  });

  it.each<[string, Partial<EventIdInput>]>([
    ['system', { system: 'tsm' }],
    ['instance', { instance: 'globex' }],
    ['entityType', { entityType: 'customers' }],
    ['entityId', { entityId: 'c-43' }],
    ['version', { version: '1714559697-5f2c' }],
    ['op', { op: 'snapshot' }],
    ['unicode entityId', { entityId: 'c-42é' }],
  ])('changes when %s differs', (_, override) => {
    expect(eventIdFor({ ...base, ...override })).not.toBe(eventIdFor(base));
  });

  it('cannot be fooled by moving text between fields', () => {
    const a = eventIdFor({ ...base, entityId: 'ab', version: 'c' });
    const b = eventIdFor({ ...base, entityId: 'a', version: 'bc' });
    expect(a).not.toBe(b);
  });

  it('is distinct across many inputs', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(eventIdFor({ ...base, version: String(i) }));
    expect(ids.size).toBe(5000);
  });

  it.each(['', 'a\u0000b'])('rejects the field value %j', (entityId) => {
    expect(() => eventIdFor({ ...base, entityId })).toThrow();
  });
});
