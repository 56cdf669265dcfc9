import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { IdSet, stateHash, type SourceItem } from '@tidemark/poller';
import {
  applyPage,
  applyReconciliation,
  decodeState,
  encodeState,
  initialState,
  nextQuery,
  startBackfill,
  windowStart,
  type CursorSettings,
  type RawRow,
  type RowValidator,
  type ZeyosState,
} from './cursor.js';

const settings: CursorSettings = {
  system: 'zeyos',
  instance: 'acme',
  entity: 'accounts',
  pageSize: 3,
  lookbackSeconds: 5,
};
const T0 = 1_700_000_000;
const accept: RowValidator = () => ({ ok: true });

function row(id: number, lm: number, extra: Partial<RawRow> = {}): RawRow {
  return {
    ID: id,
    lastmodified: lm,
    creationdate: lm - 100,
    visibility: 0,
    name: `r${id}`,
    ...extra,
  };
}

function incremental(fromLm = T0): ZeyosState {
  return initialState({ phase: 'incremental', fromLm }, 0);
}

/** Changes of a poll as `op:id`, dead letters as `invalid:id`. */
function summary(items: readonly SourceItem[]): string[] {
  return items.map((item) =>
    item.kind === 'change'
      ? `${item.change.op}:${item.change.entityId}`
      : `invalid:${item.entityId ?? '?'}`,
  );
}

/** Plays a source listing against the cursor the way the adapter does, until nothing more. */
function drain(state: ZeyosState, table: readonly RawRow[], maxPolls = 100) {
  const emitted: string[] = [];
  let current = state;
  for (let i = 0; i < maxPolls; i++) {
    const page = listPage(table, nextQuery(current, settings), settings.pageSize);
    const outcome = applyPage(current, page, settings, accept);
    emitted.push(...summary(outcome.items));
    current = outcome.state;
    if (!outcome.more && current.phase === 'incremental' && current.pos === null) {
      return { state: current, emitted };
    }
  }
  throw new Error('cursor did not settle');
}

/** The simulator's list semantics for the three query kinds. */
function listPage(
  table: readonly RawRow[],
  query: ReturnType<typeof nextQuery>,
  limit: number,
): RawRow[] {
  const lm = (r: RawRow) => r.lastmodified as number;
  const id = (r: RawRow) => r.ID as number;
  if (query.kind === 'snapshot') {
    return table
      .filter((r) => id(r) > query.afterId && lm(r) < query.untilLm)
      .sort((a, b) => id(a) - id(b))
      .slice(0, limit);
  }
  return table
    .filter((r) =>
      query.kind === 'from'
        ? lm(r) >= query.lm
        : lm(r) > query.lm || (lm(r) === query.lm && id(r) > query.id),
    )
    .sort((a, b) => lm(a) - lm(b) || id(a) - id(b))
    .slice(0, limit);
}

describe('nextQuery', () => {
  it.each<[string, ZeyosState, ReturnType<typeof nextQuery>]>([
    [
      'snapshot walks by ID below T0',
      initialState({ phase: 'snapshot', untilLm: T0 }, 0),
      { kind: 'snapshot', afterId: 0, untilLm: T0 },
    ],
    ['a fresh incremental stream reads from its start', incremental(), { kind: 'from', lm: T0 }],
    [
      'a cycle re-reads the lookback window below the newest second',
      { ...incremental(), maxSeenLm: T0 + 60 },
      { kind: 'from', lm: T0 + 55 },
    ],
    [
      'the window never goes below the floor',
      { ...incremental(), maxSeenLm: T0 + 2 },
      { kind: 'from', lm: T0 },
    ],
    [
      'inside a cycle the keyset continues after (lastmodified, ID)',
      { ...incremental(), pos: { lm: T0 + 3, id: 42 } },
      { kind: 'after', lm: T0 + 3, id: 42 },
    ],
  ])('%s', (_name, state, expected) => {
    expect(nextQuery(state, settings)).toEqual(expected);
  });

  it('windowStart is max(floor, newest − lookback)', () => {
    expect(windowStart({ ...incremental(), maxSeenLm: T0 + 100 }, settings)).toBe(T0 + 95);
  });
});

