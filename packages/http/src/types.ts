/**
 * The public shapes of the HTTP client.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Logger, Tracer } from '@tidemark/telemetry';
import type { TokenProvider } from './token-cache.js';
import type { Query } from './url.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type ResponseType = 'json' | 'text' | 'bytes';

/** Response headers with lower-case names; repeated headers (set-cookie) stay arrays. */
export type ResponseHeaders = Readonly<Record<string, string | string[]>>;

export interface RequestOptions {
  method: HttpMethod;
  /** Relative to the base URL; may carry its own `?query`. */
  path: string;
  query?: Query;
  /** Sent as JSON with `content-type: application/json`. */
  body?: unknown;
  /** Sent as is; set `content-type` in `headers`. Ignored when `body` is given. */
  rawBody?: string | Uint8Array;
  /** Added to the client's default headers; names are case-insensitive. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Parses the decoded body of an expected response. On failure: HTTP_RESPONSE_INVALID (not
   * retryable), with the issues but not the body in `details`. Applied to every expected
   * status, so where 204 or 304 is expected the schema must accept `undefined`.
   */
  schema?: z.ZodType;
  /** Statuses that count as success. Default: any 2xx. */
  expect?: readonly number[];
  /**
   * Whether sending the request twice is harmless. Default true for GET, HEAD, OPTIONS, PUT and
   * DELETE, false for POST and PATCH. Non-idempotent requests are retried only where the server
   * cannot have acted on them (connection refused, 429, 503, 401 with a token refresh).
   */
  idempotent?: boolean;
  /** Aborts the request and any wait between attempts (error code ABORTED). */
  signal?: AbortSignal;
  /**
   * How to decode the body. Default `'json'`: parsed JSON, or `undefined` for an empty body.
   * `'text'`: a UTF-8 string. `'bytes'`: the raw bytes.
   */
  responseType?: ResponseType;
}

export interface HttpResponse<T> {
  status: number;
  headers: ResponseHeaders;
  body: T;
}

export interface HttpClient {
  /** Sends a request whose body is parsed with `schema`. */
  request<S extends z.ZodType>(
    options: RequestOptions & { schema: S },
  ): Promise<HttpResponse<z.output<S>>>;
  /** Sends a request and returns the body as text. */
  request(
    options: RequestOptions & { responseType: 'text'; schema?: undefined },
  ): Promise<HttpResponse<string>>;
  /** Sends a request and returns the body as bytes. */
  request(
    options: RequestOptions & { responseType: 'bytes'; schema?: undefined },
  ): Promise<HttpResponse<Uint8Array>>;
  /** Sends a request and returns the parsed JSON body, unvalidated. */
  request(options: RequestOptions): Promise<HttpResponse<unknown>>;
  /** Closes the connections the client owns; later requests fail with ABORTED. */
  close(): Promise<void>;
}

/** Components of an HTTP client; every one is optional. */
export interface HttpClientDeps {
  /** Source of bearer tokens; without one, no `authorization` header is added. */
  tokenProvider?: TokenProvider;
  /** Receives retry and token-refresh notes. Default: silent. */
  logger?: Logger;
  /** Default: the global tracer `@tidemark/http`. */
  tracer?: Tracer;
  /** Current time in epoch ms, for deadlines and Retry-After dates. Default `Date.now`. */
  now?: () => number;
  /** Waits between attempts; resolves early when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * An undici Dispatcher (Agent, Pool, MockAgent) to send through; the caller then owns its
   * lifecycle. Default: an Agent per client, closed by `close()`.
   */
  dispatcher?: Dispatcher;
}
