import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import type { JsonValue } from '@tidemark/events';
import type { SourceItem } from '@tidemark/poller';
import {
  applyPage,
  initialState,
  nextQuery,
  windowStart,
  type CursorSettings,
  type PageQuery,
  type RawRecord,
  type RecordValidator,
} from './cursor.js';
import { decodeState, encodeState, type TsmState } from './state.js';

const settings: CursorSettings = {
  instance: 'acme',
  entity: 'customers',
  pageSize: 3,
  lookbackMs: 5_000,
  safetyLagMs: 1_000,
};
const T0 = Date.parse('2025-09-26T12:00:00.000Z');
const accept: RecordValidator = () => ({ ok: true });
const logAt = (seq = 0) => ({ mode: 'log' as const, seq });

/** A UUID whose order follows `n` (lowercase hex, as the server stores ids). */
function uuid(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

function rec(n: number, w: number, version = 1, extra: Partial<RawRecord> = {}): RawRecord {
  const iso = new Date(w).toISOString();
  return {
    id: uuid(n),
    code: `C-${n}`,
    name: `r${n}`,
    auditInfo: {
      version,
      whoInserted: 'demo',
      whenInserted: version === 0 ? iso : new Date(T0 - 100_000).toISOString(),
      whoEdited: 'demo',
      whenEdited: iso,
    },
    ...extra,
  };
}

function whenOf(r: RawRecord): number {
  return Date.parse((r.auditInfo as { whenEdited: string }).whenEdited);
}

/** The simulator's /page semantics for the cursor's queries: filter, (whenEdited, id) order. */
function listPage(table: Iterable<RawRecord>, query: PageQuery, size: number): RawRecord[] {
  const matches = [...table].filter((r) => {
    const w = whenOf(r);
    const id = r.id as string;
    if (query.kind === 'ties') return w === query.atMs && id > query.afterId;
    if (query.from !== null && (query.from.inclusive ? w < query.from.ms : w <= query.from.ms))
      return false;
    return query.to.inclusive ? w <= query.to.ms : w < query.to.ms;
  });
  matches.sort((a, b) => whenOf(a) - whenOf(b) || ((a.id as string) < (b.id as string) ? -1 : 1));
  return matches.slice(0, size);
}

/** Changes as `op:n@version`, dead letters as `invalid:n`. */
function summary(items: readonly SourceItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'invalid')
      return `invalid:${parseInt((item.entityId ?? '-1').slice(-12), 16)}`;
    const n = parseInt(item.change.entityId.slice(-12), 16);
    return `${item.change.op}:${n}@${item.change.version}`;
  });
}

/** Polls like the adapter until a cycle ends with nothing more. */
function drain(state: TsmState, table: Map<string, RawRecord>, nowMs: number, maxPolls = 200) {
  const emitted: string[] = [];
  const items: SourceItem[] = [];
  let current = state;
  for (let i = 0; i < maxPolls; i++) {
    const page = listPage(table.values(), nextQuery(current, settings, nowMs), settings.pageSize);
    const outcome = applyPage(current, page, settings, accept);
    emitted.push(...summary(outcome.items));
    items.push(...outcome.items);
    current = outcome.state;
    if (!outcome.more) return { state: current, emitted, items };
  }
  throw new Error('cursor did not settle');
}

function tableOf(...records: RawRecord[]): Map<string, RawRecord> {
  return new Map(records.map((r) => [r.id as string, r]));
}

function incremental(fromMs = T0): TsmState {
  return initialState({ phase: 'incremental', fromMs }, logAt(), settings);
}