describe('applyPage, incremental', () => {
  it('advances the keyset on a full page and asks for more', () => {
    const out = applyPage(
      incremental(),
      [row(1, T0), row(2, T0), row(3, T0 + 1)],
      settings,
      accept,
    );
    expect(summary(out.items)).toEqual(['update:1', 'update:2', 'update:3']);
    expect(out.more).toBe(true);
    expect(out.advanced).toBe(true);
    expect(out.state.pos).toEqual({ lm: T0 + 1, id: 3 });
    expect(out.state.maxSeenLm).toBe(T0 + 1);
    expect(out.newestChangeMs).toBe((T0 + 1) * 1000);
  });

  it('never mutates the state it was given', () => {
    const before = incremental();
    const snapshot = JSON.stringify(encodeState(before));
    applyPage(before, [row(1, T0), row(2, T0), row(3, T0)], settings, accept);
    expect(JSON.stringify(encodeState(before))).toBe(snapshot);
  });

  it('ends a cycle on a short page: position cleared, no more', () => {
    const out = applyPage(incremental(), [row(1, T0)], settings, accept);
    expect(out.more).toBe(false);
    expect(out.state.pos).toBeNull();
  });

  it.each<[string, RawRow, string]>([
    ['creationdate = lastmodified is a create', row(7, T0, { creationdate: T0 }), 'create:7'],
    ['an older creationdate is an update', row(7, T0, { creationdate: T0 - 1 }), 'update:7'],
    ['visibility 2 is a delete', row(7, T0, { visibility: 2 }), 'delete:7'],
    [
      'visibility 2 of a record created in the same second is still a delete',
      row(7, T0, { visibility: 2, creationdate: T0 }),
      'delete:7',
    ],
  ])('%s', (_name, input, expected) => {
    const out = applyPage(incremental(), [input], settings, accept);
    expect(summary(out.items)).toEqual([expected]);
  });

  it('a delete of a record never seen before is emitted with after null and leaves it unknown', () => {
    const out = applyPage(incremental(), [row(9, T0, { visibility: 2 })], settings, accept);
    const [item] = out.items;
    expect(item?.kind === 'change' && item.change.after).toBeNull();
    expect(out.state.known.has(9)).toBe(false);
  });

  it('a delete of a known record removes it from the known set', () => {
    const first = applyPage(incremental(), [row(9, T0)], settings, accept);
    expect(first.state.known.has(9)).toBe(true);
    const second = applyPage(first.state, [row(9, T0 + 1, { visibility: 2 })], settings, accept);
    expect(summary(second.items)).toEqual(['delete:9']);
    expect(second.state.known.has(9)).toBe(false);
  });

  it('version is lastmodified:hash and changedAt is the second', () => {
    const input = row(5, T0 + 7);
    const [item] = applyPage(incremental(), [input], settings, accept).items;
    expect(item?.kind).toBe('change');
    if (item?.kind !== 'change') return;
    expect(item.change.version).toBe(`${T0 + 7}:${stateHash(input)}`);
    expect(item.change.changedAt).toBe(new Date((T0 + 7) * 1000).toISOString());
    expect(item.change).toMatchObject({
      system: 'zeyos',
      instance: 'acme',
      entityType: 'accounts',
    });
  });

  it('a record back in an earlier state within the same second is a new change with its own version', () => {
    // Regression: a status set and set back within one second gave two events with one id.
    const a = row(4, T0, { status: 'open' });
    const b = row(4, T0, { status: 'closed' });
    const versions: string[] = [];
    let state = incremental();
    for (const seenRow of [a, b, a, a, b]) {
      const out = applyPage(state, [seenRow], settings, accept);
      for (const item of out.items) if (item.kind === 'change') versions.push(item.change.version);
      // Through the checkpoint each time, as after a restart.
      state = decodeState(JSON.parse(JSON.stringify(encodeState(out.state))) as never);
    }
    expect(versions).toEqual([
      `${T0}:${stateHash(a)}`,
      `${T0}:${stateHash(b)}:1`,
      `${T0}:${stateHash(a)}:2`,
      `${T0}:${stateHash(b)}:3`,
    ]);
    // The next second starts the count again.
    const later = applyPage(state, [row(4, T0 + 1, { status: 'open' })], settings, accept);
    const [item] = later.items;
    expect(item?.kind === 'change' && item.change.version).toBe(
      `${T0 + 1}:${stateHash(row(4, T0 + 1, { status: 'open' }))}`,
    );
  });

  it('re-reading the boundary second drops what was already emitted with the same hash', () => {
    const first = applyPage(incremental(), [row(1, T0), row(2, T0)], settings, accept);
    // Next cycle: the same second again, plus a late row of that second and a change of ID 2.
    const again = applyPage(
      first.state,
      [row(1, T0), row(2, T0, { name: 'changed' }), row(3, T0)],
      settings,
      accept,
    );
    expect(summary(again.items)).toEqual(['update:2', 'update:3']);
  });

  it('a cycle of only already-emitted rows neither emits nor advances', () => {
    const first = applyPage(incremental(), [row(1, T0), row(2, T0)], settings, accept);
    const again = applyPage(first.state, [row(1, T0), row(2, T0)], settings, accept);
    expect(again.items).toEqual([]);
    expect(again.advanced).toBe(false);
  });

  it('reads many pages within one second without loss or repeat', () => {
    const table = Array.from({ length: 10 }, (_, i) => row(i + 1, T0));
    const { emitted, state } = drain(incremental(), table);
    expect(emitted).toEqual(table.map((r) => `update:${String(r.ID)}`));
    // Another cycle over the unchanged second finds nothing.
    expect(drain(state, table).emitted).toEqual([]);
  });

  it('rows modified between polls of a multi-page cycle are delivered once each', () => {
    const table = Array.from({ length: 7 }, (_, i) => row(i + 1, T0));
    let state = incremental();
    const out1 = applyPage(state, listPage(table, nextQuery(state, settings), 3), settings, accept);
    state = out1.state;
    // ID 1 (already read) and ID 6 (not yet read) change and move to the next second.
    table[0] = row(1, T0 + 1, { name: 'x' });
    table[5] = row(6, T0 + 1, { name: 'y' });
    const rest = drain(state, table);
    const all = [...summary(out1.items), ...rest.emitted];
    expect(all).toEqual([
      'update:1',
      'update:2',
      'update:3',
      'update:4',
      'update:5',
      'update:7',
      'update:1',
      'update:6',
    ]);
  });

  it('prunes the dedupe set below the window at the end of a cycle', () => {
    const out = applyPage(
      incremental(),
      [row(1, T0), row(2, T0 + 4), row(3, T0 + 6)].slice(0, 2),
      settings,
      accept,
    );
    expect([...out.state.seen.keys()]).toEqual([1, 2]);
    const later = applyPage(out.state, [row(2, T0 + 4), row(3, T0 + 10)], settings, accept);
    // Window is now [T0+5, …]: ID 1 (T0) and ID 2 (T0+4) fall out, ID 3 stays.
    expect([...later.state.seen.keys()]).toEqual([3]);
    expect(later.advanced).toBe(true);
  });

  it('a change that becomes visible late but inside the window is found', () => {
    const first = drain(incremental(), [row(1, T0 + 10)]);
    const late = drain(first.state, [row(1, T0 + 10), row(2, T0 + 7)]);
    expect(late.emitted).toEqual(['update:2']);
  });

  it('a row failing the schema is dead-lettered once per state and the stream goes on', () => {
    const reject: RowValidator = (r) =>
      r.ID === 2 ? { ok: false, error: new Error('bad') } : { ok: true };
    const first = applyPage(incremental(), [row(1, T0), row(2, T0)], settings, reject);
    expect(summary(first.items)).toEqual(['update:1', 'invalid:2']);
    const again = applyPage(
      first.state,
      [row(1, T0), row(2, T0), row(3, T0 + 1)],
      settings,
      reject,
    );
    expect(summary(again.items)).toEqual(['update:3']);
  });

  it.each<[string, RawRow, string]>([
    ['no ID', { lastmodified: T0 }, 'invalid:?'],
    ['a string ID', { ID: '5', lastmodified: T0 }, 'invalid:?'],
    ['no lastmodified', { ID: 5 }, 'invalid:5'],
    ['a fractional lastmodified', { ID: 5, lastmodified: T0 + 0.5 }, 'invalid:5'],
  ])('a row with %s is a dead letter', (_name, input, expected) => {
    const out = applyPage(incremental(), [input], settings, accept);
    expect(summary(out.items)).toEqual([expected]);
    const [item] = out.items;
    expect(item?.kind === 'invalid' && isTidemarkError(item.error) && item.error.code).toBe(
      'EVENT_INVALID',
    );
  });
});

