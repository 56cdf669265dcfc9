/**
 * The HTTP client: retries with backoff and Retry-After, a concurrency cap, bearer tokens,
 * and trace and correlation headers on every request.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { z } from 'zod';
import { TidemarkError, isTidemarkError, sleep as timerSleep } from '@tidemark/errors';
import {
  CORRELATION_ID_HEADER,
  currentCorrelationId,
  getTracer,
  newCorrelationId,
  silentLogger,
} from '@tidemark/telemetry';
import { runAttempt, type AttemptResult } from './attempt.js';
import { encodeBody } from './body.js';
import type { RequestFacts } from './failures.js';
import { planRetry } from './retry-policy.js';
import { resolveHttpClientSettings, type HttpClientSettings } from './settings.js';
import type { TokenProvider } from './token-cache.js';
import { createTransport } from './transport.js';
import type {
  HttpClient,
  HttpClientDeps,
  HttpMethod,
  HttpResponse,
  RequestOptions,
} from './types.js';
import { buildTarget } from './url.js';

/** Methods retried after a timeout or broken connection unless a request says otherwise. */
export const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
]);

/** One id per logical request, the same on every retry (see README). */
export const REQUEST_ID_HEADER = 'x-request-id';

function lowerCaseKeys(
  headers: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function aborted(facts: RequestFacts, reason: string): TidemarkError {
  return new TidemarkError('ABORTED', `${facts.method} ${facts.path} ${reason}`, {
    details: { ...facts },
  });
}

async function acquireToken(provider: TokenProvider, facts: RequestFacts): Promise<string> {
  try {
    return await provider.getToken();
  } catch (error: unknown) {
    if (isTidemarkError(error)) throw error;
    throw new TidemarkError(
      'HTTP_UNAUTHORIZED',
      `${facts.method} ${facts.path}: could not obtain a token`,
      {
        cause: error,
        details: { ...facts },
      },
    );
  }
}

/**
 * Creates a client for one base URL. Settings are validated (CONFIG_INVALID lists every
 * problem); see `HttpClientSettings` for defaults.
 *
 * Every request gets `user-agent`, `x-correlation-id` (the current one from telemetry, or a new
 * one), `x-request-id` (one UUID per logical request, repeated on retries so a server can
 * tell a retry from a new request), `authorization: Bearer …` when a token provider is given,
 * and `traceparent`/`tracestate` of a CLIENT span opened per attempt.
 */
export function createHttpClient(
  settings: HttpClientSettings,
  deps: HttpClientDeps = {},
): HttpClient {
  const resolved = resolveHttpClientSettings(settings);
  const transport = createTransport({
    connections: resolved.maxConcurrency,
    maxResponseBytes: resolved.maxResponseBytes,
    dispatcher: deps.dispatcher,
  });
  const limit = pLimit(resolved.maxConcurrency);
  const tracer = deps.tracer ?? getTracer('@tidemark/http');
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? timerSleep;
  const random = deps.random ?? Math.random;
  const { tokenProvider } = deps;
  const defaultHeaders = lowerCaseKeys(resolved.defaultHeaders);
  let closed = false;
  let closing: Promise<void> | undefined;

  async function send(options: RequestOptions): Promise<HttpResponse<unknown>> {
    const { method } = options;
    const target = buildTarget(resolved.baseUrl, options.path, options.query);
    const facts = {
      method,
      path: target.path,
      requestId: randomUUID(),
      correlationId: currentCorrelationId() ?? newCorrelationId(),
    };
    if (closed) throw aborted(facts, 'was not sent: the client is closed');
    const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const encoded = encodeBody(options);
    const headers: Record<string, string> = {
      ...defaultHeaders,
      'user-agent': resolved.userAgent,
      ...((options.responseType ?? 'json') === 'json' ? { accept: 'application/json' } : {}),
      ...(encoded.contentType === undefined ? {} : { 'content-type': encoded.contentType }),
      ...lowerCaseKeys(options.headers),
      [CORRELATION_ID_HEADER]: facts.correlationId,
      [REQUEST_ID_HEADER]: facts.requestId,
    };
    const deadlineAtMs = now() + resolved.retry.deadlineMs;
    let attempt = 0;
    let sends = 0;
    let tokenRefreshed = false;

    for (;;) {
      if (options.signal?.aborted === true) throw aborted(facts, 'was aborted');
      attempt += 1;
      const token =
        tokenProvider === undefined ? undefined : await acquireToken(tokenProvider, facts);
      const result: AttemptResult = await limit(() =>
        runAttempt({
          transport,
          tracer,
          facts,
          url: target.url,
          headers,
          body: encoded.body,
          token,
          sendNumber: (sends += 1),
          // An attempt never runs past the deadline.
          timeoutMs: Math.max(1, Math.min(resolved.timeoutMs, deadlineAtMs - now())),
          nowMs: now,
          options,
        }),
      );
      if (result.ok) return { status: result.status, headers: result.headers, body: result.body };

      if (
        result.error.code === 'HTTP_UNAUTHORIZED' &&
        token !== undefined &&
        tokenProvider &&
        !tokenRefreshed
      ) {
        // A 401 means the server did not act; one retry with a fresh token, outside the budget.
        tokenRefreshed = true;
        tokenProvider.invalidate(token);
        attempt -= 1;
        logger.info('HTTP token rejected; fetching a new one', { ...facts });
        continue;
      }
      const decision = planRetry({
        // Counts against maxAttempts; the one retry after a 401 does not.
        attempt,
        maxAttempts: resolved.maxAttempts,
        idempotent,
        failure: result.classification,
        nowMs: now(),
        deadlineAtMs,
        policy: resolved.retry,
        random,
      });
      if (!decision.retry) throw result.error;
      logger.warn('HTTP request failed; retrying', {
        ...facts,
        attempt,
        code: result.error.code,
        status: result.error.details['status'],
        delayMs: decision.delayMs,
      });
      await sleep(decision.delayMs, options.signal);
    }
  }

  function request<S extends z.ZodType>(
    options: RequestOptions & { schema: S },
  ): Promise<HttpResponse<z.output<S>>>;
  function request(
    options: RequestOptions & { responseType: 'text'; schema?: undefined },
  ): Promise<HttpResponse<string>>;
  function request(
    options: RequestOptions & { responseType: 'bytes'; schema?: undefined },
  ): Promise<HttpResponse<Uint8Array>>;
  function request(options: RequestOptions): Promise<HttpResponse<unknown>>;
  function request(options: RequestOptions): Promise<HttpResponse<unknown>> {
    return send(options);
  }

  return {
    request,
    close(): Promise<void> {
      closed = true;
      // Idempotent: shutdown paths tend to close twice, and undici rejects a second close.
      closing ??= transport.close();
      return closing;
    },
  };
}
