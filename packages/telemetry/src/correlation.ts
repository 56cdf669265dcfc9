/**
 * Correlation ids: one id follows a change from the poll that saw it to the write it caused,
 * carried as the `x-correlation-id` HTTP header and the CloudEvent `correlationid` extension.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { TidemarkError } from '@tidemark/errors';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Longest correlation id accepted from outside. */
export const CORRELATION_ID_MAX_LENGTH = 128;

// Letters, digits and `._:-` only: no CR/LF (header injection), no spaces or commas (which
// would split when a proxy folds repeated headers), nothing that needs escaping in logs.
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]+$/;

export interface ResolvedCorrelationId {
  /** The id to use from here on. */
  id: string;
  /** True when the incoming id was valid and is kept. */
  reused: boolean;
  /** Why an incoming value was replaced; never contains the value itself. */
  rejected?: string;
}

/** A fresh random correlation id (a UUID v4). */
export function newCorrelationId(): string {
  return randomUUID();
}

function rejectionReason(value: unknown): string | undefined {
  if (typeof value !== 'string') return Array.isArray(value) ? 'repeated header' : 'not a string';
  if (value.length === 0) return 'empty';
  if (value.length > CORRELATION_ID_MAX_LENGTH) {
    return `longer than ${CORRELATION_ID_MAX_LENGTH} characters`;
  }
  if (!SAFE_CORRELATION_ID.test(value)) return 'characters outside [A-Za-z0-9._:-]';
  return undefined;
}

/** Whether `value` may be used as a correlation id as is. */
export function isValidCorrelationId(value: unknown): value is string {
  return rejectionReason(value) === undefined;
}

/**
 * Decides the correlation id for work that arrived with `incoming` (a header value, an event
 * extension, anything): a valid id is reused; an absent one (`undefined`/`null`) is generated;
 * an unsafe one is replaced by a generated id and `rejected` says why, without echoing it.
 */
export function resolveCorrelationId(incoming: unknown): ResolvedCorrelationId {
  if (incoming === undefined || incoming === null) return { id: newCorrelationId(), reused: false };
  const rejected = rejectionReason(incoming);
  if (rejected === undefined && typeof incoming === 'string') return { id: incoming, reused: true };
  return { id: newCorrelationId(), reused: false, rejected: rejected ?? 'invalid' };
}

// Kept on globalThis under a registry symbol so two copies of this package in one process
// (nested node_modules) still share the current id.
const storageKey = Symbol.for('tidemark.correlation-id');
const globalSlot = globalThis as typeof globalThis & {
  [storageKey]?: AsyncLocalStorage<string>;
};
// AsyncLocalStorage rather than OTel context or baggage: it works whether or not the OTel SDK
// is started, and the id must not leak to third parties the way baggage headers would.
const storage = (globalSlot[storageKey] ??= new AsyncLocalStorage<string>());

/**
 * Runs `fn` with `id` as the current correlation id (visible to `currentCorrelationId()` in
 * everything `fn` starts, across awaits). Throws INPUT_INVALID for an unsafe id: resolve
 * outside input with `resolveCorrelationId` first.
 */
export function withCorrelationId<T>(id: string, fn: () => T): T {
  const rejected = rejectionReason(id);
  if (rejected !== undefined) {
    throw new TidemarkError('INPUT_INVALID', `unsafe correlation id: ${rejected}`);
  }
  return storage.run(id, fn);
}

/** The correlation id of the current async context, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
