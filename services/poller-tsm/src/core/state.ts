/**
 * The position of one tSM stream, and its checkpoint form. Pure.
 *
 * Records are read on the keyset (auditInfo.whenEdited, id): whenEdited in Unix ms (the
 * server sends ISO 8601 with milliseconds), ids compared as lowercase strings, which is the
 * order the server sorts UUIDs in.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import type { JsonValue } from '@tidemark/events';

/** What was emitted of one record: its highest version and that version's whenEdited. */
export interface SeenEntry {
  v: number;
  w: number;
}

/**
 * Where a read cycle stands between two pages: inside the ties of `w` after `id`, or (id
 * null) past every record of `w`. Null between cycles.
 */
export interface KeysetPos {
  w: number;
  id: string | null;
}

/** How deletes are found: the /log trail from a sequence number, or ID reconciliation. */
export type DeleteTracking =
  | { mode: 'log'; seq: number }
  | {
      mode: 'reconcile';
      /** Ids emitted as live and not deleted since: what a complete scan is compared with. */
      known: Set<string>;
      /** When reconciliation last concluded (runtime clock, Unix ms). */
      lastMs: number;
    };

export interface TsmState {
  /** `snapshot`: every record with whenEdited < untilMs; `incremental`: changes. */
  phase: 'snapshot' | 'incremental';
  /** Upper bound (exclusive) of the snapshot; null once incremental. */
  untilMs: number | null;
  /** Never read below this instant. */
  floorMs: number;
  /** Newest whenEdited read. */
  maxSeenMs: number;
  pos: KeysetPos | null;
  /** id → what was emitted, for records at or above the re-read window's lower bound. */
  seen: Map<string, SeenEntry>;
  deletes: DeleteTracking;
  /** A backfill taking turns with the incremental reading (see core/backfill.ts); absent: none. */
  backfill?: TsmBackfill;
  /** Backfills begun on this stream (their number is in their events' versions). */
  backfills?: number;
}

/** A backfill's own keyset walk over every record edited before `untilMs`. */
export interface TsmBackfill {
  untilMs: number;
  pos: KeysetPos | null;
  /** The next poll reads a backfill page (true) or the changes (false). */
  turn: boolean;
}

export function cloneState(state: TsmState): TsmState {
  const { backfill } = state;
  return {
    ...state,
    ...(backfill === undefined
      ? {}
      : { backfill: { ...backfill, pos: backfill.pos === null ? null : { ...backfill.pos } } }),
    pos: state.pos === null ? null : { ...state.pos },
    seen: new Map(state.seen),
    deletes:
      state.deletes.mode === 'log'
        ? { ...state.deletes }
        : { ...state.deletes, known: new Set(state.deletes.known) },
  };
}

const int = z.number().int();

const encodedSchema = z.object({
  v: z.literal(1),
  phase: z.enum(['snapshot', 'incremental']),
  until: int.nullable(),
  floor: int,
  max: int,
  pos: z.tuple([int, z.string().nullable()]).nullable(),
  // [id, version, whenEdited − floor]: the offset keeps the numbers short.
  seen: z.array(z.tuple([z.string(), int.nonnegative(), int])),
  log: int.nonnegative().nullable(),
  known: z.string().nullable(),
  rec: int,
  // A running backfill: [untilMs, pos w, pos id, turn]; and how many were begun.
  bf: z.tuple([int, int.nullable(), z.string().nullable(), z.boolean()]).optional(),
  bn: int.nonnegative().optional(),
});

export function encodeState(state: TsmState): JsonValue {
  const { deletes } = state;
  return {
    v: 1,
    phase: state.phase,
    until: state.untilMs,
    floor: state.floorMs,
    max: state.maxSeenMs,
    pos: state.pos === null ? null : [state.pos.w, state.pos.id],
    seen: [...state.seen].map(([id, entry]) => [id, entry.v, entry.w - state.floorMs]),
    log: deletes.mode === 'log' ? deletes.seq : null,
    known: deletes.mode === 'reconcile' ? encodeIds(deletes.known) : null,
    rec: deletes.mode === 'reconcile' ? deletes.lastMs : 0,
    ...(state.backfill === undefined
      ? {}
      : {
          bf: [
            state.backfill.untilMs,
            state.backfill.pos?.w ?? null,
            state.backfill.pos?.id ?? null,
            state.backfill.turn,
          ],
        }),
    ...(state.backfills === undefined ? {} : { bn: state.backfills }),
  };
}

/** @throws TidemarkError INPUT_INVALID for a value that is not a tSM poller state. */
export function decodeState(value: JsonValue): TsmState {
  const parsed = encodedSchema.safeParse(value);
  if (!parsed.success) throw new TidemarkError('INPUT_INVALID', 'not a tSM poller state');
  const s = parsed.data;
  let deletes: DeleteTracking;
  if (s.log !== null) deletes = { mode: 'log', seq: s.log };
  else if (s.known !== null)
    deletes = { mode: 'reconcile', known: decodeIds(s.known), lastMs: s.rec };
  else throw new TidemarkError('INPUT_INVALID', 'tSM poller state without delete tracking');
  return {
    phase: s.phase,
    untilMs: s.until,
    floorMs: s.floor,
    maxSeenMs: s.max,
    pos: s.pos === null ? null : { w: s.pos[0], id: s.pos[1] },
    seen: new Map(s.seen.map(([id, v, dw]) => [id, { v, w: dw + s.floor }])),
    deletes,
    ...(s.bf === undefined
      ? {}
      : {
          backfill: {
            untilMs: s.bf[0],
            pos: s.bf[1] === null ? null : { w: s.bf[1], id: s.bf[2] },
            turn: s.bf[3],
          },
        }),
    ...(s.bn === undefined ? {} : { backfills: s.bn }),
  };
}

/**
 * The known-id set as the checkpoint holds it: sorted ids, newline-separated, deflated,
 * base64. UUIDv7 ids share long prefixes, so they compress well; still, a checkpoint is one
 * Kafka message (at most 16 MiB), which bounds reconciliation to some hundreds of thousands of
 * records per stream.
 */
function encodeIds(ids: ReadonlySet<string>): string {
  return deflateRawSync(Buffer.from([...ids].sort().join('\n')), { level: 6 }).toString('base64');
}

function decodeIds(text: string): Set<string> {
  try {
    const joined = inflateRawSync(Buffer.from(text, 'base64')).toString('utf8');
    return new Set(joined === '' ? [] : joined.split('\n'));
  } catch (error) {
    throw new TidemarkError('INPUT_INVALID', 'not an encoded id set', { cause: error });
  }
}
