import { describe, expect, it } from 'vitest';
import type { Change } from '@tidemark/events';
import { EchoMemory } from './echoes.js';

const ref = { system: 'tsm' as const, entity: 'customers', id: 'c-1' };
const writtenAt = Date.parse('2026-11-23T10:00:00.000Z');

function event(after: Change['after'], changedAt = '2026-11-23T10:00:00.400Z'): Change {
  return {
    op: after === null ? 'delete' : 'update',
    system: 'tsm',
    instance: 'demo',
    entityType: 'customers',
    entityId: 'c-1',
    after,
    changedAt,
    version: '2',
  };
}

describe('EchoMemory', () => {
  it('recognises the echo of a write once, by time and content', () => {
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme', status: 'ACTIVE' },
      writtenAt,
      {
        system: 'zeyos',
        ms: writtenAt - 5_000,
      },
      'v1',
    );
    const echo = event({ id: 'c-1', name: 'Acme', status: 'ACTIVE', other: 1 });
    expect(memory.consumeEcho(echo)).toBe(true);
    expect(memory.consumeEcho(echo)).toBe(false);
  });

  it('lets through a change with other content, an older change, a delete and other records', () => {
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme' },
      writtenAt,
      { system: 'zeyos', ms: writtenAt - 5_000 },
      'v1',
    );
    expect(memory.consumeEcho(event({ name: 'Acme Ltd' }))).toBe(false);
    expect(memory.consumeEcho(event({ name: 'Acme' }, '2026-11-23T09:59:57.900Z'))).toBe(false);
    expect(memory.consumeEcho(event(null))).toBe(false);
    expect(memory.consumeEcho({ ...event({ name: 'Acme' }), entityId: 'c-2' })).toBe(false);
    // Still remembered: the real echo comes later.
    expect(memory.consumeEcho(event({ name: 'Acme' }))).toBe(true);
  });

  it('allows the whole-second dating of ZeyOS plus a second of clock difference', () => {
    // Regression: a create sent at 10:00:01.100 by the sink's clock came back dated 10:00:00
    // (the target's clock a little behind, then truncated); it passed for a new change.
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme' },
      writtenAt + 1_100,
      { system: 'tsm', ms: writtenAt - 3_000 },
      'v1',
    );
    expect(memory.consumeEcho(event({ name: 'Acme' }, '2026-11-23T10:00:00Z'))).toBe(true);
  });

  it('allows a second of slack for sources with whole-second change times', () => {
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme' },
      writtenAt + 900,
      { system: 'zeyos', ms: writtenAt },
      'v1',
    );
    expect(memory.consumeEcho(event({ name: 'Acme' }, '2026-11-23T10:00:00Z'))).toBe(true);
  });

  it('knows the echo of an earlier write that comes back after a later write was made', () => {
    // Regression: a create and an update were both made before the create's echo arrived; the
    // create's echo passed for a change of the target and overwrote the newer state.
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme', note: '' },
      writtenAt,
      {
        system: 'zeyos',
        ms: writtenAt - 2_000,
      },
      'v1',
    );
    memory.remember(
      ref,
      { name: 'Acme', note: 'new' },
      writtenAt + 300,
      {
        system: 'zeyos',
        ms: writtenAt - 1_000,
      },
      'v1',
    );
    expect(memory.consumeEcho(event({ name: 'Acme', note: '' }))).toBe(true);
    expect(
      memory.consumeEcho(event({ name: 'Acme', note: 'new' }, '2026-11-23T10:00:00.500Z')),
    ).toBe(true);
    // Both consumed: the same content once more is a change by someone else.
    expect(memory.consumeEcho(event({ name: 'Acme', note: '' }, '2026-11-23T10:00:01.000Z'))).toBe(
      false,
    );
  });

  it('an echo of a later write also consumes the earlier ones, which the poller merged', () => {
    const memory = new EchoMemory();
    memory.remember(ref, { note: 'a' }, writtenAt, { system: 'zeyos', ms: writtenAt }, 'v1');
    memory.remember(ref, { note: 'b' }, writtenAt + 100, { system: 'zeyos', ms: writtenAt }, 'v1');
    expect(memory.consumeEcho(event({ note: 'b' }))).toBe(true);
    expect(memory.consumeEcho(event({ note: 'a' }))).toBe(false);
  });

  it("gives the write's source time while the target is at the version the write left", () => {
    const memory = new EchoMemory();
    memory.remember(
      ref,
      { name: 'Acme' },
      writtenAt,
      { system: 'zeyos', ms: writtenAt - 5_000 },
      'v1',
    );
    expect(memory.ownWriteSource(ref, 'v1')).toEqual({ system: 'zeyos', ms: writtenAt - 5_000 });
    // Consuming the echo does not forget the write.
    expect(memory.consumeEcho(event({ name: 'Acme' }))).toBe(true);
    expect(memory.ownWriteSource(ref, 'v1')).toEqual({ system: 'zeyos', ms: writtenAt - 5_000 });
    // Changed by someone else since, in any field: its own change time counts.
    expect(memory.ownWriteSource(ref, 'v2')).toBeUndefined();
    expect(memory.ownWriteSource({ ...ref, id: 'c-9' }, 'v1')).toBeUndefined();
  });

  it('is bounded: the oldest writes are forgotten first', () => {
    const memory = new EchoMemory(2);
    for (const id of ['a', 'b', 'c'])
      memory.remember(
        { ...ref, id },
        { n: id },
        writtenAt,
        { system: 'zeyos', ms: writtenAt },
        'v1',
      );
    expect(memory.size).toBe(2);
    expect(memory.consumeEcho({ ...event({ n: 'a' }), entityId: 'a' })).toBe(false);
    expect(memory.consumeEcho({ ...event({ n: 'c' }), entityId: 'c' })).toBe(true);
  });
});
