/**
 * The tSM change cursor, pure: what to ask /page for next and what a page of records means,
 * with no HTTP. tSM has no change feed for record states; every record carries
 * auditInfo.whenEdited (ms) and auditInfo.version (grows by one per change).
 *
 * - Keyset on (whenEdited, id), never an offset: tSM filters combine with AND only, so the
 *   keyset's OR is two queries: the ties of `w` after an id, then everything after `w`.
 * - Safety lag: a cycle reads only up to `now − safetyLagMs` (our clock). A change is read
 *   once its commit has had that long to become visible; a source clock ahead of ours only
 *   delays changes, it never skips them.
 * - Lookback: each cycle starts again `lookbackMs` below the newest whenEdited read, so
 *   equal timestamps and changes that became visible late are read again; what was already
 *   emitted is dropped on (id, version). The dedupe map only holds that window.
 * - Event version = auditInfo.version: unique per change of a record, deterministic on replay.
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import type { Change, JsonObject } from '@tidemark/events';
import type { SourceItem } from '@tidemark/poller';
import { cloneState, type DeleteTracking, type KeysetPos, type TsmState } from './state.js';

/** A record as /page sent it, before validation. */
export type RawRecord = Record<string, unknown>;

export interface CursorSettings {
  instance: string;
  /** The tSM entity, e.g. `customers`. */
  entity: string;
  /** Records per /page request. */
  pageSize: number;
  /** How far below the newest whenEdited read each cycle starts again. */
  lookbackMs: number;
  /** How far behind our clock reads stop. */
  safetyLagMs: number;
}

export type StartPosition =
  { phase: 'snapshot'; untilMs: number } | { phase: 'incremental'; fromMs: number };

export function initialState(
  start: StartPosition,
  deletes: DeleteTracking,
  settings: CursorSettings,
): TsmState {
  if (start.phase === 'snapshot') {
    // The incremental part re-reads the lookback below the snapshot bound; the snapshot
    // records it emitted there stay in `seen` so they are not emitted again.
    return {
      phase: 'snapshot',
      untilMs: start.untilMs,
      floorMs: start.untilMs - settings.lookbackMs,
      maxSeenMs: start.untilMs,
      pos: null,
      seen: new Map(),
      deletes,
    };
  }
  return {
    phase: 'incremental',
    untilMs: null,
    floorMs: start.fromMs,
    maxSeenMs: start.fromMs,
    pos: null,
    seen: new Map(),
    deletes,
  };
}

/** The lower bound of the next read cycle. */
export function windowStart(state: TsmState, settings: CursorSettings): number {
  return Math.max(state.floorMs, state.maxSeenMs - settings.lookbackMs);
}

/** One /page request, sorted whenEdited ASC, id ASC. */
export type PageQuery =
  | {
      kind: 'range';
      /** Lower bound, or none (the start of a snapshot). */
      from: { ms: number; inclusive: boolean } | null;
      to: { ms: number; inclusive: boolean };
    }
  /** whenEdited = atMs and id > afterId. */
  | { kind: 'ties'; atMs: number; afterId: string };

export function nextQuery(state: TsmState, settings: CursorSettings, nowMs: number): PageQuery {
  const to =
    state.phase === 'snapshot' && state.untilMs !== null
      ? { ms: state.untilMs, inclusive: false }
      : { ms: nowMs - settings.safetyLagMs, inclusive: true };
  const { pos } = state;
  if (pos !== null && pos.id !== null) return { kind: 'ties', atMs: pos.w, afterId: pos.id };
  if (pos !== null) return { kind: 'range', from: { ms: pos.w, inclusive: false }, to };
  if (state.phase === 'snapshot') return { kind: 'range', from: null, to };
  return { kind: 'range', from: { ms: windowStart(state, settings), inclusive: true }, to };
}

export interface PageOutcome {
  items: SourceItem[];
  state: TsmState;
  advanced: boolean;
  more: boolean;
  newestChangeMs: number | undefined;
}

/** Validates one record against its entity schema. */
export type RecordValidator = (record: RawRecord) => { ok: true } | { ok: false; error: unknown };

/** The fields the cursor needs; a record without them cannot be placed on the keyset. */
const placeSchema = z.object({
  id: z.string().min(1),
  auditInfo: z.looseObject({
    version: z.number().int().nonnegative(),
    whenEdited: z.string(),
    whenInserted: z.string().nullable().optional(),
    whoEdited: z.string().nullable().optional(),
  }),
});

export interface Placed {
  id: string;
  version: number;
  w: number;
  whenEdited: string;
  created: boolean;
  who: string | null | undefined;
}

