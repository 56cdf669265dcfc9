import { describe, expect, it } from 'vitest';
import { createTokenCache, type AccessToken, type TokenFetchReason } from './token-cache.js';

function setup(lifetimeMs = 3_600_000, refreshBeforeMs?: number) {
  let nowMs = 1_000_000;
  const reasons: TokenFetchReason[] = [];
  const pending: ((token: AccessToken) => void)[] = [];
  let manual = false;
  const cache = createTokenCache({
    clock: { now: () => nowMs },
    refreshBeforeMs,
    fetchToken: (reason) => {
      reasons.push(reason);
      const token = { token: `token-${reasons.length}`, expiresAtMs: nowMs + lifetimeMs };
      if (!manual) return Promise.resolve(token);
      return new Promise((resolve) => pending.push(() => resolve(token)));
    },
  });
  return {
    cache,
    reasons,
    advance: (ms: number) => (nowMs += ms),
    holdFetches: () => (manual = true),
    release: () => pending.splice(0).forEach((resolve) => resolve({ token: '', expiresAtMs: 0 })),
  };
}

describe('createTokenCache', () => {
  it('fetches once and reuses the token', async () => {
    const { cache, reasons } = setup();
    expect(await cache.getToken()).toBe('token-1');
    expect(await cache.getToken()).toBe('token-1');
    expect(reasons).toEqual(['initial']);
  });

  it('has at most one fetch in flight; concurrent callers share it', async () => {
    const { cache, reasons, holdFetches, release } = setup();
    holdFetches();
    const waiting = Promise.all([cache.getToken(), cache.getToken(), cache.getToken()]);
    await Promise.resolve();
    expect(reasons).toHaveLength(1);
    release();
    expect(await waiting).toEqual(['token-1', 'token-1', 'token-1']);
  });

  it('refreshes refreshBeforeMs before expiry, not earlier', async () => {
    const { cache, reasons, advance } = setup(3_600_000, 60_000);
    await cache.getToken();
    advance(3_600_000 - 60_001);
    expect(await cache.getToken()).toBe('token-1');
    advance(1);
    expect(await cache.getToken()).toBe('token-2');
    expect(reasons).toEqual(['initial', 'expiring']);
  });

  it('keeps a short-lived token for half its lifetime instead of fetching on every call', async () => {
    const { cache, reasons, advance } = setup(30_000, 60_000);
    await cache.getToken();
    advance(14_999);
    expect(await cache.getToken()).toBe('token-1');
    advance(1);
    expect(await cache.getToken()).toBe('token-2');
    expect(reasons).toEqual(['initial', 'expiring']);
  });

  it('invalidates the current token after a 401', async () => {
    const { cache, reasons } = setup();
    const first = await cache.getToken();
    cache.invalidate(first);
    expect(await cache.getToken()).toBe('token-2');
    expect(reasons).toEqual(['initial', 'invalidated']);
  });

  it('ignores a 401 for a token that was already replaced', async () => {
    const { cache, reasons } = setup();
    const first = await cache.getToken();
    cache.invalidate(first);
    const second = await cache.getToken();
    cache.invalidate(first); // a late 401 from a request that still carried the old token
    expect(await cache.getToken()).toBe(second);
    expect(reasons).toEqual(['initial', 'invalidated']);
  });

  it('shares one refresh when many requests see a 401 at once', async () => {
    const { cache, reasons } = setup();
    const first = await cache.getToken();
    const results = await Promise.all(
      [1, 2, 3].map(async () => {
        cache.invalidate(first);
        return cache.getToken();
      }),
    );
    expect(results).toEqual(['token-2', 'token-2', 'token-2']);
    expect(reasons).toEqual(['initial', 'invalidated']);
  });

  it('rejects every waiter when the fetch fails, and tries again on the next call', async () => {
    let calls = 0;
    const cache = createTokenCache({
      fetchToken: () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new Error('auth server down'))
          : Promise.resolve({ token: 'ok', expiresAtMs: Date.now() + 3_600_000 });
      },
    });
    const results = await Promise.allSettled([cache.getToken(), cache.getToken()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await cache.getToken()).toBe('ok');
    expect(calls).toBe(2);
  });
});
