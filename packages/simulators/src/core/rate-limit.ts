/**
 * A per-key request budget over fixed one-second windows (real time), e.g. "100 requests per
 * second per bearer token". Unlike the `maxRequestsPerSecond` knob, which is one budget for the
 * whole server, each key counts on its own.
 */
export class KeyedRateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  /**
   * `limit` is read on every call, so it can change at run time; null means unlimited.
   * `now` is the real clock (injectable for tests).
   */
  constructor(
    private readonly limit: () => number | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `key`; returns null when within budget, else seconds to wait (≥ 1). */
  take(key: string): number | null {
    const limit = this.limit();
    if (limit === null) return null;
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.startMs >= 1000) {
      if (this.windows.size > 10_000) this.prune(now);
      window = { startMs: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= limit) return null;
    return Math.max(1, Math.ceil((window.startMs + 1000 - now) / 1000));
  }

  clear(): void {
    this.windows.clear();
  }

  private prune(now: number) {
    for (const [key, window] of this.windows) {
      if (now - window.startMs >= 1000) this.windows.delete(key);
    }
  }
}
