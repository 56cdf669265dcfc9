/**
 * Bearer tokens for the ZeyOS API: OAuth 2.0 (oauth2.json), the deprecated legacy login
 * (auth.json), or a fixed token. Every mode is a `TokenProvider` built on `createTokenCache`
 * from `@tidemark/http`, so concurrent callers share one fetch and tokens are renewed
 * `refreshBeforeMs` before they expire.
 *
 * OAuth rules this module keeps (oauth2.json, POST /token): access tokens live 3600 s; the
 * refresh token is single-use; every new token set invalidates the previous one. So one
 * process holds one token set, a refresh token is sent at most once (it is forgotten before
 * the request leaves), and when it is rejected the password grant starts a new set.
 */
import { z } from 'zod';
import type { Secret } from '@tidemark/config';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import {
  createHttpClient,
  createTokenCache,
  type AccessToken,
  type HttpClient,
  type HttpClientDeps,
  type HttpClientSettings,
  type TokenProvider,
} from '@tidemark/http';
import { silentLogger, type Logger } from '@tidemark/telemetry';
import { toZeyosError, zeyosErrorText } from './errors.js';
import type { ResolvedZeyosAuth } from './settings.js';

/** Legacy tokens last 100 days unless `expdate` says otherwise (auth.json). */
const LEGACY_DEFAULT_LIFETIME_MS = 100 * 24 * 3600 * 1000;
/** OAuth access tokens last one hour (oauth2.json: `expires_in` is always 3600). */
const OAUTH_DEFAULT_LIFETIME_S = 3600;

/** The answer of `POST /oauth2/v1/token` (oauth2.json); unknown members kept. */
export const oauthTokenResponseSchema = z.looseObject({
  token_type: z.string().optional(),
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().optional(),
});

/** The answer of `POST /auth/v1/login` (auth.json; the prose example shows `expdate: null`). */
export const legacyLoginResponseSchema = z.looseObject({
  user: z.number().int().optional(),
  application: z.number().int().nullable().optional(),
  token: z.string().min(1),
  identifier: z.string().optional(),
  expdate: z.number().nullable().optional(),
});

export interface ZeyosTokenProviderDeps {
  logger?: Logger;
  /** Clock of the token cache and of expiry arithmetic. Default `Date.now`. */
  clock?: { now(): number };
  /** One-time password for accounts with 2FA (`otp`), asked for at each login. */
  otp?: () => Promise<string>;
  /** Passed to the HTTP client of the auth endpoints (dispatcher, tracer, sleep, ...). */
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

export interface ZeyosTokenProviderOptions {
  /** `<origin>/<INSTANCE>`: the auth paths (`/oauth2/v1/token`, `/auth/v1/login`) are below it. */
  instanceUrl: string;
  auth: ResolvedZeyosAuth;
  /** Default 60 000 ms. */
  refreshBeforeMs?: number;
  http?: Omit<HttpClientSettings, 'baseUrl'>;
}

/** A token provider that owns an HTTP client for the auth endpoints. */
export interface ZeyosTokenProvider extends TokenProvider {
  close(): Promise<void>;
}

function form(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) params.set(key, value);
  return params.toString();
}

/** The token endpoint refused a grant (as opposed to being unreachable or failing). */
function isRejection(error: unknown): boolean {
  return (
    isTidemarkError(error) &&
    (error.code === 'HTTP_BAD_REQUEST' ||
      error.code === 'HTTP_UNAUTHORIZED' ||
      error.code === 'HTTP_FORBIDDEN')
  );
}

/**
 * Credentials refused at login are HTTP_UNAUTHORIZED for the API caller, whatever status the
 * auth endpoint used (oauth2.json answers a bad password with 403 `invalid_grant`).
 */
function loginFailure(error: unknown, operation: string): TidemarkError {
  const mapped = toZeyosError(error, { operation });
  if (!isRejection(error)) return mapped;
  const text = zeyosErrorText(error);
  return new TidemarkError(
    'HTTP_UNAUTHORIZED',
    `ZeyOS ${operation} refused the credentials${text === undefined ? '' : `: ${text}`}`,
    { retryable: false, cause: error, details: mapped.details },
  );
}

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