describe('tSM cursor: keyset on (whenEdited, id)', () => {
  it('many records sharing one whenEdited across page boundaries: each once, in key order', () => {
    const table = tableOf(...Array.from({ length: 10 }, (_, i) => rec(i + 1, T0 + 10)));
    const { emitted } = drain(incremental(), table, T0 + 60_000);
    expect(emitted).toEqual(Array.from({ length: 10 }, (_, i) => `update:${i + 1}@1`));
  });

  it('splits the keyset OR into a ties query and an after query (filters are AND only)', () => {
    const table = tableOf(rec(1, T0 + 1), rec(2, T0 + 1), rec(3, T0 + 1), rec(4, T0 + 2));
    let state = incremental();
    const now = T0 + 60_000;
    expect(nextQuery(state, settings, now)).toEqual({
      kind: 'range',
      from: { ms: T0, inclusive: true },
      to: { ms: now - settings.safetyLagMs, inclusive: true },
    });
    state = applyPage(
      state,
      listPage(table.values(), nextQuery(state, settings, now), 3),
      settings,
      accept,
    ).state;
    expect(nextQuery(state, settings, now)).toEqual({
      kind: 'ties',
      atMs: T0 + 1,
      afterId: uuid(3),
    });
    state = applyPage(state, [], settings, accept).state;
    expect(nextQuery(state, settings, now)).toEqual({
      kind: 'range',
      from: { ms: T0 + 1, inclusive: false },
      to: { ms: now - settings.safetyLagMs, inclusive: true },
    });
  });

  it('a record changing while we page moves ahead of the cursor and is read at its new place', () => {
    const table = tableOf(...Array.from({ length: 7 }, (_, i) => rec(i + 1, T0 + i)));
    const now = T0 + 60_000;
    let state = incremental();
    const first = applyPage(
      state,
      listPage(table.values(), nextQuery(state, settings, now), 3),
      settings,
      accept,
    );
    state = first.state;
    // Record 2 (already read) and record 5 (not yet) change between two pages.
    table.set(uuid(2), rec(2, T0 + 20, 2));
    table.set(uuid(5), rec(5, T0 + 21, 2));
    const rest = drain(state, table, now);
    expect([...summary(first.items), ...rest.emitted]).toEqual([
      'update:1@1',
      'update:2@1',
      'update:3@1',
      'update:4@1',
      'update:6@1',
      'update:7@1',
      'update:2@2',
      'update:5@2',
    ]);
  });

  it('reads stop at now − safety lag; the rest follows once the lag has passed', () => {
    const table = tableOf(rec(1, T0 + 100), rec(2, T0 + 900));
    const first = drain(incremental(), table, T0 + 1_500);
    expect(first.emitted).toEqual(['update:1@1']);
    const second = drain(first.state, table, T0 + 1_900);
    expect(second.emitted).toEqual(['update:2@1']);
  });

  it('dedupes on (id, version): the re-read window emits nothing twice, new versions once', () => {
    const table = tableOf(rec(1, T0 + 1), rec(2, T0 + 2));
    const now = T0 + 60_000;
    const first = drain(incremental(), table, now);
    const again = drain(first.state, table, now);
    expect(again.emitted).toEqual([]);
    table.set(uuid(1), rec(1, T0 + 3, 2));
    expect(drain(again.state, table, now).emitted).toEqual(['update:1@2']);
  });

  it('a change that becomes visible late, within the lookback, is found', () => {
    const table = tableOf(rec(1, T0 + 4_000));
    const now = T0 + 60_000;
    const first = drain(incremental(), table, now);
    // Committed late: its whenEdited is older than what was read already.
    table.set(uuid(2), rec(2, T0 + 1_000));
    expect(drain(first.state, table, now).emitted).toEqual(['update:2@1']);
    expect(windowStart(first.state, settings)).toBe(T0);
  });

  it('an older version read after a newer one (a stale replica) is not emitted', () => {
    const table = tableOf(rec(1, T0 + 10, 3));
    const now = T0 + 60_000;
    const first = drain(incremental(), table, now);
    table.set(uuid(1), rec(1, T0 + 10, 2));
    expect(drain(first.state, table, now).emitted).toEqual([]);
  });

  it('op is create when whenEdited equals whenInserted, else update; version is auditInfo.version', () => {
    const table = tableOf(rec(1, T0 + 1, 0), rec(2, T0 + 2, 7));
    const { items } = drain(incremental(), table, T0 + 60_000);
    const changes = items.flatMap((item) => (item.kind === 'change' ? [item.change] : []));
    expect(changes.map((c) => [c.op, c.version, c.changedAt])).toEqual([
      ['create', '0', new Date(T0 + 1).toISOString()],
      ['update', '7', new Date(T0 + 2).toISOString()],
    ]);
    expect(changes[0]).toMatchObject({ system: 'tsm', instance: 'acme', entityType: 'customers' });
    expect(changes[0]?.after).toEqual(table.get(uuid(1)));
  });

  it('a record failing its schema is dead-lettered once per version; the stream goes on', () => {
    const table = tableOf(rec(1, T0 + 1), rec(2, T0 + 2, 1, { name: 42 }), rec(3, T0 + 3));
    const validate: RecordValidator = (r) =>
      typeof r.name === 'string' ? { ok: true } : { ok: false, error: new Error('name') };
    const now = T0 + 60_000;
    const poll = (state: TsmState) =>
      applyPage(
        state,
        listPage(table.values(), nextQuery(state, settings, now), 10),
        settings,
        validate,
      );
    const first = poll(incremental());
    expect(summary(first.items)).toEqual(['update:1@1', 'invalid:2', 'update:3@1']);
    expect(summary(poll(first.state).items)).toEqual([]);
  });

  it('a record without id or auditInfo cannot be placed: dead-lettered, the keyset moves on', () => {
    const broken: RawRecord = { id: uuid(9), name: 'no audit' };
    const outcome = applyPage(incremental(), [rec(1, T0 + 1), broken], settings, accept);
    expect(summary(outcome.items)).toEqual(['update:1@1', 'invalid:9']);
    const item = outcome.items[1];
    expect(item?.kind === 'invalid' && isTidemarkError(item.error) && item.error.code).toBe(
      'EVENT_INVALID',
    );
  });

  it('keeps the dedupe map to the re-read window', () => {
    const table = new Map<string, RawRecord>();
    for (let i = 0; i < 60; i++) table.set(uuid(i + 1), rec(i + 1, T0 + i * 1_000));
    const { state, emitted } = drain(incremental(), table, T0 + 120_000, 500);
    expect(emitted).toHaveLength(60);
    // Newest seen T0 + 59 s, lookback 5 s: records from T0 + 54 s on are kept.
    expect([...state.seen.values()].every((e) => e.w >= T0 + 54_000)).toBe(true);
    expect(state.seen.size).toBe(6);
  });

  it('a full page of unplaceable records stops with a typed error instead of looping', () => {
    const junk = [{ x: 1 }, { x: 2 }, { x: 3 }];
    expect(() => applyPage(incremental(), junk, settings, accept)).toThrow(
      expect.objectContaining({ code: 'HTTP_RESPONSE_INVALID' }) as Error,
    );
  });
});

