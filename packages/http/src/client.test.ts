import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeError, isTidemarkError, type TidemarkError } from '@tidemark/errors';
import {
  createLogger,
  createTestTracing,
  withCorrelationId,
  type TestTracing,
} from '@tidemark/telemetry';
import { createHttpClient } from './client.js';
import { json, startTestServer, type TestHandler, type TestServer } from './test-server.js';
import { createTokenCache } from './token-cache.js';
import type { HttpClient, HttpClientDeps } from './types.js';
import type { HttpClientSettings } from './settings.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

const Contact = z.object({ id: z.number(), name: z.string() });

let server: TestServer | undefined;
let client: HttpClient | undefined;
let tracing: TestTracing | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  await tracing?.shutdown();
  [client, server, tracing] = [undefined, undefined, undefined];
});

/** A fake sleep that records the delays instead of waiting them out. */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  };
  return { delays, sleep };
}

async function setup(
  handler: TestHandler,
  settings: Partial<HttpClientSettings> = {},
  deps: HttpClientDeps = {},
) {
  server = await startTestServer(handler);
  const { delays, sleep } = recordingSleep();
  client = createHttpClient(
    { baseUrl: `${server.baseUrl}/api`, userAgent: 'tidemark-test', ...settings },
    { sleep, random: () => 0.5, ...deps },
  );
  return { server, client, delays };
}

