import { TidemarkError } from '@tidemark/errors';
import type { Change, JsonObject, System } from '@tidemark/events';
import type { TargetState } from '../core/plan.js';

/**
 * A system the sync writes into: the few operations the sink needs, over that system's typed
 * client. Errors are the clients' TidemarkErrors: retryable ones (429, 5xx, timeouts) are
 * retried by the consumer with the partition waiting; the others dead-letter the event.
 * Version conflicts are HTTP_PRECONDITION_FAILED (ZeyOS 412) or HTTP_CONFLICT (tSM 409).
 */
export interface SyncTarget {
  readonly system: System;
  /**
   * How an archived (soft-deleted) record of `entity` looks, where the system has that (ZeyOS:
   * visibility 1); undefined where it has not.
   */
  archived(entity: string): JsonObject | undefined;
  /** The record with its change time and version, or undefined when it does not exist. */
  read(entity: string, id: string, signal: AbortSignal): Promise<TargetState | undefined>;
  /**
   * The record whose `field` equals `value` (a match on an external reference or code).
   * @throws TidemarkError SYNC_AMBIGUOUS_MATCH when more than one record has that value
   */
  find(
    entity: string,
    field: string,
    value: string,
    signal: AbortSignal,
  ): Promise<TargetState | undefined>;
  /**
   * Creates a record; returns its id and version. `idHint` is a deterministic id for systems
   * whose client may assign ids (tSM): a replayed create then finds the record instead of
   * making a second.
   */
  create(
    entity: string,
    fields: JsonObject,
    idHint: string,
    signal: AbortSignal,
  ): Promise<{ id: string; version: string }>;
  /** Updates a record; returns its new version. */
  update(
    entity: string,
    id: string,
    fields: JsonObject,
    ifVersion: string,
    signal: AbortSignal,
  ): Promise<{ version: string }>;
  delete(entity: string, id: string, ifVersion: string, signal: AbortSignal): Promise<void>;
  /**
   * The record as read, seen as a change the way this system's poller reports one (a ZeyOS
   * record with visibility 2 is a delete): for re-asserting a target that won a conflict.
   */
  asChange(state: TargetState): Pick<Change, 'op' | 'after' | 'changedAt'>;
}

/** Whether an error is the target's "someone changed it since you read it". */
export function isVersionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'HTTP_PRECONDITION_FAILED' || code === 'HTTP_CONFLICT';
}

/** The refusal of a match that names more than one record (`find`, and a link already taken). */
export function ambiguousMatch(message: string, details: Record<string, unknown>): TidemarkError {
  return new TidemarkError('SYNC_AMBIGUOUS_MATCH', message, { details });
}