/** The record's keyset place and version, or undefined for a record that lacks them. */
export function place(record: RawRecord): Placed | undefined {
  const parsed = placeSchema.safeParse(record);
  if (!parsed.success) return undefined;
  const { id, auditInfo } = parsed.data;
  const w = Date.parse(auditInfo.whenEdited);
  if (Number.isNaN(w)) return undefined;
  return {
    id: id.toLowerCase(),
    version: auditInfo.version,
    w,
    whenEdited: new Date(w).toISOString(),
    // tSM stamps whenEdited = whenInserted at create; every later change moves it.
    created: auditInfo.whenInserted === auditInfo.whenEdited,
    who: auditInfo.whoEdited,
  };
}

/**
 * What one page answering `nextQuery(before)` means (the state is cloned, never mutated).
 * Snapshot pages give `snapshot` changes; incremental pages give create/update for every
 * (id, version) not emitted yet; records failing the schema become dead letters, once per
 * (id, version).
 */
export function applyPage(
  before: TsmState,
  records: readonly RawRecord[],
  settings: CursorSettings,
  validate: RecordValidator,
): PageOutcome {
  const state = cloneState(before);
  const items: SourceItem[] = [];
  let newest: number | undefined;
  let last: KeysetPos | null = null;
  const snapshot = state.phase === 'snapshot';

  for (const record of records) {
    const at = place(record);
    if (at === undefined) {
      const id = typeof record.id === 'string' ? record.id : undefined;
      items.push(invalid(record, id, 'record without a valid id, auditInfo.version or whenEdited'));
      continue;
    }
    last = { w: at.w, id: at.id };
    if (!snapshot) state.maxSeenMs = Math.max(state.maxSeenMs, at.w);
    const previous = state.seen.get(at.id);
    // Versions only grow: an equal or older one was emitted already (or is a stale read).
    if (previous !== undefined && previous.v >= at.version) continue;
    state.seen.set(at.id, { v: at.version, w: at.w });
    newest = Math.max(newest ?? 0, at.w);
    const checked = validate(record);
    if (!checked.ok) {
      items.push({ kind: 'invalid', entityId: at.id, raw: record, error: checked.error });
      continue;
    }
    if (state.deletes.mode === 'reconcile') state.deletes.known.add(at.id);
    const op = snapshot ? 'snapshot' : at.created ? 'create' : 'update';
    items.push({ kind: 'change', change: toChange(op, record, at, settings) });
  }

  const full = records.length >= settings.pageSize;
  const wasTies = before.pos !== null && before.pos.id !== null;
  let more = true;
  if (full && last !== null) state.pos = last;
  else if (full) {
    // A full page of records that cannot be placed: nothing to continue from. Refusing to
    // loop over the same page, the stream stops with a clear reason instead.
    throw new TidemarkError('HTTP_RESPONSE_INVALID', 'a full /page of unplaceable records', {
      retryable: false,
      details: { entity: settings.entity },
    });
  } else if (wasTies && before.pos !== null) state.pos = { w: before.pos.w, id: null };
  else {
    state.pos = null;
    more = false;
    if (snapshot) {
      state.phase = 'incremental';
      state.untilMs = null;
      more = true;
    }
  }

  // A backfill takes its turn after each complete incremental cycle (see core/backfill.ts).
  if (state.backfill !== undefined && !snapshot && state.pos === null) {
    state.backfill.turn = true;
    more = true;
  }
  const pruned = prune(state, settings);
  const moved = JSON.stringify(before.pos) !== JSON.stringify(state.pos);
  return {
    items,
    state,
    advanced: items.length > 0 || moved || pruned > 0 || before.phase !== state.phase,
    more,
    newestChangeMs: newest,
  };
}

/**
 * Drops dedupe entries no read can return again: below the window of later cycles (which
 * only rises) and below the rest of the current cycle.
 */
function prune(state: TsmState, settings: CursorSettings): number {
  const start = windowStart(state, settings);
  const bound = state.pos === null ? start : Math.min(start, state.pos.w);
  let pruned = 0;
  for (const [id, entry] of state.seen) {
    if (entry.w < bound) {
      state.seen.delete(id);
      pruned++;
    }
  }
  return pruned;
}

export function toChange(
  op: Change['op'],
  record: RawRecord,
  at: Placed,
  settings: CursorSettings,
): Change {
  return {
    op,
    system: 'tsm',
    instance: settings.instance,
    entityType: settings.entity,
    entityId: at.id,
    after: record as JsonObject,
    changedAt: at.whenEdited,
    ...(at.who === undefined ? {} : { changedBy: at.who }),
    version: String(at.version),
  };
}

export function invalid(raw: unknown, entityId: string | undefined, reason: string): SourceItem {
  return {
    kind: 'invalid',
    entityId,
    raw,
    error: new TidemarkError('EVENT_INVALID', reason, { retryable: false }),
  };
}
