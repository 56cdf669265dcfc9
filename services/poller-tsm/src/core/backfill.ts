/**
 * Backfill on request, pure: every record once more as a `snapshot` change, read on its own
 * (whenEdited, id) keyset below the newest whenEdited seen when it began, one page per turn
 * after each complete incremental cycle. What changes later has a later whenEdited and is the
 * incremental reading's, so a live change always follows the snapshot of the same record in the
 * topic. A backfill's versions carry its number (`<version>:b<n>`): a second backfill is new
 * events, a replay of one from the checkpoint gives the same ids.
 */
import { TidemarkError } from '@tidemark/errors';
import type { SourceItem } from '@tidemark/poller';
import {
  invalid,
  place,
  toChange,
  type CursorSettings,
  type PageOutcome,
  type PageQuery,
  type RawRecord,
  type RecordValidator,
} from './cursor.js';
import { cloneState, type TsmState } from './state.js';

/** Begins a backfill; unchanged (started false) while a snapshot or backfill runs. */
export function startBackfill(before: TsmState): { state: TsmState; started: boolean } {
  if (before.phase === 'snapshot' || before.backfill !== undefined) {
    return { state: before, started: false };
  }
  const state = cloneState(before);
  state.backfill = { untilMs: state.maxSeenMs + 1, pos: null, turn: true };
  state.backfills = (state.backfills ?? 0) + 1;
  return { state, started: true };
}

/** Whether the next poll reads a backfill page. */
export function isBackfillTurn(state: TsmState): boolean {
  return state.backfill?.turn === true && state.pos === null && state.phase === 'incremental';
}

export function backfillQuery(state: TsmState): PageQuery {
  const backfill = state.backfill;
  if (backfill === undefined) throw new Error('no backfill is running');
  const to = { ms: backfill.untilMs, inclusive: false };
  const { pos } = backfill;
  if (pos !== null && pos.id !== null) return { kind: 'ties', atMs: pos.w, afterId: pos.id };
  if (pos !== null) return { kind: 'range', from: { ms: pos.w, inclusive: false }, to };
  return { kind: 'range', from: null, to };
}

/** What one page answering `backfillQuery(before)` means (the state is cloned). */
export function applyBackfillPage(
  before: TsmState,
  records: readonly RawRecord[],
  settings: CursorSettings,
  validate: RecordValidator,
): PageOutcome {
  const state = cloneState(before);
  const backfill = state.backfill;
  if (backfill === undefined) throw new Error('no backfill is running');
  const number = state.backfills ?? 1;
  const items: SourceItem[] = [];
  let last: { w: number; id: string } | null = null;
  for (const record of records) {
    const at = place(record);
    if (at === undefined) {
      const id = typeof record.id === 'string' ? record.id : undefined;
      items.push(invalid(record, id, 'record without a valid id, auditInfo.version or whenEdited'));
      continue;
    }
    last = { w: at.w, id: at.id };
    const checked = validate(record);
    if (!checked.ok) {
      items.push({ kind: 'invalid', entityId: at.id, raw: record, error: checked.error });
      continue;
    }
    const change = toChange('snapshot', record, at, settings);
    change.version = `${change.version}:b${number}`;
    items.push({ kind: 'change', change });
  }
  const full = records.length >= settings.pageSize;
  const wasTies = backfill.pos !== null && backfill.pos.id !== null;
  backfill.turn = false;
  if (full && last !== null) backfill.pos = last;
  else if (full) {
    // As in the incremental reading: nothing to continue from, and the stream says why.
    throw new TidemarkError('HTTP_RESPONSE_INVALID', 'a full /page of unplaceable records', {
      retryable: false,
      details: { entity: settings.entity },
    });
  } else if (wasTies && backfill.pos !== null) backfill.pos = { w: backfill.pos.w, id: null };
  else delete state.backfill;
  return { items, state, advanced: true, more: true, newestChangeMs: undefined };
}
