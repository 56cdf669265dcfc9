/**
 * A bearer-token cache: refreshes before expiry, invalidates on 401, and never has more than
 * one refresh in flight.
 */

export interface AccessToken {
  token: string;
  /** When the token stops being accepted, in epoch milliseconds. */
  expiresAtMs: number;
}

/** Why a token is being fetched: none yet, the current one is about to expire, or a 401. */
export type TokenFetchReason = 'initial' | 'expiring' | 'invalidated';

/** What the HTTP client needs from a source of bearer tokens. */
export interface TokenProvider {
  /** A token believed valid now. */
  getToken(): Promise<string>;
  /** Reports that the server rejected `token`; a later `getToken()` fetches a new one. */
  invalidate(token: string): void;
}

export interface TokenCacheOptions {
  /** Fetches a new token (login, client-credentials grant, ...). */
  fetchToken: (reason: TokenFetchReason) => Promise<AccessToken>;
  /** Refresh this long before expiry. Default 60 000 ms. */
  refreshBeforeMs?: number;
  /** Default: `Date.now`. */
  clock?: { now(): number };
}

interface Cached {
  token: string;
  refreshAtMs: number;
}

/**
 * Creates a token cache. `getToken()` returns the cached token until `refreshBeforeMs` before
 * its expiry (or half its lifetime, whichever is later, so short-lived tokens are not fetched
 * on every call), then fetches a new one. Concurrent callers share one fetch; a failed fetch
 * rejects all of them and the next call tries again.
 */
export function createTokenCache(options: TokenCacheOptions): TokenProvider {
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  let current: Cached | undefined;
  let invalidated = false;
  let inFlight: Promise<string> | undefined;

  async function refresh(reason: TokenFetchReason): Promise<string> {
    const fetchedAtMs = now();
    const fresh = await options.fetchToken(reason);
    const lifetimeMs = Math.max(0, fresh.expiresAtMs - fetchedAtMs);
    const refreshAtMs = Math.max(fetchedAtMs + lifetimeMs / 2, fresh.expiresAtMs - refreshBeforeMs);
    current = { token: fresh.token, refreshAtMs };
    invalidated = false;
    return fresh.token;
  }

  return {
    getToken(): Promise<string> {
      if (current !== undefined && now() < current.refreshAtMs)
        return Promise.resolve(current.token);
      if (inFlight === undefined) {
        const reason: TokenFetchReason =
          current !== undefined ? 'expiring' : invalidated ? 'invalidated' : 'initial';
        inFlight = refresh(reason).finally(() => {
          inFlight = undefined;
        });
      }
      return inFlight;
    },
    invalidate(token: string): void {
      // Only the current token: a 401 for a token already replaced must not discard the new one.
      if (current?.token !== token) return;
      current = undefined;
      invalidated = true;
    },
  };
}
