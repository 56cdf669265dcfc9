import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TokenRegistry, type TokenEntry } from '../core/tokens.js';

/**
 * Authentication of one ZeyOS instance: the legacy token API (auth.json, POST /auth/v1/login)
 * and OAuth 2.0 (oauth2.json, POST /oauth2/v1/token). Both yield bearer tokens for
 * /api/v1. Lifetimes: legacy tokens 100 days unless `expdate` says otherwise; OAuth access
 * tokens 3600 s, refresh tokens 100 days and single-use; issuing an OAuth token set revokes
 * the previous set of the same user and client ("Previous tokens will thereby invalidate").
 */

export const zeyosTokenPayloadSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('legacy'),
    userId: z.number(),
    applicationId: z.number().nullable(),
    identifier: z.string(),
  }),
  z.object({
    kind: z.literal('access'),
    userId: z.number(),
    applicationId: z.number(),
    refreshToken: z.string(),
  }),
  z.object({
    kind: z.literal('refresh'),
    userId: z.number(),
    applicationId: z.number(),
    accessToken: z.string(),
  }),
  z.object({
    kind: z.literal('code'),
    userId: z.number(),
    applicationId: z.number(),
    redirectUri: z.string(),
    codeChallenge: z.string().nullable(),
  }),
]);
export type ZeyosTokenPayload = z.infer<typeof zeyosTokenPayloadSchema>;

export interface ZeyosUser {
  id: number;
  name: string;
  email: string;
  password: string;
  /** 0 active; 1 deactivated and 2 deleted cannot log in. */
  activity: number;
}

export interface ZeyosApplication {
  id: number;
  /** client_id of OAuth 2.0. */
  identifier: string;
  /** client_secret of OAuth 2.0 and appsecret of the legacy login. */
  secret: string;
  name: string;
}

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 8_640_000;
export const LEGACY_TOKEN_TTL_SECONDS = 8_640_000;
const CODE_TTL_SECONDS = 600;

export interface IssuedTokenSet {
  accessToken: string;
  refreshToken: string;
}

export class ZeyosAuth {
  readonly tokens: TokenRegistry<ZeyosTokenPayload>;
  private readonly users = new Map<number, ZeyosUser>();
  private readonly applications = new Map<number, ZeyosApplication>();

  /**
   * `now`: simulated clock (Unix ms). `ttlCapSeconds`: the tokenTtlSeconds knob, read at
   * issue time.
   */
  constructor(
    private readonly now: () => number,
    private readonly ttlCapSeconds: () => number | null,
  ) {
    this.tokens = new TokenRegistry(now);
  }

  addUser(user: ZeyosUser): void {
    this.users.set(user.id, user);
  }

  addApplication(application: ZeyosApplication): void {
    this.applications.set(application.id, application);
  }

  user(id: number): ZeyosUser | undefined {
    return this.users.get(id);
  }

  application(id: number | null): ZeyosApplication | undefined {
    return id === null ? undefined : this.applications.get(id);
  }

