import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './body.js';
import type { FaultController, FaultDecision } from './faults.js';
import type { RequestLog } from './request-log.js';
import {
  HttpError,
  jsonResponse,
  normalizePath,
  type HeaderValue,
  type Router,
  type SimRequest,
  type SimResponse,
} from './router.js';

/** Everything under this prefix is the admin API: never faulted, never in the request log. */
export const ADMIN_PREFIX = '/_admin';

/** How a simulated system words the answers the framework produces on its behalf. */
export interface SystemResponses {
  /** An injected 500/503/429. */
  fault(status: 500 | 503 | 429, retryAfterSeconds: number | null): SimResponse;
  notFound(request: SimRequest): SimResponse;
  methodNotAllowed(request: SimRequest, allow: string[]): SimResponse;
  /** An HttpError thrown by a handler. */
  httpError(error: HttpError): SimResponse;
  /** Anything else a handler threw. */
  internalError(error: unknown): SimResponse;
}

export interface SimServerOptions {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** 0 picks a free port. Default 0. */
  port?: number | undefined;
  /** Routes of the simulated system. */
  routes: Router;
  /** Routes of the admin API, with paths starting with ADMIN_PREFIX. */
  adminRoutes: Router;
  faults: FaultController;
  requestLog: RequestLog;
  responses: SystemResponses;
  /** Request bodies beyond this get 413. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Told about handler failures the client only sees as a 500. */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Request headers copied unchanged onto every answer of the simulated system (faults and
   * errors included), e.g. `['x-request-id']`. Default none.
   */
  echoHeaders?: readonly string[] | undefined;
}

export interface SimServer {
  readonly port: number;
  readonly host: string;
  /** http://host:port, without a trailing slash. */
  readonly origin: string;
  /** Stops accepting, drops open connections, ends pending delays. Idempotent. */
  close(): Promise<void>;
}

const TRACE_HEADERS = ['traceparent', 'tracestate', 'x-correlation-id', 'x-request-id'] as const;

/**
 * The HTTP front of every simulator: routing, body limits, fault injection, the request log
 * and the admin API, on plain node:http.
 */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const closing = new AbortController();
  let seq = 0;

  const server: Server = createServer((request, response) => {
    seq += 1;
    handle(seq, request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) response.writeHead(500);
      response.destroy();
    });
  });
  // Keep-alive sockets must not hold close() hostage; benchmarks still reuse connections.
  server.keepAliveTimeout = 5_000;

  async function handle(n: number, request: IncomingMessage, response: ServerResponse) {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const path = normalizePath(url.pathname);
    const isAdmin = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);

    const decision: FaultDecision | null = isAdmin
      ? null
      : options.faults.decide(n, `${method} ${url.pathname}${url.search}`);
    if (decision !== null && decision.delayMs > 0) await delay(decision.delayMs, closing.signal);

    let answer: SimResponse;
    if (decision?.reset === true) {
      request.socket.destroy();
      log(n, request, url, method, 0, started, decision);
      return;
    }
    if (decision !== null && decision.status !== null) {
      answer = options.responses.fault(decision.status, decision.retryAfterSeconds);
      request.resume();
    } else {
      answer = await dispatch(n, request, url, method, path, isAdmin);
    }

    const damage = decision?.body ?? null;
    if (!isAdmin) answer = withEchoedHeaders(answer, request);
    write(response, answer, damage, method);
    if (!isAdmin) log(n, request, url, method, answer.status, started, decision);
  }

  function withEchoedHeaders(answer: SimResponse, request: IncomingMessage): SimResponse {
    const echo = options.echoHeaders ?? [];
    if (echo.length === 0) return answer;
    const headers: Record<string, HeaderValue> = { ...answer.headers };
    for (const name of echo) {
      const value = request.headers[name.toLowerCase()];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) headers[name] = first;
    }
    return { ...answer, headers };
  }

  async function dispatch(
    n: number,
    request: IncomingMessage,
    url: URL,
    method: string,
    path: string,
    isAdmin: boolean,
  ): Promise<SimResponse> {
    const routes = isAdmin ? options.adminRoutes : options.routes;
    const match = routes.match(method, path);
    let bodyPromise: Promise<Buffer> | undefined;
    const simRequest: SimRequest = {
      seq: n,
      method,
      url,
      path,
      params: match.kind === 'found' ? match.params : {},
      headers: request.headers,
      header(name) {
        const value = request.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
      body() {
        bodyPromise ??= readBody(request, maxBodyBytes);
        return bodyPromise;
      },
      raw: request,
    };
    try {
      switch (match.kind) {
        case 'found': {
          const answer = await match.handler(simRequest);
          // Drain what the handler did not read so the connection stays usable.
          if (bodyPromise === undefined) request.resume();
          return answer;
        }
        case 'method-not-allowed':
          request.resume();
          if (isAdmin)
            return jsonResponse(
              405,
              { error: 'method not allowed' },
              { Allow: match.allow.join(', ') },
            );
          return options.responses.methodNotAllowed(simRequest, match.allow);
        case 'not-found':
          request.resume();
          if (isAdmin) return jsonResponse(404, { error: 'not found' });
          return options.responses.notFound(simRequest);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        // The admin API answers JSON everywhere, errors included.
        if (isAdmin) return jsonResponse(error.status, { error: error.text }, error.headers);
        return options.responses.httpError(error);
      }
      options.onError?.(error);
      return options.responses.internalError(error);
    }
  }

  function write(
    response: ServerResponse,
    answer: SimResponse,
    damage: FaultDecision['body'],
    method: string,
  ) {
    const headers: Record<string, HeaderValue> = { ...answer.headers };
    let body =
      answer.body === undefined
        ? undefined
        : typeof answer.body === 'string'
          ? Buffer.from(answer.body, 'utf8')
          : answer.body;
    const damageable =
      damage !== null && answer.status < 400 && body !== undefined && body.length > 1;
    if (damageable && damage === 'malformed' && body !== undefined) {
      body = body.subarray(0, Math.floor(body.length / 2));
    }
    const noBody = answer.status === 204 || answer.status === 304;
    if (!noBody) headers['Content-Length'] = body?.length ?? 0;
    response.writeHead(answer.status, headers as Record<string, string | number | string[]>);
    if (noBody || body === undefined || method === 'HEAD') {
      response.end();
      return;
    }
    if (damageable && damage === 'truncate') {
      // Announce the full length, send half, then drop the connection mid-body.
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
      return;
    }
    response.end(body);
  }

  function log(
    n: number,
    request: IncomingMessage,
    url: URL,
    method: string,
    status: number,
    started: number,
    decision: FaultDecision | null,
  ) {
    const [traceparent, tracestate, correlationId, requestId] = TRACE_HEADERS.map((name) => {
      const value = request.headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? null;
    });
    options.requestLog.add({
      seq: n,
      atMs: Date.now(),
      method,
      url: `${url.pathname}${url.search}`,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      traceparent: traceparent ?? null,
      tracestate: tracestate ?? null,
      correlationId: correlationId ?? null,
      requestId: requestId ?? null,
      fault: decision?.label ?? null,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    port,
    host,
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
