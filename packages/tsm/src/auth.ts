/**
 * Credentials for the tSM API. tSM uses JWT bearer tokens (the guide); its login endpoint is not
 * public, so the default is a standard OAuth 2.0 token endpoint (RFC 6749): a
 * `client_credentials` or `password` grant first, then `refresh_token` grants while the server
 * hands out refresh tokens (tSM's are valid 90 days). A token's lifetime comes from
 * `expires_in`, else the JWT's `exp` claim, else a configured default. All through
 * `createTokenCache`: refreshed `refreshBeforeMs` before expiry, one fetch in flight.
 * A static token and an API key mode need no endpoint.
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
import { toTsmError, tsmErrorText } from './errors.js';
import type { ResolvedTsmAuth } from './settings.js';

/** The token endpoint's answer (RFC 6749 5.1); unknown members kept. */
export const tsmTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

const jwtClaimsSchema = z.looseObject({ exp: z.number().optional() });

/**
 * The expiry of a JWT from its `exp` claim (seconds since the epoch), in epoch ms; `undefined`
 * when the token is not a JWT or has no numeric `exp`. The signature is not checked: the
 * server does that, this only schedules the refresh.
 */
export function jwtExpiresAtMs(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const claims = jwtClaimsSchema.safeParse(
      JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
    );
    const exp = claims.success ? claims.data.exp : undefined;
    return exp === undefined || !Number.isFinite(exp) ? undefined : exp * 1000;
  } catch {
    // Not JSON: an opaque token.
    return undefined;
  }
}

/**
 * When an issued token expires: `expires_in` counted from when the request started (a slow
 * answer makes the estimate early, never late), else the JWT `exp`, else the default.
 */
export function tokenExpiresAtMs(
  answer: { access_token: string; expires_in?: number | undefined },
  startedAtMs: number,
  defaultLifetimeSeconds: number,
): number {
  if (answer.expires_in !== undefined) return startedAtMs + answer.expires_in * 1000;
  return jwtExpiresAtMs(answer.access_token) ?? startedAtMs + defaultLifetimeSeconds * 1000;
}

export interface TsmTokenProviderDeps {
  logger?: Logger;
  /** Clock of the token cache and of expiry arithmetic. Default `Date.now`. */
  clock?: { now(): number };
  /** Passed to the HTTP client of the token endpoint (dispatcher, tracer, sleep, ...). */
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

export interface TsmTokenProviderOptions {
  /** The server's origin; the token path is below it unless `auth.tokenUrl` is set. */
  baseUrl: string;
  auth: ResolvedTsmAuth & { mode: 'oauth2' | 'token' };
  /** Default 60 000 ms. */
  refreshBeforeMs?: number;
  http?: Omit<HttpClientSettings, 'baseUrl'>;
}

/** A token provider that may own an HTTP client for the token endpoint. */
export interface TsmTokenProvider extends TokenProvider {
  close(): Promise<void>;
}

function form(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) params.set(key, value);
  return params.toString();
}

/** The endpoint refused the grant (as opposed to being unreachable or failing). */
function isRejection(error: unknown): boolean {
  return (
    isTidemarkError(error) &&
    (error.code === 'HTTP_BAD_REQUEST' ||
      error.code === 'HTTP_UNAUTHORIZED' ||
      error.code === 'HTTP_FORBIDDEN')
  );
}

/** Credentials refused are HTTP_UNAUTHORIZED for the API caller, whatever status was used. */
function grantFailure(error: unknown, grant: string): TidemarkError {
  const mapped = toTsmError(error, { operation: `token (${grant} grant)` });
  if (!isRejection(error)) return mapped;
  const text = tsmErrorText(error);
  return new TidemarkError(
    'HTTP_UNAUTHORIZED',
    `tSM token endpoint refused the ${grant} grant${text === undefined ? '' : `: ${text}`}`,
    { retryable: false, cause: error, details: mapped.details },
  );
}

