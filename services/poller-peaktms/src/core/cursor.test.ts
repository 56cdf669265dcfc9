import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import type { JsonValue } from '@tidemark/events';
import { formatZonedDateTime } from '@tidemark/peaktms';
import {
  afterLogPage,
  applySnapshotPage,
  decodeState,
  encodeState,
  historyQuery,
  initialState,
  snapshotQuery,
  type PeaktmsState,
} from './cursor.js';

const settings = { instance: 'acme', kind: 'projects', pageSize: 3 };
const T0 = 1_790_000_000_000;

interface Row {
  id: string;
  modifiedMs: number;
  name: string;
}

function wire(row: Row): Record<string, unknown> {
  return {
    id: row.id,
    type: 'Customer project',
    name: row.name,
    attributes: [],
    modified: formatZonedDateTime(row.modifiedMs, { offsetMinutes: 60, zone: 'Europe/Berlin' }),
  };
}

/** The simulator's `/query`: modifiedFrom ≤ modified < modifiedTo, ordered (modified, id), paged. */
function query(table: readonly Row[], q: ReturnType<typeof snapshotQuery>, pageSize: number) {
  return table
    .filter(
      (r) =>
        (q.modifiedFromMs === undefined || r.modifiedMs >= q.modifiedFromMs) &&
        r.modifiedMs < q.modifiedToMs,
    )
    .sort((a, b) => a.modifiedMs - b.modifiedMs || (a.id < b.id ? -1 : 1))
    .slice(q.page * pageSize, (q.page + 1) * pageSize)
    .map(wire);
}

/** Runs the snapshot to its end; `between` may change the table after each page. */
function drain(table: Row[], between: (poll: number) => void = () => undefined) {
  let state = initialState({ snapshot: true, fromMs: T0 }, 5_000);
  const seen: string[] = [];
  for (let poll = 0; poll < 200; poll++) {
    if (state.phase === 'log') return { state, seen };
    const page = query(table, snapshotQuery(state.snapshot!), settings.pageSize);
    const outcome = applySnapshotPage(state, page, settings);
    for (const item of outcome.items) {
      if (item.kind !== 'change') throw new Error('unexpected dead letter');
      expect(item.change.op).toBe('snapshot');
      seen.push(item.change.entityId);
    }
    state = outcome.state;
    between(poll);
  }
  throw new Error('snapshot did not end');
}

function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A log-phase state with nothing seen yet, for the cases to vary. */
const logState: PeaktmsState = {
  phase: 'log',
  snapshot: null,
  afterEntryId: null,
  sinceMs: T0,
  newestEntryMs: null,
  backfill: null,
  backfills: 0,
};

describe('state codec', () => {
  it.each<PeaktmsState>([
    initialState({ snapshot: true, fromMs: T0 }, 5_000),
    initialState({ snapshot: false, fromMs: T0 }, 0),
    { ...logState, afterEntryId: 812, newestEntryMs: T0 - 3 },
    { ...logState, afterEntryId: 'c-0001' },
    {
      ...logState,
      phase: 'snapshot',
      snapshot: { untilMs: T0, after: { modifiedMs: T0 - 7, id: id(3) }, groupPage: 2 },
      afterEntryId: null,
      sinceMs: T0 - 5_000,
    },
    {
      ...logState,
      afterEntryId: 812,
      newestEntryMs: T0 - 3,
      backfill: { walk: { untilMs: T0 - 2, after: null, groupPage: null }, turn: true },
      backfills: 2,
    },
    {
      ...logState,
      afterEntryId: 900,
      backfill: {
        walk: { untilMs: T0, after: { modifiedMs: T0 - 9, id: id(4) }, groupPage: 1 },
        turn: true,
      },
      backfills: 1,
    },
  ])('round-trips %j', (state) => {
    const wire = JSON.parse(JSON.stringify(encodeState(state))) as JsonValue;
    expect(decodeState(wire)).toEqual(state);
  });

  it('reads a checkpoint written before backfill: no entry time known, none run yet', () => {
    expect(decodeState({ v: 1, phase: 'log', snap: null, after: 812, since: T0 })).toEqual({
      ...logState,
      afterEntryId: 812,
    });
  });

  it.each<JsonValue>([
    null,
    7,
    {},
    { v: 2 },
    { v: 1, phase: 'log', snap: null, after: 1.5, since: 0 },
  ])('refuses %j with INPUT_INVALID', (value) => {
    try {
      decodeState(value);
      expect.unreachable();
    } catch (error) {
      expect(isTidemarkError(error) && error.code).toBe('INPUT_INVALID');
    }
  });
});