describe('snapshot, then incremental', () => {
  it('walks every record below T0 by ID as snapshot, skipping soft-deleted ones', () => {
    const state = initialState({ phase: 'snapshot', untilLm: T0 }, 0);
    const out = applyPage(
      state,
      [row(1, T0 - 10), row(2, T0 - 5, { visibility: 2 }), row(4, T0 - 1)],
      settings,
      accept,
    );
    expect(summary(out.items)).toEqual(['snapshot:1', 'snapshot:4']);
    expect(out.state.snapshot).toEqual({ afterId: 4, untilLm: T0 });
    expect(out.more).toBe(true);
    expect([...out.state.known.values()]).toEqual([1, 4]);
  });

  it('a short snapshot page switches to incremental from T0', () => {
    const state = initialState({ phase: 'snapshot', untilLm: T0 }, 0);
    const out = applyPage(state, [row(1, T0 - 10)], settings, accept);
    expect(out.state.phase).toBe('incremental');
    expect(nextQuery(out.state, settings)).toEqual({ kind: 'from', lm: T0 });
  });

  it('delivers each record state once with no gap and no duplicate at T0', () => {
    const table: RawRow[] = [
      row(1, T0 - 100),
      row(2, T0 - 1),
      row(3, T0), // changed in the second of T0: incremental, not snapshot
      row(4, T0 - 50),
      row(5, T0 - 2),
      row(6, T0 + 1),
      row(7, T0 - 3, { visibility: 2 }),
    ];
    let state = initialState({ phase: 'snapshot', untilLm: T0 }, 0);
    const first = applyPage(
      state,
      listPage(table, nextQuery(state, settings), 3),
      settings,
      accept,
    );
    state = first.state;
    // The first page walked IDs 1, 2 and 4. Then ID 4 (walked) and ID 5 (not yet walked)
    // change at T0+2, and a record is created.
    table[3] = row(4, T0 + 2, { name: 'moved' });
    table[4] = row(5, T0 + 2, { name: 'moved' });
    table.push(row(8, T0 + 2, { creationdate: T0 + 2 }));
    const rest = drain(state, table);
    const all = [...summary(first.items), ...rest.emitted];
    expect(all.sort()).toEqual(
      [
        'snapshot:1',
        'snapshot:2',
        'snapshot:4',
        'update:3',
        'update:4',
        'update:5',
        'update:6',
        'create:8',
      ].sort(),
    );
    // Nothing more in the next cycle.
    expect(drain(rest.state, table).emitted).toEqual([]);
  });
});

