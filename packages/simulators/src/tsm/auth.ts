import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TokenRegistry } from '../core/tokens.js';
import { TsmError } from './errors.js';

/**
 * tSM authentication as the simulator models it (the real login endpoint is not public):
 * an OAuth 2.0 token endpoint (`POST /oauth2/token`, Spring Authorization Server's default
 * path) issuing HS256 JWT access tokens with an expiry, plus opaque refresh tokens valid 90
 * days. Scopes carry the permissions: tsm.read, tsm.write, tsm.delete.
 */
export const TSM_SCOPES = ['tsm.read', 'tsm.write', 'tsm.delete'] as const;
export type TsmScope = (typeof TSM_SCOPES)[number];

/** Access-token lifetime unless configured (the guide: "e.g., 15 minutes, 1 hour"). */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 900;
/** Refresh-token lifetime (tSM's wider documentation: 90 days). */
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 86_400;

export interface TsmTokenPayload {
  kind: 'access' | 'refresh';
  /** The subject: a user name, or the client id for client_credentials. */
  user: string;
  clientId: string;
  scopes: TsmScope[];
}

export interface TsmClient {
  id: string;
  secret: string;
  scopes: TsmScope[];
}

export interface TsmUser {
  name: string;
  password: string;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class TsmAuth {
  readonly tokens: TokenRegistry<TsmTokenPayload>;
  private readonly clients = new Map<string, TsmClient>();
  private readonly users = new Map<string, TsmUser>();
  private readonly key: Buffer;

  constructor(
    private readonly now: () => number,
    private readonly accessTtlSeconds: number,
    /** The tokenTtlSeconds knob: caps lifetimes of tokens issued from now on. */
    private readonly ttlCapSeconds: () => number | null,
    private readonly issuer: () => string,
  ) {
    this.tokens = new TokenRegistry(now);
    this.key = randomBytes(32);
  }

  addClient(client: TsmClient): void {
    this.clients.set(client.id, client);
  }

  addUser(user: TsmUser): void {
    this.users.set(user.name, user);
  }

  /**
   * The token endpoint (RFC 6749): grant_type client_credentials (access token only, RFC 6749
   * 4.4.3), password (access and refresh token) and refresh_token (a new access token; the
   * refresh token stays valid until it expires). Client authentication by HTTP Basic or
   * client_id/client_secret parameters.
   */
  grant(
    params: Record<string, string>,
    basic: { id: string; secret: string } | undefined,
  ): TokenAnswer {
    const clientId = basic?.id ?? params.client_id;
    const clientSecret = basic?.secret ?? params.client_secret;
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (
      client === undefined ||
      clientSecret === undefined ||
      !safeEqual(client.secret, clientSecret)
    ) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        headers: { 'WWW-Authenticate': 'Basic realm="tsm"' },
      };
    }
    let scopes: TsmScope[] = client.scopes;
    if (params.scope !== undefined && params.scope.trim() !== '') {
      const asked = params.scope.trim().split(/\s+/);
      const unknown = asked.filter((scope) => !client.scopes.includes(scope as TsmScope));
      if (unknown.length > 0)
        return oauthError(400, 'invalid_scope', `Scope not allowed: ${unknown.join(' ')}`);
      scopes = asked as TsmScope[];
    }
    switch (params.grant_type) {
      case 'client_credentials':
        return { status: 200, body: this.tokenSet(client.id, client.id, scopes, false) };
      case 'password': {
        const user = params.username === undefined ? undefined : this.users.get(params.username);
        if (
          user === undefined ||
          params.password === undefined ||
          !safeEqual(user.password, params.password)
        )
          return oauthError(400, 'invalid_grant', 'Bad credentials');
        return { status: 200, body: this.tokenSet(user.name, client.id, scopes, true) };
      }
      case 'refresh_token': {
        const entry =
          params.refresh_token === undefined ? undefined : this.tokens.lookup(params.refresh_token);
        if (entry?.payload.kind !== 'refresh' || entry.payload.clientId !== client.id)
          return oauthError(400, 'invalid_grant', 'Invalid refresh token');
        const access = this.issueAccess(entry.payload.user, client.id, entry.payload.scopes);
        return {
          status: 200,
          body: { ...access, refresh_token: entry.token },
        };
      }
      case undefined:
        return oauthError(400, 'invalid_request', 'Missing grant_type');
      default:
        return oauthError(
          400,
          'unsupported_grant_type',
          `Unsupported grant_type ${params.grant_type}`,
        );
    }
  }

  private tokenSet(user: string, clientId: string, scopes: TsmScope[], refresh: boolean) {
    const access = this.issueAccess(user, clientId, scopes);
    if (!refresh) return access;
    const refreshTtlMs = this.cappedMs(REFRESH_TOKEN_TTL_SECONDS);
    const entry = this.tokens.issue({ kind: 'refresh', user, clientId, scopes }, refreshTtlMs);
    return { ...access, refresh_token: entry.token, refresh_expires_in: REFRESH_TOKEN_TTL_SECONDS };
  }

  private cappedMs(seconds: number): number {
    const cap = this.ttlCapSeconds();
    return (cap === null ? seconds : Math.min(seconds, cap)) * 1000;
  }

  private issueAccess(user: string, clientId: string, scopes: TsmScope[]) {
    const nowMs = this.now();
    const ttlMs = this.cappedMs(this.accessTtlSeconds);
    const iat = Math.floor(nowMs / 1000);
    const claims = {
      iss: this.issuer(),
      sub: user,
      aud: 'tsm',
      client_id: clientId,
      scope: scopes.join(' '),
      iat,
      exp: Math.floor((nowMs + ttlMs) / 1000),
      jti: randomBytes(12).toString('hex'),
    };
    const token = this.sign(claims);
    this.tokens.put({
      token,
      payload: { kind: 'access', user, clientId, scopes },
      issuedAtMs: nowMs,
      expiresAtMs: nowMs + ttlMs,
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.accessTtlSeconds,
      scope: scopes.join(' '),
    };
  }

  private sign(claims: Record<string, unknown>): string {
    const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = base64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }

  /**
   * The payload of a valid access token, or a 401 TsmError the way Spring Security's resource
   * server words it (RFC 6750 WWW-Authenticate).
   */
  authenticate(authorization: string | undefined): TsmTokenPayload & { token: string } {
    if (authorization === undefined || !/^Bearer\s/i.test(authorization)) {
      throw new TsmError(
        401,
        'Full authentication is required to access this resource',
        undefined,
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    const invalid = (reason: string) =>
      new TsmError(401, reason, undefined, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason}"`,
      });
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('Malformed token');
    const [head, body, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    if (!safeEqual(expected, signature)) throw invalid('Invalid signature');
    const entry = this.tokens.lookup(token);
    if (entry?.payload.kind !== 'access') throw invalid('Jwt expired or revoked');
    return { ...entry.payload, token };
  }
}

function oauthError(status: number, error: string, description: string): TokenAnswer {
  return { status, body: { error, error_description: description } };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The scope an HTTP method of the entity API needs. */
export function scopeFor(method: string): TsmScope {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'tsm.read';
    case 'DELETE':
      return 'tsm.delete';
    default:
      return 'tsm.write';
  }
}
