/**
 * The PeakTMS stream position, pure. Incremental capture follows a kind's history log by entry
 * id (exclusive): the log is append-only and ids grow, so "after the last id committed" is
 * exact, with no boundary to re-read. Before the first entry is seen, the position is an
 * instant (`since`, inclusive), lowered by a lookback for clock skew between PeakTMS and us.
 *
 * A snapshot reads every record with `modified` before the snapshot's start T0 on the keyset
 * (modified, id), while the log from T0 − lookback carries what changes meanwhile: that set
 * only shrinks (a record changed after T0 leaves it, and its change is in the log), so the
 * keyset misses nothing and there is no gap between the two phases. A backfill on request
 * walks the same keyset (core/backfill.ts).
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { JsonObjectSchema, type Change, type JsonValue } from '@tidemark/events';
import { tryParseZonedDateTime, type PeaktmsEntryId } from '@tidemark/peaktms';
import { stateHash, type SourceItem } from '@tidemark/poller';
import { rfc3339 } from './history.js';

export interface SnapshotPosition {
  /** T0: records modified before it are snapshotted (Unix ms). */
  untilMs: number;
  /** Keyset: the last record read, or null before the first page. */
  after: { modifiedMs: number; id: string } | null;
  /**
   * More records share one `modified` millisecond than a page holds: read that millisecond by
   * page number instead (0-based), since the keyset cannot move inside it.
   */
  groupPage: number | null;
}

export interface PeaktmsState {
  phase: 'snapshot' | 'log';
  snapshot: SnapshotPosition | null;
  /** The last history entry emitted; null until the first one. */
  afterEntryId: PeaktmsEntryId | null;
  /** While `afterEntryId` is null: entries at or after this instant (Unix ms). */
  sinceMs: number;
  /**
   * The newest time of the entries emitted (Unix ms, PeakTMS's clock); null before the first
   * and in checkpoints written before it was kept. Bounds a backfill.
   */
  newestEntryMs: number | null;
  /** A backfill on request in progress (core/backfill.ts), or null. */
  backfill: BackfillWalk | null;
  /** Backfills begun on this stream: the number in their versions. */
  backfills: number;
}

export interface BackfillWalk {
  /** The keyset walk; `untilMs` is fixed when it began (see startBackfill in core/backfill.ts). */
  walk: SnapshotPosition;
  /** The next poll reads a backfill page (the polls take turns with the log). */
  turn: boolean;
}

const entryId = z.union([z.number().int(), z.string().min(1)]);
// [untilMs, modifiedMs | null, id | null, groupPage | null]
const positionSchema = z.tuple([
  z.number().int(),
  z.number().int().nullable(),
  z.string().nullable(),
  z.number().int().nonnegative().nullable(),
]);
// `newest`, `bf` and `bfn` came with backfill: optional, so older checkpoints still decode.
const encodedSchema = z.object({
  v: z.literal(1),
  phase: z.enum(['snapshot', 'log']),
  snap: positionSchema.nullable(),
  after: entryId.nullable(),
  since: z.number().int(),
  newest: z.number().int().nullable().optional(),
  bf: positionSchema.nullable().optional(),
  bfn: z.number().int().nonnegative().optional(),
});

function encodePosition(s: SnapshotPosition): z.infer<typeof positionSchema> {
  return [s.untilMs, s.after?.modifiedMs ?? null, s.after?.id ?? null, s.groupPage];
}

function decodePosition(p: z.infer<typeof positionSchema>): SnapshotPosition {
  return {
    untilMs: p[0],
    after: p[1] === null || p[2] === null ? null : { modifiedMs: p[1], id: p[2] },
    groupPage: p[3],
  };
}

export function encodeState(state: PeaktmsState): JsonValue {
  return {
    v: 1,
    phase: state.phase,
    snap: state.snapshot === null ? null : encodePosition(state.snapshot),
    after: state.afterEntryId,
    since: state.sinceMs,
    newest: state.newestEntryMs,
    bf: state.backfill === null ? null : encodePosition(state.backfill.walk),
    bfn: state.backfills,
  };
}

/** @throws TidemarkError INPUT_INVALID for a value that is not a PeakTMS poller state. */
export function decodeState(value: JsonValue): PeaktmsState {
  const parsed = encodedSchema.safeParse(value);
  if (!parsed.success) throw new TidemarkError('INPUT_INVALID', 'not a PeakTMS poller state');
  const v = parsed.data;
  return {
    phase: v.phase,
    snapshot: v.snap === null ? null : decodePosition(v.snap),
    afterEntryId: v.after,
    sinceMs: v.since,
    newestEntryMs: v.newest ?? null,
    // After a restart a running backfill reads its next page first.
    backfill:
      v.bf === undefined || v.bf === null ? null : { walk: decodePosition(v.bf), turn: true },
    backfills: v.bfn ?? 0,
  };
}

/** Where a new stream begins: the log from `fromMs` (less the lookback), after a snapshot or not. */
export function initialState(
  start: { snapshot: boolean; fromMs: number },
  lookbackMs: number,
): PeaktmsState {
  return {
    phase: start.snapshot ? 'snapshot' : 'log',
    snapshot: start.snapshot ? { untilMs: start.fromMs, after: null, groupPage: null } : null,
    afterEntryId: null,
    sinceMs: start.fromMs - lookbackMs,
    newestEntryMs: null,
    backfill: null,
    backfills: 0,
  };
}

