/**
 * The pure decision between two attempts: try again, and after how long, or stop.
 */
import { backoffDelayMs } from '@tidemark/errors';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryInput {
  /** Attempts made so far (1 after the first). */
  attempt: number;
  maxAttempts: number;
  /** Whether repeating the request is harmless (GET, PUT, DELETE, or told so). */
  idempotent: boolean;
  failure: { retryable: boolean; mayHaveTakenEffect: boolean; retryAfterMs?: number };
  nowMs: number;
  /** No retry may start at or after this time. */
  deadlineAtMs: number;
  policy: RetryPolicy;
  /** Uniform in [0, 1); injectable so tests are exact. */
  random: () => number;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | {
      retry: false;
      reason: 'not-retryable' | 'not-idempotent' | 'attempts-exhausted' | 'deadline';
    };

/**
 * Decides whether to retry. The delay is the server's Retry-After when it sent one (honoured
 * even above `maxDelayMs`: asking again sooner only earns another refusal), otherwise capped
 * exponential backoff with full jitter. A retry that could not start before the deadline is
 * not attempted.
 */
export function planRetry(input: RetryInput): RetryDecision {
  const { failure } = input;
  if (!failure.retryable) return { retry: false, reason: 'not-retryable' };
  if (failure.mayHaveTakenEffect && !input.idempotent)
    return { retry: false, reason: 'not-idempotent' };
  if (input.attempt >= input.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
  const delayMs = failure.retryAfterMs ?? backoffDelayMs(input.attempt, input.policy, input.random);
  if (input.nowMs + delayMs >= input.deadlineAtMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}
