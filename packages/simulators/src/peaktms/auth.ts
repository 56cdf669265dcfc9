import { TokenRegistry, type TokenEntry } from '../core/tokens.js';
import { PeakError } from './errors.js';

/** Session tokens from /login last 15 minutes (the vendor's overview says so). */
export const SESSION_TOKEN_TTL_SECONDS = 900;

export interface PeakTokenPayload {
  user: string;
  /** `session`: from /login; `api`: generated ahead in the application (long-lived). */
  kind: 'session' | 'api';
}

/** A long-lived token generated ahead (the product's "generate a token in the application"). */
export interface ApiTokenSpec {
  /** The token string; default: a random one. */
  token?: string;
  /** Login name it acts as. Default: the demo user. */
  user?: string;
  /** Lifetime from start. Default 365 days; null: never expires. */
  ttlSeconds?: number | null;
}

/** Users with passwords, session and API tokens, on the simulated clock. */
export class PeakAuth {
  readonly tokens: TokenRegistry<PeakTokenPayload>;
  private readonly passwords = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    /** The knob that caps session lifetimes (seconds), null when off. */
    private readonly ttlCapSeconds: () => number | null,
  ) {
    this.tokens = new TokenRegistry(now);
  }

  addUser(name: string, password: string): void {
    this.passwords.set(name, password);
  }

  login(user: string, password: string): TokenEntry<PeakTokenPayload> {
    if (this.passwords.get(user) !== password) throw new PeakError(401, 'Invalid user or password');
    const cap = this.ttlCapSeconds();
    const ttl = Math.min(SESSION_TOKEN_TTL_SECONDS, cap ?? Number.POSITIVE_INFINITY);
    return this.tokens.issue({ user, kind: 'session' }, ttl * 1000);
  }

  addApiToken(spec: ApiTokenSpec, defaultUser: string): TokenEntry<PeakTokenPayload> {
    const ttl = spec.ttlSeconds === undefined ? 365 * 86_400 : spec.ttlSeconds;
    const payload: PeakTokenPayload = { user: spec.user ?? defaultUser, kind: 'api' };
    if (spec.token === undefined)
      return this.tokens.issue(payload, ttl === null ? null : ttl * 1000);
    const entry: TokenEntry<PeakTokenPayload> = {
      token: spec.token,
      payload,
      issuedAtMs: this.now(),
      expiresAtMs: ttl === null ? null : this.now() + ttl * 1000,
    };
    this.tokens.put(entry);
    return entry;
  }

  /** The token's entry, or a 401 (missing, unknown, expired or revoked). */
  authenticate(header: string | undefined): TokenEntry<PeakTokenPayload> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (match === null)
      throw new PeakError(401, 'Full authentication is required', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    const entry = this.tokens.lookup(match[1] as string);
    if (entry === undefined)
      throw new PeakError(401, 'Invalid or expired token', undefined, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    return entry;
  }
}