async function rejection(promise: Promise<unknown>): Promise<TidemarkError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (isTidemarkError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('createHttpClient against a real server', () => {
  it('returns the body parsed by the schema', async () => {
    const { client, server } = await setup((_req, res) =>
      json(res, 200, { id: 1, name: 'Ada', extra: true }),
    );
    const response = await client.request({ method: 'GET', path: '/contacts/1', schema: Contact });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: 1, name: 'Ada' });
    expect(response.headers['content-type']).toBe('application/json');
    expect(server.requests[0]?.url).toBe('/api/contacts/1');
    expect(server.requests[0]?.headers['user-agent']).toBe('tidemark-test');
    expect(server.requests[0]?.headers['accept']).toBe('application/json');
  });

  it('fails with HTTP_RESPONSE_INVALID, not retried, when the body does not match', async () => {
    const { client, server } = await setup((_req, res) =>
      json(res, 200, { id: 'leaked-value-42', name: 'x' }),
    );
    const error = await rejection(
      client.request({ method: 'GET', path: '/contacts/1', schema: Contact }),
    );
    expect(error.code).toBe('HTTP_RESPONSE_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({
      method: 'GET',
      path: '/api/contacts/1',
      status: 200,
      issues: [{ path: 'id', code: 'invalid_type' }],
    });
    expect(JSON.stringify(error)).not.toContain('leaked-value-42');
    expect(describeError(error)).not.toContain('leaked-value-42');
    expect(server.requests).toHaveLength(1);
  });

  it('reports invalid JSON without quoting the body', async () => {
    const { client } = await setup((_req, res) => res.writeHead(200).end('{"secret": "abc'));
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_RESPONSE_INVALID');
    expect(describeError(error)).not.toContain('abc');
  });

  it('retries a 500 and returns the 200 that follows, under the same x-request-id', async () => {
    const { client, server, delays } = await setup((_req, res, index) =>
      index === 0 ? json(res, 500, { error: 'boom' }) : json(res, 200, { id: 2, name: 'Bo' }),
    );
    const response = await client.request({ method: 'GET', path: '/contacts/2', schema: Contact });
    expect(response.body.name).toBe('Bo');
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([100]); // full jitter: 0.5 × 200 ms
    const ids = server.requests.map((r) => r.headers['x-request-id']);
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toBe(ids[0]);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    const { client, delays } = await setup((_req, res, index) =>
      index === 0
        ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
        : json(res, 200, {}),
    );
    await client.request({ method: 'GET', path: '/x' });
    expect(delays).toEqual([1000]);
  });

  it('gives up with a retryable HTTP_UNAVAILABLE after maxAttempts 503s and keeps the server text', async () => {
    const { client, server, delays } = await setup(
      (_req, res) => json(res, 503, { message: 'maintenance', until: '12:00' }),
      { maxAttempts: 3 },
    );
    const error = await rejection(
      client.request({ method: 'GET', path: '/x', query: { apiKey: 'q-secret' } }),
    );
    expect(error.code).toBe('HTTP_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(error.details).toMatchObject({
      method: 'GET',
      path: '/api/x',
      status: 503,
      attempts: 3,
      responseText: '{"message":"maintenance","until":"12:00"}',
      responseBody: { message: 'maintenance', until: '12:00' },
    });
    expect(JSON.stringify(error)).not.toContain('q-secret');
  });

  it('gives up at once when Retry-After reaches past the deadline, passing the wait on', async () => {
    const { client, server } = await setup(
      (_req, res) => json(res, 429, {}, { 'retry-after': '600' }),
      { retry: { deadlineMs: 60_000 } },
    );
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(600_000);
    expect(server.requests).toHaveLength(1);
  });

  it('stops retrying at the deadline', async () => {
    let nowMs = 0;
    const { client, server } = await setup(
      (_req, res) => json(res, 500, {}),
      { maxAttempts: 100, retry: { baseDelayMs: 1000, maxDelayMs: 1000, deadlineMs: 3500 } },
      {
        now: () => nowMs,
        sleep: (ms) => {
          nowMs += ms;
          return Promise.resolve();
        },
        random: () => 0.9999,
      },
    );
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    // Retries start at 999, 1998 and 2997 ms; a fourth would start at 3996 ms, past 3500.
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry a 404 and exposes the server error body', async () => {
    const { client, server } = await setup((_req, res) =>
      json(res, 404, { error: 'no such contact' }),
    );
    const error = await rejection(client.request({ method: 'GET', path: '/contacts/9' }));
    expect(error.code).toBe('HTTP_NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(error.details['responseBody']).toEqual({ error: 'no such contact' });
    expect(server.requests).toHaveLength(1);
  });

  it('truncates a long error body to 2 KiB', async () => {
    const { client } = await setup((_req, res) => res.writeHead(400).end('x'.repeat(10_000)));
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_BAD_REQUEST');
    expect(String(error.details['responseText'])).toHaveLength(2049);
    expect(error.details['responseBody']).toBeUndefined();
  });

  it('reads every body to the end, so one connection serves request after request', async () => {
    const { client, server } = await setup(
      (_req, res, index) =>
        index % 2 === 0 ? json(res, 404, { error: 'x'.repeat(5000) }) : json(res, 200, { ok: 1 }),
      { maxConcurrency: 1 },
    );
    for (let i = 0; i < 10; i++) {
      await client.request({ method: 'GET', path: '/x' }).catch(() => undefined);
    }
    expect(server.requests).toHaveLength(10);
    expect(server.connections()).toBe(1);
  });

  it('treats listed statuses as success, e.g. 304', async () => {
    const { client } = await setup((_req, res) => res.writeHead(304).end());
    const response = await client.request({ method: 'GET', path: '/x', expect: [200, 304] });
    expect(response).toMatchObject({ status: 304, body: undefined });
  });

  it('refreshes the token once after a 401 and retries', async () => {
    let fetches = 0;
    const tokenProvider = createTokenCache({
      fetchToken: () => {
        fetches += 1;
        return Promise.resolve({ token: `token-${fetches}`, expiresAtMs: Date.now() + 3_600_000 });
      },
    });
    const { client, server, delays } = await setup(
      (req, res) =>
        req.headers['authorization'] === 'Bearer token-2'
          ? json(res, 200, { ok: true })
          : json(res, 401, {}),
      { maxAttempts: 1 },
      { tokenProvider },
    );
    const response = await client.request({ method: 'POST', path: '/things', body: { a: 1 } });
    expect(response.body).toEqual({ ok: true });
    expect(server.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(fetches).toBe(2);
    expect(delays).toEqual([]);
  });

  it('refreshes only once when the new token is rejected too', async () => {
    let fetches = 0;
    const tokenProvider = createTokenCache({
      fetchToken: () => {
        fetches += 1;
        return Promise.resolve({ token: `token-${fetches}`, expiresAtMs: Date.now() + 3_600_000 });
      },
    });
    const { client, server } = await setup(
      (_req, res) => json(res, 401, {}),
      {},
      { tokenProvider },
    );
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.retryable).toBe(false);
    expect(error.details['attempts']).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(fetches).toBe(2);
  });

  it('never puts the token into errors or logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'debug',
      sink: (line) => lines.push(line),
    });
    const secret = 'sekrit-token-123';
    const tokenProvider = createTokenCache({
      fetchToken: () => Promise.resolve({ token: secret, expiresAtMs: Date.now() + 3_600_000 }),
    });
    const { client } = await setup(
      (_req, res, index) =>
        index < 2 ? json(res, index === 0 ? 500 : 401, {}) : json(res, 403, { error: 'no' }),
      {},
      { tokenProvider, logger },
    );
    const error = await rejection(client.request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('HTTP_FORBIDDEN');
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [error.message, describeError(error), JSON.stringify(error), ...lines]) {
      expect(text).not.toContain(secret);
    }
  });

  it('fails with HTTP_TIMEOUT and retries an idempotent request', async () => {
    const { client, server } = await setup(() => undefined, { timeoutMs: 100, maxAttempts: 2 });
    const error = await rejection(client.request({ method: 'GET', path: '/slow' }));
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a POST after a timeout', async () => {
    const { client, server } = await setup(() => undefined, { timeoutMs: 100, maxAttempts: 3 });
    const error = await rejection(
      client.request({ method: 'POST', path: '/slow', body: { a: 1 } }),
    );
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST after a timeout when told it is idempotent', async () => {
    const { client, server } = await setup(() => undefined, { timeoutMs: 100, maxAttempts: 2 });
    const error = await rejection(
      client.request({ method: 'POST', path: '/slow', idempotent: true }),
    );
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a POST after a 500, which may have been processed', async () => {
    const { client, server } = await setup((_req, res) => json(res, 500, {}));
    const error = await rejection(client.request({ method: 'POST', path: '/x', body: {} }));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST after a refused connection, which never reached a server', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();
    const { delays, sleep } = recordingSleep();
    client = createHttpClient(
      { baseUrl: closed.baseUrl, maxAttempts: 3 },
      { sleep, random: () => 0.5 },
    );
    const error = await rejection(client.request({ method: 'POST', path: '/x', body: {} }));
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.details).toMatchObject({ reason: 'ECONNREFUSED', attempts: 3 });
    expect(delays).toHaveLength(2);
  });

  it('sends well-formed traceparent, x-correlation-id and x-request-id', async () => {
    tracing = createTestTracing();
    const { client, server } = await setup((_req, res) => json(res, 200, {}));
    await tracing.tracer.startActiveSpan('poll', async (span) => {
      await withCorrelationId('corr-7', () => client.request({ method: 'GET', path: '/x' }));
      span.end();
    });
    const headers = server.requests[0]?.headers ?? {};
    const match = TRACEPARENT.exec(String(headers['traceparent']));
    expect(match).not.toBeNull();
    const clientSpan = tracing.finishedSpans().find((span) => span.name === 'GET');
    const pollSpan = tracing
      .finishedSpans()
      .find((span) => span.name === 'poll' && span !== undefined);
    expect(match?.[1]).toBe(clientSpan?.spanContext().traceId);
    expect(match?.[2]).toBe(clientSpan?.spanContext().spanId);
    expect(clientSpan?.parentSpanContext?.spanId).toBe(pollSpan?.spanContext().spanId);
    expect(clientSpan?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/api/x',
      'http.response.status_code': 200,
    });
    expect(headers['x-correlation-id']).toBe('corr-7');
    expect(headers['x-request-id']).toMatch(UUID);
  });

  it('generates a correlation id when none is current', async () => {
    const { client, server } = await setup((_req, res) => json(res, 200, {}));
    await client.request({ method: 'GET', path: '/x' });
    expect(server.requests[0]?.headers['x-correlation-id']).toMatch(UUID);
  });

  it('never has more than maxConcurrency requests in flight', async () => {
    const { client, server } = await setup(
      (_req, res) => setTimeout(() => json(res, 200, {}), 25),
      {
        maxConcurrency: 3,
      },
    );
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.request({ method: 'GET', path: `/x/${i}` })),
    );
    expect(server.requests).toHaveLength(12);
    expect(server.maxInFlight()).toBe(3);
  });

  it('keeps each queued request in its caller trace', async () => {
    tracing = createTestTracing();
    const { client, server } = await setup(
      (_req, res) => setTimeout(() => json(res, 200, {}), 10),
      {
        maxConcurrency: 1,
      },
    );
    const active = tracing;
    const parents = await Promise.all(
      [0, 1, 2].map((i) =>
        active.tracer.startActiveSpan(`caller-${i}`, async (span) => {
          await client.request({ method: 'GET', path: `/x/${i}` });
          span.end();
          return span.spanContext().traceId;
        }),
      ),
    );
    const sent = server.requests.map(
      (r) => TRACEPARENT.exec(String(r.headers['traceparent']))?.[1],
    );
    expect(new Set(sent)).toEqual(new Set(parents));
  });

  it('sends JSON and raw bodies', async () => {
    const { client, server } = await setup((_req, res) => res.writeHead(204).end());
    await client.request({ method: 'PUT', path: '/a', body: { n: 1 } });
    await client.request({
      method: 'POST',
      path: '/b',
      rawBody: 'a,b',
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(server.requests.map((r) => [r.headers['content-type'], r.body])).toEqual([
      ['application/json', '{"n":1}'],
      ['text/csv', 'a,b'],
    ]);
  });

  it('returns text and bytes when asked', async () => {
    const { client } = await setup((_req, res) => res.writeHead(200).end('plain'));
    expect((await client.request({ method: 'GET', path: '/t', responseType: 'text' })).body).toBe(
      'plain',
    );
    const bytes = await client.request({ method: 'GET', path: '/b', responseType: 'bytes' });
    expect(Buffer.from(bytes.body).toString()).toBe('plain');
  });

  it('fails with ABORTED when the caller aborts', async () => {
    const { client } = await setup(() => undefined, { timeoutMs: 5000 });
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', path: '/slow', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(error.code).toBe('ABORTED');
    expect(error.retryable).toBe(false);
  });

  it('refuses requests after close', async () => {
    const { client } = await setup((_req, res) => json(res, 200, {}));
    await client.close();
    expect((await rejection(client.request({ method: 'GET', path: '/x' }))).code).toBe('ABORTED');
  });

  it('rejects invalid settings with CONFIG_INVALID', () => {
    let thrown: unknown;
    try {
      createHttpClient({ baseUrl: 'ftp://nope', maxAttempts: 0 });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(isTidemarkError(thrown) && thrown.code).toBe('CONFIG_INVALID');
  });
});
