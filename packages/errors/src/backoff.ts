/** Capped exponential backoff with full jitter (AWS architecture blog's "full jitter"). */
export interface BackoffPolicy {
  /** Delay scale of the first retry. Default 200 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 30 000 ms. */
  maxDelayMs?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): a uniform draw in
 * [0, min(max, base · 2^(attempt-1))]. `random` is injectable so tests are exact.
 * A server's Retry-After, when larger, wins.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const base = policy.baseDelayMs ?? 200;
  const max = policy.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, max));
}

/** A sleep that an AbortSignal ends early (resolving, not rejecting: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
