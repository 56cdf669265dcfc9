import { describe, expect, it } from 'vitest';
import type { SourceItem } from '@tidemark/poller';
import { applyBackfillPage, backfillQuery, isBackfillTurn, startBackfill } from './backfill.js';
import {
  applyPage,
  initialState,
  nextQuery,
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
const NOW = T0 + 60_000;
const accept: RecordValidator = () => ({ ok: true });

function uuid(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

function rec(n: number, w: number, version = 1, extra: Partial<RawRecord> = {}): RawRecord {
  const iso = new Date(w).toISOString();
  return {
    id: uuid(n),
    code: `C-${n}`,
    auditInfo: {
      version,
      whoInserted: 'demo',
      whenInserted: new Date(T0 - 100_000).toISOString(),
      whoEdited: 'demo',
      whenEdited: iso,
    },
    ...extra,
  };
}

const whenOf = (r: RawRecord) => Date.parse((r.auditInfo as { whenEdited: string }).whenEdited);

/** The simulator's /page semantics for the cursor's queries. */
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

const summary = (items: readonly SourceItem[]) =>
  items.map((item) =>
    item.kind === 'change'
      ? `${item.change.op}:${parseInt(item.change.entityId.slice(-12), 16)}@${item.change.version}`
      : 'invalid',
  );

/** Polls like the adapter (backfill pages on their turn) until nothing more. */
function drain(state: TsmState, table: Map<string, RawRecord>) {
  const emitted: string[] = [];
  let current = state;
  for (let i = 0; i < 200; i++) {
    const backfill = isBackfillTurn(current);
    const query = backfill ? backfillQuery(current) : nextQuery(current, settings, NOW);
    const page = listPage(table.values(), query, settings.pageSize);
    const outcome = backfill
      ? applyBackfillPage(current, page, settings, accept)
      : applyPage(current, page, settings, accept);
    emitted.push(...summary(outcome.items));
    current = outcome.state;
    if (!outcome.more) return { state: current, emitted };
  }
  throw new Error('cursor did not settle');
}

const tableOf = (...records: RawRecord[]) => new Map(records.map((r) => [r.id as string, r]));
const settled = (table: Map<string, RawRecord>) =>
  drain(
    initialState({ phase: 'incremental', fromMs: T0 }, { mode: 'log', seq: 0 }, settings),
    table,
  ).state;

describe('tSM backfill', () => {
  it('starts below the newest whenEdited seen, once; not during a snapshot', () => {
    const state = settled(tableOf(rec(1, T0 + 10), rec(2, T0 + 20)));
    const { state: begun, started } = startBackfill(state);
    expect(started).toBe(true);
    expect(begun.backfill).toEqual({ untilMs: T0 + 21, pos: null, turn: true });
    expect(begun.backfills).toBe(1);
    expect(state.backfill).toBeUndefined();
    expect(startBackfill(begun)).toEqual({ state: begun, started: false });
    const snapshot = initialState(
      { phase: 'snapshot', untilMs: T0 },
      { mode: 'log', seq: 0 },
      settings,
    );
    expect(startBackfill(snapshot).started).toBe(false);
  });

  it('snapshots every record once, ties across pages included, while later changes stay live', () => {
    // Five records share one millisecond: the backfill's ties query pages through them.
    const table = tableOf(
      ...[1, 2, 3, 4, 5].map((n) => rec(n, T0 + 10)),
      rec(6, T0 + 20),
      rec(7, T0 + 30),
    );
    const begun = startBackfill(settled(table)).state;
    // While it runs: 6 changes (a later whenEdited), 8 is created.
    table.set(uuid(6), rec(6, T0 + 40, 2));
    table.set(uuid(8), {
      ...rec(8, T0 + 41, 0),
      auditInfo: {
        version: 0,
        whoInserted: 'demo',
        whenInserted: new Date(T0 + 41).toISOString(),
        whoEdited: 'demo',
        whenEdited: new Date(T0 + 41).toISOString(),
      },
    });
    const { emitted, state } = drain(begun, table);
    expect(emitted.filter((e) => e.startsWith('snapshot')).sort()).toEqual(
      ['1@1:b1', '2@1:b1', '3@1:b1', '4@1:b1', '5@1:b1', '7@1:b1'].map((e) => `snapshot:${e}`),
    );
    expect(emitted.filter((e) => !e.startsWith('snapshot')).sort()).toEqual([
      'create:8@0',
      'update:6@2',
    ]);
    expect(state.backfill).toBeUndefined();
    expect(drain(state, table).emitted).toEqual([]);
  });

  it('survives the checkpoint mid-way and numbers a second backfill anew', () => {
    const table = tableOf(...[1, 2, 3, 4, 5].map((n) => rec(n, T0 + n)));
    const begun = startBackfill(settled(table)).state;
    const page = applyBackfillPage(
      begun,
      listPage(table.values(), backfillQuery(begun), 3),
      settings,
      accept,
    );
    const back = decodeState(JSON.parse(JSON.stringify(encodeState(page.state))) as never);
    expect(back.backfill).toEqual({
      untilMs: T0 + 6,
      pos: { w: T0 + 3, id: uuid(3) },
      turn: false,
    });
    const rest = drain(back, table);
    expect(rest.emitted).toEqual(['snapshot:4@1:b1', 'snapshot:5@1:b1']);
    const again = startBackfill(rest.state).state;
    expect(drain(again, table).emitted[0]).toBe('snapshot:1@1:b2');
  });
});