describe('backfill', () => {
  const settled = (table: RawRow[]) => drain(incremental(), table).state;

  it('starts below the newest second seen, once; not while a snapshot runs', () => {
    const state = settled([row(1, T0), row(2, T0 + 3)]);
    const { state: backfilling, started } = startBackfill(state);
    expect(started).toBe(true);
    expect(backfilling.snapshot).toEqual({ afterId: 0, untilLm: T0 + 4 });
    expect(backfilling.backfillTurn).toBe(true);
    expect(state.snapshot).toBeNull(); // the input is not mutated
    expect(startBackfill(backfilling)).toEqual({ state: backfilling, started: false });
    const snapshotting = initialState({ phase: 'snapshot', untilLm: T0 }, 0);
    expect(startBackfill(snapshotting).started).toBe(false);
  });

  it('re-emits every live record as snapshot beside live changes, which are never snapshotted', () => {
    const table = [row(1, T0), row(2, T0), row(3, T0 + 1), row(4, T0 + 2), row(5, T0 + 2)];
    const state = startBackfill(settled(table)).state;
    // While it runs: 2 changes, 3 is soft-deleted, 6 is created, all after the newest second.
    const now = table
      .filter((r) => r.ID !== 2 && r.ID !== 3)
      .concat([
        row(2, T0 + 9, { name: 'two' }),
        row(3, T0 + 9, { visibility: 2 }),
        row(6, T0 + 9, { creationdate: T0 + 9 }),
      ]);
    const { emitted, state: after } = drain(state, now);
    expect(emitted.filter((e) => e.startsWith('snapshot:')).sort()).toEqual([
      'snapshot:1',
      'snapshot:4',
      'snapshot:5',
    ]);
    expect(emitted.filter((e) => !e.startsWith('snapshot:')).sort()).toEqual([
      'create:6',
      'delete:3',
      'update:2',
    ]);
    expect(after.snapshot).toBeNull();
    expect([...after.known.values()]).toEqual([1, 2, 4, 5, 6]);
    // Settled again: nothing more.
    expect(drain(after, now).emitted).toEqual([]);
  });

  it('takes turns: a backfill page, then a complete incremental cycle, and says more until done', () => {
    const table = [1, 2, 3, 4, 5, 6, 7].map((id) => row(id, T0));
    let state = startBackfill(settled(table)).state;
    const kinds: string[] = [];
    for (let poll = 0; poll < 20 && state.snapshot !== null; poll++) {
      const query = nextQuery(state, settings);
      kinds.push(query.kind);
      const out = applyPage(state, listPage(table, query, settings.pageSize), settings, accept);
      if (state.snapshot !== null) expect(out.more).toBe(true);
      state = out.state;
    }
    // Pages of 3: the re-read window (7 rows of T0) takes three pages, the backfill three.
    const cycle = ['from', 'after', 'after'];
    expect(kinds).toEqual(['snapshot', ...cycle, 'snapshot', ...cycle, 'snapshot']);
    expect(state.snapshot).toBeNull();
  });

  it("numbers each backfill's snapshot versions, so a second one is new events", () => {
    const table = [row(1, T0)];
    const versionsOf = (state: ZeyosState) => {
      const out = applyPage(
        state,
        listPage(table, nextQuery(state, settings), 3),
        settings,
        accept,
      );
      return out.items.map((item) => (item.kind === 'change' ? item.change.version : '?'));
    };
    const first = startBackfill(settled(table)).state;
    expect(versionsOf(first)).toEqual([`${T0}:${stateHash(table[0])}:b1`]);
    const second = startBackfill(drain(first, table).state).state;
    expect(versionsOf(second)).toEqual([`${T0}:${stateHash(table[0])}:b2`]);
    // The start-up snapshot keeps plain versions.
    const startup = initialState({ phase: 'snapshot', untilLm: T0 + 1 }, 0);
    expect(versionsOf(startup)).toEqual([`${T0}:${stateHash(table[0])}`]);
  });

  it('survives the checkpoint mid-way', () => {
    const table = [1, 2, 3, 4, 5].map((id) => row(id, T0));
    const begun = startBackfill(settled(table)).state;
    const page = applyPage(begun, listPage(table, nextQuery(begun, settings), 3), settings, accept);
    const back = decodeState(JSON.parse(JSON.stringify(encodeState(page.state))) as never);
    expect(back.snapshot).toEqual({ afterId: 3, untilLm: T0 + 1 });
    expect(back.backfillTurn).toBe(false);
    const turned = decodeState(JSON.parse(JSON.stringify(encodeState(begun))) as never);
    expect(turned.backfillTurn).toBe(true);
    expect(drain(back, table).emitted).toEqual(['snapshot:4', 'snapshot:5']);
  });
});

