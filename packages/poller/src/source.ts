import type { Change, JsonValue, System } from '@tidemark/events';

/**
 * The change-source port: the one thing each system contributes to the poller runtime. The
 * runtime owns scheduling, checkpoints, the Kafka transaction, dead letters, heartbeats,
 * tracing and metrics; a source only knows how to read its system's changes after a position
 * and what that position is.
 *
 * The position (`S`) is the source's own, opaque to the runtime: a ZeyOS (lastmodified, ID)
 * keyset with the boundary-second set, a tSM (whenEdited, id) keyset with (id, version) dedupe
 * and a /log position, a PeakTMS history entry id. It is written to the checkpoint in the same
 * Kafka transaction as the events read with it, so after a crash the source resumes from
 * exactly what was published.
 */
export interface ChangeSource<S> {
  readonly system: System;
  readonly instance: string;
  /** The entity type (topic and event type segment), e.g. `accounts`. */
  readonly entityType: string;
  /** The position to begin with when the stream has no checkpoint yet. */
  initialState(start: StartMode, context: PollContext): Promise<S>;
  /**
   * Reads what follows `state`: at most one page, so a transaction stays bounded. May mutate
   * `state` (the runtime drops it after a failed transaction and reloads the checkpoint).
   * Throws for source trouble; `retryable` errors are retried after a backoff.
   */
  poll(state: S, context: PollContext): Promise<PollResult<S>>;
  /**
   * Begins a backfill: every record once more as a `snapshot` change, read beside the live
   * changes, which win (they come after the snapshot read of the same record). `started` is
   * false when a snapshot or backfill is running already. A source without it cannot backfill.
   */
  startBackfill?(state: S): { state: S; started: boolean };
  /** The state as JSON for the checkpoint. */
  encodeState(state: S): JsonValue;
  /** The inverse; throws INPUT_INVALID for a value that is not a state of this source. */
  decodeState(value: JsonValue): S;
}

/** Where a stream without a checkpoint begins. */
export type StartMode =
  | { mode: 'now' }
  /** Changes at or after this instant (Unix ms). */
  | { mode: 'timestamp'; atMs: number }
  /** Every record first (op `snapshot`), then the changes since, with no gap. */
  | { mode: 'snapshot' };

export interface PollContext {
  signal: AbortSignal;
  /** The runtime's clock (Unix ms). */
  now(): number;
}

/** One thing a poll found. */
export type SourceItem =
  | { kind: 'change'; change: Change }
  /** A record the source could not turn into a change (fails its schema): dead-lettered. */
  | {
      kind: 'invalid';
      /** Record id when known (becomes the dead letter's key). */
      entityId: string | undefined;
      /** The record as the source sent it. */
      raw: unknown;
      /** Why it was refused. */
      error: unknown;
    };

export interface PollResult<S> {
  items: SourceItem[];
  /** The position after these items. */
  state: S;
  /**
   * Whether the position moved (even without items); a moved position is checkpointed. A
   * result with no items that did not advance is not committed, yet its state is kept for the
   * next poll: it may differ only in what need not survive a restart.
   */
  advanced: boolean;
  /** True when more is ready now (a full page): poll again without waiting. */
  more: boolean;
  /** The newest source change time seen by this poll (Unix ms), for the lag metric. */
  newestChangeMs?: number | undefined;
}