describe('log position', () => {
  it('begins at the start instant less the lookback, then follows entry ids', () => {
    const state = initialState({ snapshot: false, fromMs: T0 }, 5_000);
    expect(state.phase).toBe('log');
    expect(historyQuery(state)).toEqual({ since: T0 - 5_000 });
    // An empty page leaves the instant; the first entry switches to ids for good.
    expect(afterLogPage(state, undefined)).toBe(state);
    const moved = afterLogPage(state, 813);
    expect(historyQuery(moved)).toEqual({ sinceEntryId: 813 });
    expect(historyQuery(afterLogPage(moved, 'x-9'))).toEqual({ sinceEntryId: 'x-9' });
  });

  it('a snapshot stream reads the log from T0 less the lookback after the snapshot', () => {
    const state = initialState({ snapshot: true, fromMs: T0 }, 5_000);
    expect(state.snapshot).toEqual({ untilMs: T0, after: null, groupPage: null });
    expect(snapshotQuery(state.snapshot!)).toEqual({
      modifiedFromMs: undefined,
      modifiedToMs: T0,
      page: 0,
    });
    expect(historyQuery(state)).toEqual({ since: T0 - 5_000 });
  });
});

describe('snapshot keyset', () => {
  it('reads every record modified before T0 exactly once, then switches to the log', () => {
    const table = Array.from({ length: 20 }, (_, n) => ({
      id: id(n),
      modifiedMs: T0 - 1000 + n * 10,
      name: `p${n}`,
    }));
    table.push({ id: id(99), modifiedMs: T0, name: 'after T0' });
    const { state, seen } = drain(table);
    expect(seen).toEqual(table.slice(0, 20).map((r) => r.id));
    expect(state).toMatchObject({ phase: 'log', snapshot: null });
  });

  it('many records in one millisecond, more than a page: each once', () => {
    const table = [
      { id: id(1), modifiedMs: T0 - 50, name: 'a' },
      ...Array.from({ length: 11 }, (_, n) => ({
        id: id(100 + n),
        modifiedMs: T0 - 40,
        name: 'same ms',
      })),
      { id: id(2), modifiedMs: T0 - 30, name: 'b' },
      ...Array.from({ length: 6 }, (_, n) => ({
        id: id(200 + n),
        modifiedMs: T0 - 20,
        name: 'same again',
      })),
    ];
    const { seen } = drain(table);
    expect([...seen].sort()).toEqual(table.map((r) => r.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('records changed or deleted while it pages (the log carries those) never hide others', () => {
    const table = Array.from({ length: 30 }, (_, n) => ({
      id: id(n),
      modifiedMs: T0 - 3000 + n * 10,
      name: `p${n}`,
    }));
    const untouched = new Set(table.map((r) => r.id));
    const { seen } = drain(table, (poll) => {
      // After each page: one record already read is changed (leaves the set), one ahead deleted.
      const read = table.find((r) => r.modifiedMs < T0 - 2900 + poll * 30);
      if (read !== undefined) {
        read.modifiedMs = T0 + poll;
        untouched.delete(read.id);
      }
      const ahead = table.findIndex((r) => r.modifiedMs > T0 - 1500 && r.modifiedMs < T0);
      if (ahead >= 0) {
        untouched.delete(table[ahead]!.id);
        table.splice(ahead, 1);
      }
    });
    for (const unchanged of untouched) expect(seen).toContain(unchanged);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a record without a readable id or modified is a dead letter; the keyset goes on', () => {
    const state = initialState({ snapshot: true, fromMs: T0 }, 0);
    const outcome = applySnapshotPage(
      state,
      [wire({ id: id(1), modifiedMs: T0 - 10, name: 'ok' }), { id: id(2), modified: 'never' }],
      { ...settings, pageSize: 10 },
    );
    expect(outcome.items.map((i) => i.kind)).toEqual(['change', 'invalid']);
    const [change] = outcome.items;
    expect(change?.kind === 'change' && change.change.version).toMatch(
      /^snapshot:\d+:[0-9a-f]{16}$/,
    );
    expect(outcome.state.phase).toBe('log');
    expect(outcome.newestChangeMs).toBe(T0 - 10);
  });
});