describe('applyReconciliation', () => {
  it('purges known IDs absent from a complete scan, once each, and keeps the others', () => {
    const seeded = applyPage(
      incremental(),
      [row(1, T0), row(2, T0), row(5, T0 + 1, { visibility: 2 })],
      {
        ...settings,
        pageSize: 10,
      },
      accept,
    ).state;
    seeded.known.add(3);
    const present = new IdSet();
    present.add(1);
    const out = applyReconciliation(seeded, present, settings, 9_000);
    expect(summary(out.items)).toEqual(['delete:2', 'delete:3']);
    for (const item of out.items) {
      expect(item.kind === 'change' && item.change.version).toBe('purged');
      expect(item.kind === 'change' && item.change.after).toBeNull();
    }
    expect([...out.state.known.values()]).toEqual([1]);
    expect(out.state.seen.has(2)).toBe(false);
    expect(out.state.lastReconcileMs).toBe(9_000);
    // A second conclusion finds nothing more; ID 5 was soft-deleted and is not purged again.
    expect(applyReconciliation(out.state, present, settings, 10_000).items).toEqual([]);
  });

  it('does not touch the state it was given', () => {
    const seeded = incremental();
    seeded.known.add(1);
    applyReconciliation(seeded, new IdSet(), settings, 1);
    expect(seeded.known.has(1)).toBe(true);
  });
});

