/**
 * Tokens for the PeakTMS API. The overview names three ways to a bearer token: one generated
 * in the application (with an expiry), `/login` with user and password (a 15-minute session
 * token) and an external identity provider's token. `login` mode posts the credentials as
 * JSON (the request and answer are not public; the member names are configurable and the
 * answer is read tolerantly) through `createTokenCache`: logged in again `refreshBeforeMs`
 * before the token ends, after a 401, one login in flight. `token` mode sends a given token.
 */
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
import { peaktmsErrorText, toPeaktmsError } from './errors.js';
import { peaktmsLoginResponseSchema, type PeaktmsLoginResponse } from './schemas.js';
import type { ResolvedPeaktmsAuth } from './settings.js';
import { tryParseZonedDateTime } from './zoned.js';

export interface PeaktmsTokenProviderDeps {
  logger?: Logger;
  /** Clock of the token cache and of expiry arithmetic. Default `Date.now`. */
  clock?: { now(): number };
  /** Passed to the HTTP client of `/login` (dispatcher, tracer, sleep, random). */
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

export interface PeaktmsTokenProviderOptions {
  /** The API root (`https://host/tms_rest`); `auth.loginPath` is below it. */
  apiUrl: string;
  auth: ResolvedPeaktmsAuth;
  /** Default 60 000 ms. */
  refreshBeforeMs?: number;
  http?: Omit<HttpClientSettings, 'baseUrl'>;
}

/** A token provider that may own an HTTP client for `/login`. */
export interface PeaktmsTokenProvider extends TokenProvider {
  close(): Promise<void>;
}

/** An expiry given as epoch ms, epoch seconds or a (zoned) date-time; `undefined` if unreadable. */
function expiresAtOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value))
    // Before 10^11 it must be seconds (10^11 ms is 1973).
    return value < 1e11 ? value * 1000 : value;
  if (typeof value !== 'string') return undefined;
  const zoned = tryParseZonedDateTime(value);
  if (zoned !== undefined) return zoned.epochMs;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * When a login answer's token ends: `expiresIn` counted from when the request started (early
 * rather than late), else `expiresAt`, else the default lifetime.
 */
export function loginExpiresAtMs(
  answer: PeaktmsLoginResponse,
  startedAtMs: number,
  defaultLifetimeSeconds: number,
): number {
  if (answer.expiresIn !== undefined) return startedAtMs + answer.expiresIn * 1000;
  return expiresAtOf(answer.expiresAt) ?? startedAtMs + defaultLifetimeSeconds * 1000;
}

/** A login answer: JSON in one of the accepted shapes, or the bare token as text. */
export function readLoginAnswer(text: string): PeaktmsLoginResponse | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed) as unknown;
  } catch {
    // Not JSON: a bare token (no spaces) is accepted as the whole answer.
    return /^[^\s"{}[\]]+$/.test(trimmed) ? { token: trimmed } : undefined;
  }
  if (typeof value === 'string' && value !== '') return { token: value };
  const parsed = peaktmsLoginResponseSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Refused credentials are HTTP_UNAUTHORIZED for the caller, whatever status was used. */
function loginFailure(error: unknown): TidemarkError {
  const mapped = toPeaktmsError(error, { operation: 'login' });
  const refused =
    isTidemarkError(error) &&
    (error.code === 'HTTP_BAD_REQUEST' ||
      error.code === 'HTTP_UNAUTHORIZED' ||
      error.code === 'HTTP_FORBIDDEN');
  if (!refused) return mapped;
  const text = peaktmsErrorText(error);
  return new TidemarkError(
    'HTTP_UNAUTHORIZED',
    `PeakTMS login refused${text === undefined ? '' : `: ${text}`}`,
    { retryable: false, cause: mapped, details: mapped.details },
  );
}

/** Creates the token provider of the `login` or `token` mode. */
export function createPeaktmsTokenProvider(
  options: PeaktmsTokenProviderOptions,
  deps: PeaktmsTokenProviderDeps = {},
): PeaktmsTokenProvider {
  const { auth } = options;
  if (auth.mode === 'token') {
    const token = auth.token;
    return {
      getToken: () => Promise.resolve(token.reveal()),
      // A given token cannot be renewed: the request's second 401 is final.
      invalidate: () => undefined,
      close: () => Promise.resolve(),
    };
  }
  const login = auth;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };
  const http: HttpClient = createHttpClient(
    { ...options.http, baseUrl: options.apiUrl },
    { ...deps.http, logger, now: () => clock.now() },
  );

  async function fetchToken(): Promise<AccessToken> {
    const startedAtMs = clock.now();
    let text: string;
    try {
      ({ body: text } = await http.request({
        method: 'POST',
        path: login.loginPath,
        body: { [login.userField]: login.user, [login.passwordField]: login.password.reveal() },
        responseType: 'text',
        // Logging in twice only issues another session: safe to repeat.
        idempotent: true,
      }));
    } catch (error: unknown) {
      throw loginFailure(error);
    }
    const answer = readLoginAnswer(text);
    if (answer === undefined)
      throw new TidemarkError('HTTP_RESPONSE_INVALID', 'PeakTMS login answered without a token', {
        retryable: false,
        details: { operation: 'login' },
      });
    const expiresAtMs = loginExpiresAtMs(answer, startedAtMs, login.defaultLifetimeSeconds);
    logger.debug('PeakTMS session token issued', { expiresInMs: expiresAtMs - startedAtMs });
    return { token: answer.token, expiresAtMs };
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
