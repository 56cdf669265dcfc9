/**
 * Pure decisions about a failed attempt: which error code, whether trying again may help, and
 * whether the server may already have acted on the request.
 */
import type { ErrorCode } from '@tidemark/errors';
import { parseRetryAfterMs } from './retry-after.js';

export interface Classification {
  code: ErrorCode;
  /** Whether the same request may succeed later. */
  retryable: boolean;
  /**
   * Whether the server may have acted on the request. When true, only idempotent requests
   * are retried.
   */
  mayHaveTakenEffect: boolean;
  /** The wait the server asked for (429 and 503 only). */
  retryAfterMs?: number;
}

export interface NetworkClassification extends Classification {
  /** A short, secret-free name of what went wrong (an error code or name). */
  reason: string;
}

type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const clientErrors: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: 'HTTP_BAD_REQUEST',
  401: 'HTTP_UNAUTHORIZED',
  403: 'HTTP_FORBIDDEN',
  404: 'HTTP_NOT_FOUND',
  409: 'HTTP_CONFLICT',
  412: 'HTTP_PRECONDITION_FAILED',
  422: 'HTTP_UNPROCESSABLE',
};

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * Classifies a status the caller did not expect. 429 and 503 mean the server declined the
 * request without acting on it, so they are safe to retry even for POST; other 5xx may have
 * been partly processed.
 * @param headers response headers with lower-case names.
 * @param nowMs current time, for a Retry-After HTTP-date. Default `Date.now()`.
 */
export function classifyResponse(
  status: number,
  headers: ResponseHeaders,
  nowMs: number = Date.now(),
): Classification {
  const known = clientErrors[status];
  if (known !== undefined) return { code: known, retryable: false, mayHaveTakenEffect: false };
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfterMs(header(headers, 'retry-after'), nowMs);
    return {
      code: status === 429 ? 'HTTP_RATE_LIMITED' : 'HTTP_UNAVAILABLE',
      retryable: true,
      mayHaveTakenEffect: false,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status === 502 || status === 504)
    return { code: 'HTTP_UNAVAILABLE', retryable: true, mayHaveTakenEffect: true };
  if (status >= 500 && status <= 599)
    return { code: 'HTTP_SERVER_ERROR', retryable: true, mayHaveTakenEffect: true };
  return { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false };
}

// Failures before a byte of the request left: retrying cannot cause a duplicate.
const notSent = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// Failures after the request may have been sent: the server may have acted on it.
const timeouts = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const broken = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
// Our own mistakes: a bad header value, an unsupported option. Retrying repeats them.
const invalid = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_CHAR',
]);
// The dispatcher was closed or the request aborted on purpose.
const aborted = new Set(['UND_ERR_ABORTED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** Error codes and names along the cause chain (and inside an AggregateError), nearest first. */
function identifiers(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = stringField(current, 'code');
    if (code !== undefined) found.push(code);
    const name = stringField(current, 'name');
    if (name !== undefined) found.push(name);
    if (current instanceof AggregateError) found.push(...current.errors.flatMap(identifiers));
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/**
 * Classifies an error thrown while sending a request or reading its response (undici errors,
 * Node socket errors, AbortSignal reasons).
 */
export function classifyNetworkError(error: unknown): NetworkClassification {
  const ids = identifiers(error);
  const has = (set: ReadonlySet<string>) => ids.find((id) => set.has(id));
  let match: string | undefined;
  if ((match = has(invalid)) !== undefined) {
    return { code: 'INPUT_INVALID', retryable: false, mayHaveTakenEffect: false, reason: match };
  }
  if (ids.includes('TimeoutError')) {
    return {
      code: 'HTTP_TIMEOUT',
      retryable: true,
      mayHaveTakenEffect: true,
      reason: 'TimeoutError',
    };
  }
  if ((match = has(timeouts)) !== undefined) {
    return { code: 'HTTP_TIMEOUT', retryable: true, mayHaveTakenEffect: true, reason: match };
  }
  if (ids.includes('UND_ERR_CONNECT_TIMEOUT')) {
    return {
      code: 'HTTP_TIMEOUT',
      retryable: true,
      mayHaveTakenEffect: false,
      reason: 'UND_ERR_CONNECT_TIMEOUT',
    };
  }
  if ((match = has(notSent)) !== undefined) {
    return { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: false, reason: match };
  }
  if ((match = has(broken)) !== undefined) {
    return { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: true, reason: match };
  }
  if ((match = has(aborted)) !== undefined || ids.includes('AbortError')) {
    return {
      code: 'ABORTED',
      retryable: false,
      mayHaveTakenEffect: true,
      reason: match ?? 'AbortError',
    };
  }
  // Unknown failures count as network trouble that may have reached the server: retried only
  // when idempotent, and bounded by maxAttempts either way.
  return {
    code: 'HTTP_NETWORK',
    retryable: true,
    mayHaveTakenEffect: true,
    reason: ids[0] ?? 'unknown',
  };
}
