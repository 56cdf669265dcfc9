/**
 * The ZeyOS change cursor, pure: what to ask for next and what a page of rows means, with no
 * HTTP. ZeyOS has no change feed; records carry `lastmodified` in whole seconds. The cursor
 * reads on the keyset (lastmodified, ID) and, because many changes share a second and changes
 * may become visible late, re-reads a window below the newest second it has seen, dropping what
 * it already emitted by (ID, state hash).
 *
 * A change's version (and so its event id) is `lastmodified:hash`. A record can return to an
 * earlier state within one second (a status set and set back), which is a new change with the
 * same (lastmodified, hash); the cursor counts the changes it emitted per record and second and
 * appends the count from the second one on (`lastmodified:hash:n`), so distinct changes never
 * share an event id while a replay from a checkpoint reproduces the same ids.
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import type { Change, JsonObject, JsonValue } from '@tidemark/events';
import { IdSet, stateHash, type SourceItem } from '@tidemark/poller';

/** A row as listed, before validation. */
export type RawRow = Record<string, unknown>;

export interface SeenEntry {
  lm: number;
  h: string;
  /** Changes of this record emitted before this one within second `lm`. */
  n: number;
}

export interface ZeyosState {
  /** `snapshot`: walking every record by ID; `incremental`: following lastmodified. */
  phase: 'snapshot' | 'incremental';
  /**
   * Snapshot walk: last ID read, and the second below which it reads (records at or above are
   * the incremental reading's). In phase `snapshot` it runs before incremental reading; in phase
   * `incremental` it is a backfill, taking turns with the incremental reading.
   */
  snapshot: { afterId: number; untilLm: number } | null;
  /** During a backfill: the next poll reads a backfill page (true) or the changes (false). */
  backfillTurn: boolean;
  /**
   * Backfills begun on this stream. A backfill's snapshot versions carry its number
   * (`lastmodified:hash:b<n>`): a record snapshotted again is a new event, not a replay of the
   * earlier one, while a crash-replay of the same backfill gives the same ids.
   */
  backfills: number;
  /** Never read below this second (the start of the stream). */
  floorLm: number;
  /** Newest lastmodified emitted. */
  maxSeenLm: number;
  /** Keyset position inside a read cycle that spans several pages; null between cycles. */
  pos: { lm: number; id: number } | null;
  /** What was emitted at or above the re-read window's lower bound: ID → (lastmodified, hash). */
  seen: Map<number, SeenEntry>;
  /** IDs emitted as live (not deleted): what reconciliation compares the source with. */
  known: IdSet;
  /** When reconciliation last concluded (runtime clock, Unix ms). */
  lastReconcileMs: number;
}

export interface CursorSettings {
  system: 'zeyos';
  instance: string;
  entity: string;
  /** Rows per request. */
  pageSize: number;
  /** Seconds below the newest seen second that every cycle re-reads. */
  lookbackSeconds: number;
}

const encodedSchema = z.object({
  v: z.literal(1),
  phase: z.enum(['snapshot', 'incremental']),
  snapshot: z.tuple([z.number().int(), z.number().int()]).nullable(),
  floor: z.number().int(),
  max: z.number().int(),
  pos: z.tuple([z.number().int(), z.number().int()]).nullable(),
  // [ID, lastmodified, hash] or, from a record's second change within a second on, [..., n].
  seen: z.array(
    z.union([
      z.tuple([z.number().int(), z.number().int(), z.string()]),
      z.tuple([z.number().int(), z.number().int(), z.string(), z.number().int().positive()]),
    ]),
  ),
  known: z.string(),
  rec: z.number(),
  bt: z.boolean().optional(),
  bn: z.number().int().nonnegative().optional(),
});

export function encodeState(state: ZeyosState): JsonValue {
  return {
    v: 1,
    phase: state.phase,
    snapshot: state.snapshot === null ? null : [state.snapshot.afterId, state.snapshot.untilLm],
    floor: state.floorLm,
    max: state.maxSeenLm,
    pos: state.pos === null ? null : [state.pos.lm, state.pos.id],
    seen: [...state.seen].map(([id, entry]) =>
      entry.n === 0 ? [id, entry.lm, entry.h] : [id, entry.lm, entry.h, entry.n],
    ),
    known: state.known.encode(),
    rec: state.lastReconcileMs,
    ...(state.backfillTurn ? { bt: true } : {}),
    ...(state.backfills > 0 ? { bn: state.backfills } : {}),
  };
}

