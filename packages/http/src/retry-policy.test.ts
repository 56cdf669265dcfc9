import { describe, expect, it } from 'vitest';
import { planRetry, type RetryInput } from './retry-policy.js';

/** mulberry32: a tiny seeded PRNG, so jittered delays are exact in tests. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const base: RetryInput = {
  attempt: 1,
  maxAttempts: 5,
  idempotent: true,
  failure: { retryable: true, mayHaveTakenEffect: true },
  nowMs: 0,
  deadlineAtMs: 120_000,
  policy: { baseDelayMs: 200, maxDelayMs: 30_000 },
  random: () => 0.5,
};

describe('planRetry', () => {
  it.each<[string, Partial<RetryInput>, ReturnType<typeof planRetry>]>([
    ['retryable, idempotent', {}, { retry: true, delayMs: 100 }],
    [
      'not retryable',
      { failure: { retryable: false, mayHaveTakenEffect: false } },
      { retry: false, reason: 'not-retryable' },
    ],
    ['POST after a timeout', { idempotent: false }, { retry: false, reason: 'not-idempotent' }],
    [
      'POST after a refused connection',
      { idempotent: false, failure: { retryable: true, mayHaveTakenEffect: false } },
      { retry: true, delayMs: 100 },
    ],
    ['last attempt', { attempt: 5 }, { retry: false, reason: 'attempts-exhausted' }],
    [
      'Retry-After wins over backoff',
      { failure: { retryable: true, mayHaveTakenEffect: false, retryAfterMs: 1000 } },
      { retry: true, delayMs: 1000 },
    ],
    [
      'Retry-After above maxDelayMs is honoured',
      { failure: { retryable: true, mayHaveTakenEffect: false, retryAfterMs: 45_000 } },
      { retry: true, delayMs: 45_000 },
    ],
    [
      'Retry-After past the deadline',
      {
        nowMs: 100_000,
        failure: { retryable: true, mayHaveTakenEffect: false, retryAfterMs: 30_000 },
      },
      { retry: false, reason: 'deadline' },
    ],
    ['deadline already passed', { nowMs: 120_000 }, { retry: false, reason: 'deadline' }],
  ])('%s', (_name, overrides, expected) => {
    expect(planRetry({ ...base, ...overrides })).toEqual(expected);
  });

  it('draws full-jitter delays under a doubling, capped ceiling', () => {
    const random = seeded(42);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((attempt) => {
      const decision = planRetry({
        ...base,
        attempt,
        maxAttempts: 99,
        deadlineAtMs: Infinity,
        random,
      });
      return decision.retry ? decision.delayMs : -1;
    });
    delays.forEach((delay, index) => {
      const ceiling = Math.min(30_000, 200 * 2 ** index);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    });
    // Same seed, same delays: the policy depends on nothing but its inputs.
    const again = seeded(42);
    const replay = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((attempt) => {
      const decision = planRetry({
        ...base,
        attempt,
        maxAttempts: 99,
        deadlineAtMs: Infinity,
        random: again,
      });
      return decision.retry ? decision.delayMs : -1;
    });
    expect(replay).toEqual(delays);
  });

  it('reaches the cap with a random draw near 1', () => {
    const decision = planRetry({ ...base, attempt: 20, maxAttempts: 99, random: () => 0.999999 });
    expect(decision).toEqual({ retry: true, delayMs: 29_999 });
  });
});