/** The history-log read that follows `state`. */
export function historyQuery(
  state: PeaktmsState,
): { sinceEntryId: PeaktmsEntryId } | { since: number } {
  return state.afterEntryId === null
    ? { since: state.sinceMs }
    : { sinceEntryId: state.afterEntryId };
}

/** The state after a page of entries was emitted up to `lastEntryId`, the newest at `newestMs`. */
export function afterLogPage(
  state: PeaktmsState,
  lastEntryId: PeaktmsEntryId | undefined,
  newestMs?: number,
): PeaktmsState {
  if (lastEntryId === undefined) return state;
  const newestEntryMs =
    newestMs === undefined
      ? state.newestEntryMs
      : Math.max(state.newestEntryMs ?? newestMs, newestMs);
  return { ...state, afterEntryId: lastEntryId, newestEntryMs };
}

/** A `/query` read of the snapshot: instants as Unix ms (the adapter formats them). */
export interface SnapshotQuery {
  modifiedFromMs: number | undefined;
  modifiedToMs: number;
  page: number;
}

export function snapshotQuery(position: SnapshotPosition): SnapshotQuery {
  if (position.groupPage !== null && position.after !== null) {
    const ms = position.after.modifiedMs;
    return { modifiedFromMs: ms, modifiedToMs: ms + 1, page: position.groupPage };
  }
  return { modifiedFromMs: position.after?.modifiedMs, modifiedToMs: position.untilMs, page: 0 };
}

export interface SnapshotOutcome {
  items: SourceItem[];
  state: PeaktmsState;
  newestChangeMs: number | undefined;
}

/** Orders like the server's `/query` (modified, then id; an id '' is before every id). */
function beyond(modifiedMs: number, id: string, after: SnapshotPosition['after']): boolean {
  if (after === null) return true;
  return modifiedMs > after.modifiedMs || (modifiedMs === after.modifiedMs && id > after.id);
}

/**
 * What one snapshot page means. Records are `snapshot` changes, versioned by (modified, state
 * hash) so a replay gives the same event ids; a record without a readable `modified` is a dead
 * letter (it cannot be placed on the keyset). A short page ends the snapshot (or its
 * millisecond group); a full page that cannot move the keyset switches to the group mode.
 */
export function applySnapshotPage(
  before: PeaktmsState,
  rows: readonly Readonly<Record<string, unknown>>[],
  settings: { instance: string; kind: string; pageSize: number },
): SnapshotOutcome {
  const position = before.snapshot;
  if (position === null) throw new Error('not in the snapshot phase');
  const page = walkPage(position, rows, settings, '');
  const state: PeaktmsState =
    page.next === null
      ? { ...before, phase: 'log', snapshot: null }
      : { ...before, snapshot: page.next };
  return { items: page.items, state, newestChangeMs: page.newestChangeMs };
}

/**
 * One page of a keyset walk over current records (the snapshot's or a backfill's): its items
 * (`versionSuffix` appended to each version) and the position after it, null when the walk is
 * done.
 */
export function walkPage(
  position: SnapshotPosition,
  rows: readonly Readonly<Record<string, unknown>>[],
  settings: { instance: string; kind: string; pageSize: number },
  versionSuffix: string,
): { items: SourceItem[]; next: SnapshotPosition | null; newestChangeMs: number | undefined } {
  const items: SourceItem[] = [];
  let after = position.after;
  let newest: number | undefined;
  for (const row of rows) {
    const id = typeof row['id'] === 'string' ? row['id'] : undefined;
    const modified =
      typeof row['modified'] === 'string' ? tryParseZonedDateTime(row['modified']) : undefined;
    if (id === undefined || modified === undefined) {
      items.push(refused(id, row, 'record without an id or a zoned modified date-time'));
      continue;
    }
    // What an earlier page returned already (the keyset's lower bound is inclusive).
    if (!beyond(modified.epochMs, id, after)) continue;
    after = { modifiedMs: modified.epochMs, id };
    const record = JsonObjectSchema.safeParse(row);
    if (!record.success) {
      items.push(refused(id, row, 'record is not JSON'));
      continue;
    }
    newest = Math.max(newest ?? modified.epochMs, modified.epochMs);
    const change: Change = {
      op: 'snapshot',
      system: 'peaktms',
      instance: settings.instance,
      entityType: settings.kind,
      entityId: id,
      after: record.data,
      changedAt: rfc3339(modified),
      version: `snapshot:${modified.epochMs}:${stateHash(record.data)}${versionSuffix}`,
    };
    items.push({ kind: 'change', change });
  }
  const full = rows.length >= settings.pageSize;
  let next: SnapshotPosition | null;
  if (position.groupPage !== null) {
    // Inside one millisecond: its next page, or past the whole millisecond.
    const ms = position.after?.modifiedMs ?? 0;
    next = full
      ? { ...position, after, groupPage: position.groupPage + 1 }
      : { ...position, after: { modifiedMs: ms + 1, id: '' }, groupPage: null };
  } else if (!full) {
    next = null;
  } else if (after === position.after && after !== null) {
    // A full page and nothing new: more records share this millisecond than a page holds.
    next = { ...position, groupPage: 0 };
  } else {
    next = { ...position, after };
  }
  return { items, next, newestChangeMs: newest };
}

function refused(id: string | undefined, row: unknown, reason: string): SourceItem {
  return {
    kind: 'invalid',
    entityId: id,
    raw: row,
    error: new TidemarkError('EVENT_INVALID', reason, { retryable: false }),
  };
}
