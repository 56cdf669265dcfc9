import { describe, expect, it } from 'vitest';
import { formatZonedDateTime } from '@tidemark/peaktms';
import { applyBackfillPage, isBackfillTurn, passTurn, startBackfill } from './backfill.js';
import {
  afterLogPage,
  decodeState,
  encodeState,
  initialState,
  snapshotQuery,
  type PeaktmsState,
} from './cursor.js';

const settings = { instance: 'acme', kind: 'activities', pageSize: 4 };
const T0 = 1_790_000_000_000;
const now = { nowMs: T0, lookbackMs: 5_000 };

function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A log-phase state that has emitted entries up to `newestEntryMs`. */
function following(newestEntryMs: number | null, afterEntryId: number | null = 10): PeaktmsState {
  return { ...initialState({ snapshot: false, fromMs: T0 }, 5_000), afterEntryId, newestEntryMs };
}

describe('startBackfill', () => {
  it('walks records up to the newest entry time emitted, numbered', () => {
    const { state, started } = startBackfill(following(T0 + 500), { nowMs: T0, lookbackMs: 5 });
    expect(started).toBe(true);
    expect(state.backfill).toEqual({
      walk: { untilMs: T0 + 501, after: null, groupPage: null },
      turn: true,
    });
    expect(state.backfills).toBe(1);
    expect(isBackfillTurn(state)).toBe(true);
  });

  it('up to our clock less the lookback when that is later (unlogged types, no entry yet)', () => {
    const clock = { nowMs: T0 + 9_999, lookbackMs: 5_000 };
    for (const state of [following(null, null), following(null, 812), following(T0 + 100)])
      expect(startBackfill(state, clock).state.backfill?.walk.untilMs).toBe(T0 + 4_999);
  });

  it('does not start during the start-mode snapshot or a running backfill', () => {
    const snapshot = initialState({ snapshot: true, fromMs: T0 }, 5_000);
    expect(startBackfill(snapshot, now)).toEqual({ state: snapshot, started: false });
    const running = startBackfill(following(T0), now).state;
    expect(startBackfill(running, now)).toEqual({ state: running, started: false });
  });

  it('survives the checkpoint, its next page first', () => {
    const running = startBackfill(following(T0), now).state;
    const afterPage = applyBackfillPage(running, rows(4, T0 - 100), settings).state;
    expect(isBackfillTurn(afterPage)).toBe(false);
    const restored = decodeState(encodeState(afterPage));
    expect(restored.backfill?.walk).toEqual(afterPage.backfill?.walk);
    expect(isBackfillTurn(restored)).toBe(true);
    expect(restored.backfills).toBe(1);
  });
});

function rows(count: number, fromMs: number) {
  return Array.from({ length: count }, (_, n) => wire(id(n + 1), fromMs + n, 'x'));
}

function wire(recordId: string, modifiedMs: number, name: string): Record<string, unknown> {
  return {
    id: recordId,
    name,
    modified: formatZonedDateTime(modifiedMs, { offsetMinutes: 60, zone: 'Europe/Berlin' }),
  };
}

interface Rec {
  modifiedMs: number;
  name: string;
}

/** A deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a backfill taking turns with the log, against a model of the server', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: every untouched record once; no snapshot after a newer live change',
    (seed) => {
      const random = prng(seed);
      let clock = T0;
      const table = new Map<string, Rec>();
      const log: { entryId: number; id: string; timeMs: number; name: string }[] = [];
      const change = (recordId: string) => {
        // Several records may share a millisecond: the walk's group pages are exercised too.
        if (random() < 0.7) clock += 1;
        const rec = { modifiedMs: clock, name: `n${log.length}` };
        table.set(recordId, rec);
        log.push({ entryId: log.length + 1, id: recordId, timeMs: clock, name: rec.name });
      };
      for (let n = 1; n <= 40; n++) change(id(n));

      // The topic, per record: [kind, the state's name] in order.
      const topic = new Map<string, { op: string; name: string }[]>();
      const emit = (recordId: string, op: string, name: string) =>
        topic.set(recordId, [...(topic.get(recordId) ?? []), { op, name }]);
      let emitted = 0;
      const pollLog = (state: PeaktmsState, max: number): PeaktmsState => {
        const page = log.slice(emitted, emitted + max);
        for (const entry of page) emit(entry.id, 'live', entry.name);
        emitted += page.length;
        const last = page.at(-1);
        return last === undefined ? state : afterLogPage(state, last.entryId, last.timeMs);
      };

      let state = pollLog(following(null, null), 1_000);
      const atStart = new Map([...table].map(([k, v]) => [k, v.name]));
      state = startBackfill(state, { nowMs: clock, lookbackMs: 5 }).state;
      for (let poll = 0; poll < 500 && state.backfill !== null; poll++) {
        if (isBackfillTurn(state)) {
          const q = snapshotQuery(state.backfill.walk);
          const page = [...table]
            .filter(
              ([, r]) =>
                (q.modifiedFromMs === undefined || r.modifiedMs >= q.modifiedFromMs) &&
                r.modifiedMs < q.modifiedToMs,
            )
            .sort(([a, x], [b, y]) => x.modifiedMs - y.modifiedMs || (a < b ? -1 : 1))
            .slice(q.page * settings.pageSize, (q.page + 1) * settings.pageSize)
            .map(([k, r]) => wire(k, r.modifiedMs, r.name));
          const outcome = applyBackfillPage(state, page, settings);
          for (const item of outcome.items) {
            if (item.kind !== 'change') throw new Error('unexpected dead letter');
            expect(item.change.version).toMatch(/:b1$/);
            const name = item.change.after?.['name'];
            if (typeof name !== 'string') throw new Error('snapshot without its name');
            emit(item.change.entityId, 'snapshot', name);
          }
          state = outcome.state;
        } else {
          // The log lags behind at times (pages of 3): a snapshot may come before older entries.
          state = passTurn(pollLog(state, 3));
        }
        for (let k = 0; k < 3; k++) if (random() < 0.5) change(id(1 + Math.floor(random() * 40)));
      }
      expect(state.backfill).toBeNull();
      state = pollLog(state, 1_000);

      for (const [recordId, name] of atStart) {
        const events = topic.get(recordId) ?? [];
        const snapshots = events.filter((e) => e.op === 'snapshot');
        const untouched = table.get(recordId)?.name === name;
        if (untouched) expect(snapshots, recordId).toHaveLength(1);
        expect(snapshots.length, recordId).toBeLessThanOrEqual(1);
        // The snapshot is a state the log also brings, never one overtaken by an earlier event.
        const at = events.findIndex((e) => e.op === 'snapshot');
        if (at >= 0) {
          const names = log.filter((e) => e.id === recordId).map((e) => e.name);
          const snapshotVersion = names.indexOf(events[at]!.name);
          const before = events.slice(0, at).filter((e) => e.op === 'live');
          for (const live of before)
            expect(names.indexOf(live.name)).toBeLessThanOrEqual(snapshotVersion);
        }
        // Every record ends in its final state.
        expect(events.at(-1)?.name, recordId).toBe(table.get(recordId)?.name);
      }
    },
  );
});
