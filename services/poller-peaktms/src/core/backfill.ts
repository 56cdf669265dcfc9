/**
 * Backfill on request, pure: every current record of the kind once more as a `snapshot`
 * change, on the same (modified, id) keyset as the start-mode snapshot, taking turns with the
 * history log (one page each).
 *
 * The walk covers records with `modified` up to the newest entry time emitted when it began
 * (PeakTMS's clock; startBackfill says when ours sets the bound). A record changed later has a
 * later `modified` and leaves the walk; its change is an entry the log has not emitted yet, so
 * it comes after whatever the walk emitted before. A record the walk reads is unchanged since
 * then, and any later change is read by the log after that page. Either way a live change
 * follows the snapshot of its record in the topic. Versions carry the backfill's number
 * (`...:b<n>`): a second backfill is new events, a replay of one from the checkpoint is not.
 */
import type { SourceItem } from '@tidemark/poller';
import { walkPage, type PeaktmsState } from './cursor.js';

/**
 * Begins a backfill; unchanged (started false) while the start-mode snapshot or a backfill
 * runs. The walk's bound is the newest entry time emitted plus 1 ms, or our clock less the
 * lookback (which covers the clock skew) when that is later: so it also takes in the records
 * of types whose logging is off (no entry of theirs moves the newest time), and works before
 * the first entry and from a checkpoint written before entry times were kept. A change after
 * the request still lands at or above the bound (a later PeakTMS time, or a time no earlier
 * than our clock less the skew).
 */
export function startBackfill(
  before: PeaktmsState,
  clock: { nowMs: number; lookbackMs: number },
): { state: PeaktmsState; started: boolean } {
  if (before.phase === 'snapshot' || before.backfill !== null) {
    return { state: before, started: false };
  }
  const untilMs = Math.max(
    before.newestEntryMs === null ? -Infinity : before.newestEntryMs + 1,
    clock.nowMs - clock.lookbackMs,
  );
  const state: PeaktmsState = {
    ...before,
    backfill: { walk: { untilMs, after: null, groupPage: null }, turn: true },
    backfills: before.backfills + 1,
  };
  return { state, started: true };
}

/** Whether the next poll reads a backfill page rather than the log. */
export function isBackfillTurn(state: PeaktmsState): boolean {
  return state.phase === 'log' && state.backfill?.turn === true;
}

/** After a log poll: the next one is the backfill's, while one runs. */
export function passTurn(state: PeaktmsState): PeaktmsState {
  return state.backfill === null
    ? state
    : { ...state, backfill: { ...state.backfill, turn: true } };
}

/** What one page answering `snapshotQuery(state.backfill.walk)` means; the turn passes back. */
export function applyBackfillPage(
  before: PeaktmsState,
  rows: readonly Readonly<Record<string, unknown>>[],
  settings: { instance: string; kind: string; pageSize: number },
): { items: SourceItem[]; state: PeaktmsState } {
  if (before.backfill === null) throw new Error('no backfill is running');
  const page = walkPage(before.backfill.walk, rows, settings, `:b${before.backfills}`);
  const backfill = page.next === null ? null : { walk: page.next, turn: false };
  return { items: page.items, state: { ...before, backfill } };
}