  /** By user name or e-mail address, case-insensitively (both are unique that way). */
  findUser(name: string): ZeyosUser | undefined {
    const wanted = name.toLowerCase();
    for (const user of this.users.values()) {
      if (user.name.toLowerCase() === wanted || user.email.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  /** The user of valid credentials, or undefined. */
  checkPassword(name: string, password: string): ZeyosUser | undefined {
    const user = this.findUser(name);
    if (user === undefined || user.activity !== 0) return undefined;
    return user.password === password ? user : undefined;
  }

  applicationBySecret(secret: string): ZeyosApplication | undefined {
    for (const application of this.applications.values()) {
      if (application.secret === secret) return application;
    }
    return undefined;
  }

  /** The client application of valid OAuth client credentials, or undefined. */
  checkClient(clientId: string, clientSecret: string): ZeyosApplication | undefined {
    for (const application of this.applications.values()) {
      if (application.identifier === clientId && application.secret === clientSecret)
        return application;
    }
    return undefined;
  }

  /** The payload of a bearer token usable on /api/v1 (legacy or OAuth access), or undefined. */
  bearer(token: string): Extract<ZeyosTokenPayload, { kind: 'legacy' | 'access' }> | undefined {
    const payload = this.tokens.lookup(token)?.payload;
    if (payload?.kind === 'legacy' || payload?.kind === 'access') return payload;
    return undefined;
  }

  /**
   * Legacy login. A new login of the same user, application and identifier replaces that
   * device's previous token (the identifier is "persistent", one token per device).
   */
  legacyLogin(
    user: ZeyosUser,
    application: ZeyosApplication | undefined,
    identifier: string,
    expdateSeconds: number | null,
  ): TokenEntry<ZeyosTokenPayload> {
    const applicationId = application?.id ?? null;
    this.tokens.revokeWhere(
      (p) =>
        p.kind === 'legacy' &&
        p.userId === user.id &&
        p.applicationId === applicationId &&
        p.identifier === identifier,
    );
    const nowMs = this.now();
    const ttlMs =
      expdateSeconds === null
        ? LEGACY_TOKEN_TTL_SECONDS * 1000
        : Math.max(0, expdateSeconds * 1000 - nowMs);
    return this.tokens.issue(
      { kind: 'legacy', userId: user.id, applicationId, identifier },
      this.capped(ttlMs),
    );
  }

  /** Issues an OAuth token set, revoking the user's previous set for this client. */
  issueOAuth(userId: number, application: ZeyosApplication): IssuedTokenSet {
    this.tokens.revokeWhere(
      (p) =>
        (p.kind === 'access' || p.kind === 'refresh') &&
        p.userId === userId &&
        p.applicationId === application.id,
    );
    const access = this.tokens.issue(
      { kind: 'access', userId, applicationId: application.id, refreshToken: '' },
      this.capped(ACCESS_TOKEN_TTL_SECONDS * 1000),
    );
    const refresh = this.tokens.issue(
      { kind: 'refresh', userId, applicationId: application.id, accessToken: access.token },
      REFRESH_TOKEN_TTL_SECONDS * 1000,
    );
    this.tokens.put({
      ...access,
      payload: {
        kind: 'access',
        userId,
        applicationId: application.id,
        refreshToken: refresh.token,
      },
    });
    return { accessToken: access.token, refreshToken: refresh.token };
  }

  /** Redeems a refresh token (single use); undefined when unknown, used, expired or foreign. */
  redeemRefreshToken(token: string, application: ZeyosApplication): IssuedTokenSet | undefined {
    const payload = this.tokens.lookup(token)?.payload;
    if (payload?.kind !== 'refresh' || payload.applicationId !== application.id) return undefined;
    this.tokens.revoke(token);
    return this.issueOAuth(payload.userId, application);
  }

  /** An authorization code for the code grant (single use, 10 minutes). */
  issueCode(
    userId: number,
    application: ZeyosApplication,
    redirectUri: string,
    codeChallenge: string | null,
  ): string {
    return this.tokens.issue(
      { kind: 'code', userId, applicationId: application.id, redirectUri, codeChallenge },
      CODE_TTL_SECONDS * 1000,
    ).token;
  }

  /** Redeems an authorization code; checks the PKCE verifier when a challenge was given. */
  redeemCode(
    code: string,
    application: ZeyosApplication,
    verifier: string | undefined,
  ): IssuedTokenSet | undefined {
    const payload = this.tokens.lookup(code)?.payload;
    if (payload?.kind !== 'code' || payload.applicationId !== application.id) return undefined;
    this.tokens.revoke(code);
    if (payload.codeChallenge !== null) {
      const computed = createHash('sha256')
        .update(verifier ?? '')
        .digest('base64url');
      if (computed !== payload.codeChallenge) return undefined;
    }
    return this.issueOAuth(payload.userId, application);
  }

  /** RFC 7009: revoking a refresh token also revokes its access token. */
  revoke(token: string, application: ZeyosApplication): void {
    const payload = this.tokens.lookup(token)?.payload;
    if (payload === undefined || payload.kind === 'legacy' || payload.kind === 'code') return;
    if (payload.applicationId !== application.id) return;
    this.tokens.revoke(token);
    if (payload.kind === 'refresh') this.tokens.revoke(payload.accessToken);
  }

  private capped(ttlMs: number): number {
    const cap = this.ttlCapSeconds();
    return cap === null ? ttlMs : Math.min(ttlMs, cap * 1000);
  }
}