export function decodeState(value: JsonValue): ZeyosState {
  const parsed = encodedSchema.safeParse(value);
  if (!parsed.success) throw new TidemarkError('INPUT_INVALID', 'not a ZeyOS poller state');
  const v = parsed.data;
  return {
    phase: v.phase,
    snapshot: v.snapshot === null ? null : { afterId: v.snapshot[0], untilLm: v.snapshot[1] },
    floorLm: v.floor,
    maxSeenLm: v.max,
    pos: v.pos === null ? null : { lm: v.pos[0], id: v.pos[1] },
    seen: new Map(v.seen.map(([id, lm, h, n]) => [id, { lm, h, n: n ?? 0 }])),
    known: IdSet.decode(v.known),
    lastReconcileMs: v.rec,
    backfillTurn: v.bt ?? false,
    backfills: v.bn ?? 0,
  };
}

export function cloneState(state: ZeyosState): ZeyosState {
  return {
    ...state,
    snapshot: state.snapshot === null ? null : { ...state.snapshot },
    pos: state.pos === null ? null : { ...state.pos },
    seen: new Map(state.seen),
    known: state.known.clone(),
  };
}

export function initialState(
  start: { phase: 'snapshot'; untilLm: number } | { phase: 'incremental'; fromLm: number },
  nowMs: number,
): ZeyosState {
  const floor = start.phase === 'snapshot' ? start.untilLm : start.fromLm;
  return {
    phase: start.phase,
    snapshot: start.phase === 'snapshot' ? { afterId: 0, untilLm: start.untilLm } : null,
    floorLm: floor,
    maxSeenLm: floor,
    pos: null,
    seen: new Map(),
    known: new IdSet(),
    lastReconcileMs: nowMs,
    backfillTurn: false,
    backfills: 0,
  };
}

/**
 * Begins a backfill: every live record once more as a `snapshot` change, read by ID beside the
 * incremental reading. It reads records last modified up to the newest second seen so far; what
 * changes later is the incremental reading's, so a live change always comes after the snapshot
 * read of the same record in the topic. Unchanged when a snapshot or backfill is running.
 */
export function startBackfill(before: ZeyosState): { state: ZeyosState; started: boolean } {
  if (before.snapshot !== null) return { state: before, started: false };
  const state = cloneState(before);
  state.snapshot = { afterId: 0, untilLm: state.maxSeenLm + 1 };
  state.backfillTurn = true;
  state.backfills++;
  return { state, started: true };
}

/** Whether the next page is one of the snapshot walk (start-up snapshot or backfill). */
function walking(state: ZeyosState): boolean {
  if (state.snapshot === null) return false;
  return state.phase === 'snapshot' || (state.pos === null && state.backfillTurn);
}

/** The lower bound of the next read cycle: the re-read window below the newest second. */
export function windowStart(state: ZeyosState, settings: CursorSettings): number {
  return Math.max(state.floorLm, state.maxSeenLm - settings.lookbackSeconds);
}

/** A filter in the JSON-free form the adapter turns into a `where` filter. */
export type PageQuery =
  | { kind: 'snapshot'; afterId: number; untilLm: number }
  | { kind: 'from'; lm: number }
  | { kind: 'after'; lm: number; id: number };

export function nextQuery(state: ZeyosState, settings: CursorSettings): PageQuery {
  if (walking(state) && state.snapshot !== null) {
    return { kind: 'snapshot', ...state.snapshot };
  }
  if (state.pos !== null) return { kind: 'after', lm: state.pos.lm, id: state.pos.id };
  return { kind: 'from', lm: windowStart(state, settings) };
}

export interface PageOutcome {
  items: SourceItem[];
  state: ZeyosState;
  advanced: boolean;
  more: boolean;
  newestChangeMs: number | undefined;
}

/** Validates one row; the issue text names paths, never values. */
export type RowValidator = (row: RawRow) => { ok: true } | { ok: false; error: unknown };

/**
 * What one page of rows means for a state (the state is cloned, never mutated). Snapshot pages
 * give `snapshot` changes (soft-deleted records are skipped: nothing to snapshot); incremental
 * pages give create/update, visibility 2 a delete; rows already emitted with the same hash are
 * dropped; rows failing the schema become dead letters, once per state.
 */