function reveal(secret: Secret | undefined): string | undefined {
  return secret?.reveal();
}

/** Creates the token provider of one auth mode. */
export function createZeyosTokenProvider(
  options: ZeyosTokenProviderOptions,
  deps: ZeyosTokenProviderDeps = {},
): ZeyosTokenProvider {
  const { auth } = options;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };

  if (auth.mode === 'token') {
    const token = auth.token;
    return {
      getToken: () => Promise.resolve(token.reveal()),
      // A fixed token cannot be renewed: the next request fails with HTTP_UNAUTHORIZED.
      invalidate: () => undefined,
      close: () => Promise.resolve(),
    };
  }

  const http: HttpClient = createHttpClient(
    { ...options.http, baseUrl: options.instanceUrl },
    { ...deps.http, logger, now: () => clock.now() },
  );
  const otp = async () => (deps.otp === undefined ? undefined : await deps.otp());
  let fetchToken: () => Promise<AccessToken>;

  if (auth.mode === 'oauth2') {
    // The one live refresh token of this process; cleared before it is sent (single-use).
    let refreshToken: string | undefined;

    const grant = async (fields: Record<string, string | undefined>, idempotent: boolean) => {
      const startedAtMs = clock.now();
      const { body } = await http.request({
        method: 'POST',
        path: '/oauth2/v1/token',
        rawBody: form({
          client_id: auth.clientId,
          client_secret: reveal(auth.clientSecret),
          ...fields,
        }),
        headers: formHeaders,
        schema: oauthTokenResponseSchema,
        idempotent,
      });
      refreshToken = body.refresh_token;
      const lifetimeS = body.expires_in ?? OAUTH_DEFAULT_LIFETIME_S;
      return { token: body.access_token, expiresAtMs: startedAtMs + lifetimeS * 1000 };
    };

    fetchToken = async () => {
      const consumed = refreshToken;
      refreshToken = undefined;
      if (consumed !== undefined) {
        try {
          // Not idempotent: a repeat after a lost answer would present a spent token.
          return await grant({ grant_type: 'refresh_token', refresh_token: consumed }, false);
        } catch (error: unknown) {
          if (!isRejection(error)) throw toZeyosError(error, { operation: 'token refresh' });
          logger.info('ZeyOS refresh token rejected; signing in with the password grant', {
            status: isTidemarkError(error) ? error.details['status'] : undefined,
          });
        }
      }
      try {
        // A repeated password grant only revokes the set whose answer was lost: safe to retry.
        return await grant(
          {
            grant_type: 'password',
            username: auth.username,
            password: auth.password.reveal(),
            otp: await otp(),
          },
          true,
        );
      } catch (error: unknown) {
        throw loginFailure(error, 'OAuth password grant');
      }
    };
  } else {
    fetchToken = async () => {
      const startedAtMs = clock.now();
      const expdate =
        auth.tokenLifetimeSeconds === undefined
          ? undefined
          : String(Math.floor(startedAtMs / 1000) + auth.tokenLifetimeSeconds);
      try {
        const { body } = await http.request({
          method: 'POST',
          path: '/auth/v1/login',
          rawBody: form({
            name: auth.username,
            password: auth.password.reveal(),
            identifier: auth.identifier,
            appsecret: reveal(auth.appsecret),
            otp: await otp(),
            expdate,
          }),
          headers: formHeaders,
          schema: legacyLoginResponseSchema,
          // A second login for the same identifier replaces the first token: safe to retry.
          idempotent: true,
        });
        const expiresAtMs =
          typeof body.expdate === 'number'
            ? body.expdate * 1000
            : startedAtMs + LEGACY_DEFAULT_LIFETIME_MS;
        return { token: body.token, expiresAtMs };
      } catch (error: unknown) {
        throw loginFailure(error, 'legacy login');
      }
    };
  }

  const cache = createTokenCache({
    fetchToken: () => fetchToken(),
    refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
    clock,
  });
  return {
    getToken: () => cache.getToken(),
    invalidate: (token) => cache.invalidate(token),
    close: () => http.close(),
  };
}