describe('tSM cursor: snapshot, then incremental with no gap', () => {
  it('snapshots records below the bound, then reads changes from the bound minus lookback once', () => {
    const until = T0 + 10_000;
    const table = tableOf(
      rec(1, T0 + 1),
      rec(2, until - 2_000),
      rec(3, until - 1),
      rec(4, until + 5),
    );
    const start = initialState({ phase: 'snapshot', untilMs: until }, logAt(), settings);
    const first = drain(start, table, until + 60_000);
    expect(first.emitted).toEqual(['snapshot:1@1', 'snapshot:2@1', 'snapshot:3@1', 'update:4@1']);
    expect(first.state.phase).toBe('incremental');
    // Records near the bound stay in the dedupe map: re-read by the lookback, not re-emitted.
    expect(first.state.seen.has(uuid(3))).toBe(true);
    table.set(uuid(2), rec(2, until + 100, 2));
    expect(drain(first.state, table, until + 60_000).emitted).toEqual(['update:2@2']);
  });

  it('a record changing during the snapshot leaves it and arrives as a change', () => {
    const until = T0 + 10_000;
    const table = tableOf(...Array.from({ length: 6 }, (_, i) => rec(i + 1, T0 + i)));
    let state = initialState({ phase: 'snapshot', untilMs: until }, logAt(), settings);
    const now = until + 60_000;
    const first = applyPage(
      state,
      listPage(table.values(), nextQuery(state, settings, now), 3),
      settings,
      accept,
    );
    state = first.state;
    table.set(uuid(5), rec(5, until + 1, 2));
    const rest = drain(state, table, now);
    expect([...summary(first.items), ...rest.emitted]).toEqual([
      'snapshot:1@1',
      'snapshot:2@1',
      'snapshot:3@1',
      'snapshot:4@1',
      'snapshot:6@1',
      'update:5@2',
    ]);
  });
});

describe('tSM cursor: against a changing table, checkpointing between polls', () => {
  it('random changes and restarts: every final state delivered, no (id, version) twice', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const table = new Map<string, RawRecord>();
    let clock = T0;
    let nextId = 1;
    const versions = new Set<string>();
    const last = new Map<string, number>();
    let state = initialState({ phase: 'snapshot', untilMs: T0 - 1 }, logAt(), settings);
    for (let step = 0; step < 400; step++) {
      // Several changes often share one millisecond.
      if (random() < 0.6) clock += Math.floor(random() * 40);
      const ids = [...table.keys()];
      const pick = ids[Math.floor(random() * ids.length)];
      if (pick === undefined || random() < 0.3) {
        const r = rec(nextId++, clock, 0);
        table.set(r.id as string, r);
      } else {
        const v = ((table.get(pick)?.auditInfo as { version: number }).version ?? 0) + 1;
        table.set(pick, rec(parseInt(pick.slice(-12), 16), clock, v));
      }
      const now = clock + settings.safetyLagMs + Math.floor(random() * 50);
      const query = nextQuery(state, settings, now);
      const outcome = applyPage(
        state,
        listPage(table.values(), query, settings.pageSize),
        settings,
        accept,
      );
      for (const item of outcome.items) {
        if (item.kind !== 'change') continue;
        const key = `${item.change.entityId}@${item.change.version}`;
        expect(versions.has(key)).toBe(false);
        versions.add(key);
        last.set(item.change.entityId, Number(item.change.version));
      }
      // A restart from the checkpoint is the same as going on.
      state = decodeState(JSON.parse(JSON.stringify(encodeState(outcome.state))) as JsonValue);
    }
    const end = drain(state, table, clock + 60_000, 2_000);
    for (const item of end.items) {
      if (item.kind !== 'change') continue;
      last.set(item.change.entityId, Number(item.change.version));
    }
    for (const [id, r] of table) {
      expect(last.get(id)).toBe((r.auditInfo as { version: number }).version);
    }
  });
});