export function applyPage(
  before: ZeyosState,
  rows: readonly RawRow[],
  settings: CursorSettings,
  validate: RowValidator,
): PageOutcome {
  const state = cloneState(before);
  const items: SourceItem[] = [];
  let newest: number | undefined;
  const full = rows.length >= settings.pageSize;

  if (walking(state) && state.snapshot !== null) {
    for (const row of rows) {
      const id = row.ID;
      if (!isId(id)) {
        items.push(invalid(row, undefined, 'row without a valid ID'));
        continue;
      }
      state.snapshot.afterId = Math.max(state.snapshot.afterId, id);
      const lm = row.lastmodified;
      const checked = validate(row);
      if (!checked.ok || !isSecond(lm)) {
        items.push({
          kind: 'invalid',
          entityId: String(id),
          raw: row,
          error: checked.ok ? 'lastmodified is not Unix seconds' : checked.error,
        });
        continue;
      }
      if (row.visibility === 2) continue;
      state.known.add(id);
      newest = Math.max(newest ?? 0, lm * 1000);
      const change = toChange('snapshot', row, id, lm, settings);
      if (state.phase === 'incremental') change.version += `:b${state.backfills}`;
      items.push({ kind: 'change', change });
    }
    if (state.phase === 'incremental') state.backfillTurn = false;
    if (!full) {
      state.phase = 'incremental';
      state.snapshot = null;
      state.pos = null;
    }
    return { items, state, advanced: true, more: true, newestChangeMs: newest };
  }

  const hadPos = state.pos !== null;
  for (const row of rows) {
    const id = row.ID;
    const lm = row.lastmodified;
    if (!isId(id) || !isSecond(lm)) {
      // Without (lastmodified, ID) the row cannot be placed on the cursor; the keyset moves on.
      items.push(
        invalid(row, isId(id) ? String(id) : undefined, 'row without a valid ID or lastmodified'),
      );
      continue;
    }
    state.pos = { lm, id };
    const h = stateHash(row);
    const previous = state.seen.get(id);
    if (previous !== undefined && previous.lm === lm && previous.h === h) continue;
    const n = previous !== undefined && previous.lm === lm ? previous.n + 1 : 0;
    state.seen.set(id, { lm, h, n });
    state.maxSeenLm = Math.max(state.maxSeenLm, lm);
    newest = Math.max(newest ?? 0, lm * 1000);
    const checked = validate(row);
    if (!checked.ok) {
      items.push({ kind: 'invalid', entityId: String(id), raw: row, error: checked.error });
      continue;
    }
    let op: Change['op'];
    if (row.visibility === 2) {
      op = 'delete';
      state.known.delete(id);
    } else {
      op = row.creationdate === lm ? 'create' : 'update';
      state.known.add(id);
    }
    items.push({ kind: 'change', change: toChange(op, row, id, lm, settings, h, n) });
  }
  if (!full) state.pos = null;
  // A backfill takes its turn after each complete incremental cycle.
  const backfilling = state.snapshot !== null;
  if (backfilling && state.pos === null) state.backfillTurn = true;
  // An entry is needed while some read may still return its row: the rest of this cycle (keyset
  // after pos) or a later cycle (from windowStart, which only grows). Pruning inside a cycle too
  // keeps a long catch-up cycle's checkpoint to the window instead of everything read so far.
  const bound =
    state.pos === null
      ? windowStart(state, settings)
      : Math.min(windowStart(state, settings), state.pos.lm);
  let pruned = 0;
  for (const [id, entry] of state.seen) {
    if (entry.lm < bound) {
      state.seen.delete(id);
      pruned++;
    }
  }
  return {
    items,
    state,
    // Whose turn it is need not survive a restart: a flip alone is no reason to commit.
    advanced: items.length > 0 || hadPos || state.pos !== null || pruned > 0,
    more: full || backfilling,
    newestChangeMs: newest,
  };
}

/**
 * Concludes a complete, successful ID scan: every ID known as live but absent from the scan was
 * permanently deleted (IDs are never reused, and a record present throughout the scan is found
 * by the ID keyset). Called only after the scan read every page without error.
 */
export function applyReconciliation(
  before: ZeyosState,
  present: IdSet,
  settings: CursorSettings,
  nowMs: number,
): PageOutcome {
  const state = cloneState(before);
  const items: SourceItem[] = [];
  const changedAt = new Date(nowMs).toISOString();
  for (const id of before.known.values()) {
    if (present.has(id)) continue;
    state.known.delete(id);
    state.seen.delete(id);
    items.push({
      kind: 'change',
      change: {
        op: 'delete',
        system: settings.system,
        instance: settings.instance,
        entityType: settings.entity,
        entityId: String(id),
        after: null,
        changedAt,
        // A permanent delete happens once per ID (never reused): the id is deterministic.
        version: 'purged',
      },
    });
  }
  state.lastReconcileMs = nowMs;
  return { items, state, advanced: true, more: false, newestChangeMs: undefined };
}

function toChange(
  op: Change['op'],
  row: RawRow,
  id: number,
  lm: number,
  settings: CursorSettings,
  hash = stateHash(row),
  occurrence = 0,
): Change {
  return {
    op,
    system: settings.system,
    instance: settings.instance,
    entityType: settings.entity,
    entityId: String(id),
    after: op === 'delete' ? null : (row as JsonObject),
    changedAt: new Date(lm * 1000).toISOString(),
    version: occurrence === 0 ? `${lm}:${hash}` : `${lm}:${hash}:${occurrence}`,
  };
}

function invalid(row: RawRow, entityId: string | undefined, reason: string): SourceItem {
  return {
    kind: 'invalid',
    entityId,
    raw: row,
    error: new TidemarkError('EVENT_INVALID', reason, { retryable: false }),
  };
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isSecond(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