/** RFC 6749 2.3.1: client id and secret form-urlencoded, then Basic. */
function basicAuthorization(clientId: string, secret: Secret | undefined): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  const pair = `${encode(clientId)}:${encode(secret?.reveal() ?? '')}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

type OAuthSettings = Extract<ResolvedTsmAuth, { mode: 'oauth2' }>;

/** Splits an absolute token URL into a base URL and path for `@tidemark/http`. */
function endpoint(options: { baseUrl: string; auth: OAuthSettings }) {
  if (options.auth.tokenUrl === undefined)
    return { baseUrl: options.baseUrl, path: options.auth.tokenPath };
  const url = new URL(options.auth.tokenUrl);
  return { baseUrl: url.origin, path: `${url.pathname}${url.search}` };
}

/** Creates the token provider of the `oauth2` or `token` mode. */
export function createTsmTokenProvider(
  options: TsmTokenProviderOptions,
  deps: TsmTokenProviderDeps = {},
): TsmTokenProvider {
  const { auth } = options;
  if (auth.mode === 'token') {
    const token = auth.token;
    return {
      getToken: () => Promise.resolve(token.reveal()),
      // A fixed token cannot be renewed: the request's second 401 is final.
      invalidate: () => undefined,
      close: () => Promise.resolve(),
    };
  }

  // Narrowed once: closures below keep the oauth2 type.
  const oauth: OAuthSettings = auth;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };
  const target = endpoint({ ...options, auth: oauth });
  const http: HttpClient = createHttpClient(
    { ...options.http, baseUrl: target.baseUrl },
    { ...deps.http, logger, now: () => clock.now() },
  );
  // The last refresh token handed out; replaced when the server rotates it.
  let refreshToken: string | undefined;

  const clientFields =
    oauth.clientAuthentication === 'body'
      ? { client_id: oauth.clientId, client_secret: oauth.clientSecret?.reveal() }
      : {};
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...(oauth.clientAuthentication === 'basic'
      ? { authorization: basicAuthorization(oauth.clientId, oauth.clientSecret) }
      : {}),
  };

  async function grant(
    fields: Record<string, string | undefined>,
    idempotent: boolean,
  ): Promise<AccessToken> {
    const startedAtMs = clock.now();
    const { body } = await http.request({
      method: 'POST',
      path: target.path,
      rawBody: form({ ...fields, ...clientFields, scope: oauth.scope }),
      headers,
      schema: tsmTokenResponseSchema,
      idempotent,
    });
    // Keep the old refresh token unless a new one came (non-rotating servers omit it).
    if (body.refresh_token !== undefined) refreshToken = body.refresh_token;
    return {
      token: body.access_token,
      expiresAtMs: tokenExpiresAtMs(body, startedAtMs, oauth.defaultLifetimeSeconds),
    };
  }

  async function firstGrant(): Promise<AccessToken> {
    try {
      // Asking again only issues another token: safe to retry.
      return await grant(
        oauth.grant === 'password'
          ? {
              grant_type: 'password',
              username: oauth.username,
              password: oauth.password?.reveal(),
            }
          : { grant_type: 'client_credentials' },
        true,
      );
    } catch (error: unknown) {
      throw grantFailure(error, oauth.grant);
    }
  }

  async function fetchToken(): Promise<AccessToken> {
    const current = refreshToken;
    if (current !== undefined) {
      try {
        // Not retried once it may have reached the server: a rotating server may have spent it.
        return await grant({ grant_type: 'refresh_token', refresh_token: current }, false);
      } catch (error: unknown) {
        if (!isRejection(error)) throw grantFailure(error, 'refresh_token');
        if (refreshToken === current) refreshToken = undefined;
        logger.info('tSM refresh token rejected; requesting a new token', {
          status: isTidemarkError(error) ? error.details['status'] : undefined,
          grant: oauth.grant,
        });
      }
    }
    return firstGrant();
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