describe('state codec', () => {
  it('round-trips every field', () => {
    const state = applyPage(
      initialState({ phase: 'snapshot', untilLm: T0 }, 123),
      [row(1, T0 - 1), row(2, T0 - 1), row(3, T0 - 1)],
      settings,
      accept,
    ).state;
    const inc = applyPage(
      { ...state, phase: 'incremental', snapshot: null },
      [row(10, T0), row(11, T0 + 1), row(12, T0 + 1)],
      settings,
      accept,
    ).state;
    for (const s of [state, inc]) {
      const json = JSON.parse(JSON.stringify(encodeState(s))) as ReturnType<typeof encodeState>;
      const back = decodeState(json);
      expect(encodeState(back)).toEqual(encodeState(s));
      expect([...back.known.values()]).toEqual([...s.known.values()]);
      expect(back.seen).toEqual(s.seen);
      expect(back.pos).toEqual(s.pos);
    }
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['another version', { ...(encodeState(incremental()) as object), v: 2 }],
    ['a broken known set', { ...(encodeState(incremental()) as object), known: '!!' }],
    ['a seen entry of the wrong shape', { ...(encodeState(incremental()) as object), seen: [[1]] }],
  ])('rejects %s with INPUT_INVALID', (_name, value) => {
    try {
      decodeState(value as never);
      expect.unreachable();
    } catch (error) {
      expect(isTidemarkError(error) && error.code).toBe('INPUT_INVALID');
    }
  });
});

describe('regressions', () => {
  it('a long catch-up cycle keeps the dedupe set to the window, not to everything read', () => {
    // One change per second over 300 seconds, read in pages of 3 within one cycle. Before the
    // fix the set was pruned only when a cycle ended, so a catch-up cycle carried every row
    // read so far in each checkpoint (1,000,000 rows: tens of MB per transaction).
    const table = Array.from({ length: 300 }, (_, i) => row(i + 1, T0 + i));
    let state = incremental();
    let largest = 0;
    for (let page = 0; page < 99; page++) {
      const out = applyPage(
        state,
        listPage(table, nextQuery(state, settings), 3),
        settings,
        accept,
      );
      expect(out.more).toBe(true);
      state = out.state;
      largest = Math.max(largest, state.seen.size);
    }
    expect(largest).toBeLessThanOrEqual(settings.lookbackSeconds + settings.pageSize + 1);
    // And the cycle still delivers every row once, then nothing.
    const rest = drain(state, table);
    expect(rest.emitted).toEqual(['update:298', 'update:299', 'update:300']);
    expect(drain(rest.state, table).emitted).toEqual([]);
  });
});
