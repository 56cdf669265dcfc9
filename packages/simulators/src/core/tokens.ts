import { randomBytes } from 'node:crypto';

/**
 * Opaque bearer tokens with an expiry on the simulated clock. Systems attach their own
 * payload (user, client, token kind). Token strings come from node:crypto, not from the seeded
 * generator: they are secrets in the real systems, and nothing should depend on their value.
 */
export interface TokenEntry<P> {
  token: string;
  payload: P;
  issuedAtMs: number;
  /** Simulated Unix ms after which the token is rejected; null never expires. */
  expiresAtMs: number | null;
}

export class TokenRegistry<P> {
  private readonly entries = new Map<string, TokenEntry<P>>();

  /** `now` is the simulated clock (Unix ms). */
  constructor(private readonly now: () => number) {}

  /** A new 40-hex-digit token (the format ZeyOS documents; fine for any opaque token). */
  issue(payload: P, ttlMs: number | null): TokenEntry<P> {
    const issuedAtMs = this.now();
    const entry: TokenEntry<P> = {
      token: randomBytes(20).toString('hex'),
      payload,
      issuedAtMs,
      expiresAtMs: ttlMs === null ? null : issuedAtMs + ttlMs,
    };
    this.entries.set(entry.token, entry);
    return entry;
  }

  /** Stores an entry as given (snapshot restore, fixed tokens in tests). */
  put(entry: TokenEntry<P>): void {
    this.entries.set(entry.token, entry);
  }

  /** The live entry for `token`, or undefined when unknown, revoked or expired. */
  lookup(token: string): TokenEntry<P> | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs !== null && this.now() >= entry.expiresAtMs) return undefined;
    return entry;
  }

  revoke(token: string): boolean {
    return this.entries.delete(token);
  }

  /** Revokes every token whose payload passes `predicate`; returns how many. */
  revokeWhere(predicate: (payload: P) => boolean): number {
    let n = 0;
    for (const [token, entry] of this.entries) {
      if (predicate(entry.payload)) {
        this.entries.delete(token);
        n++;
      }
    }
    return n;
  }

  /** Makes every token (or those passing `predicate`) expired as of now. */
  expireAll(predicate: (payload: P) => boolean = () => true): number {
    const now = this.now();
    let n = 0;
    for (const entry of this.entries.values()) {
      if (predicate(entry.payload)) {
        entry.expiresAtMs = Math.min(entry.expiresAtMs ?? now, now);
        n++;
      }
    }
    return n;
  }

  /** Every entry, expired ones included (for snapshots). */
  all(): TokenEntry<P>[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
  }
}
