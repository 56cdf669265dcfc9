/**
 * The one error base of Tidemark. Every failure that crosses a package boundary is a
 * TidemarkError with a code from a closed set and a `retryable` flag; retry loops ask
 * only that flag, never the message text.
 */

/** The closed set of error codes. Add a code here before using it anywhere. */
export const errorCodes = [
  // configuration and input
  'CONFIG_INVALID',
  'INPUT_INVALID',
  // events and their wire format
  'EVENT_INVALID',
  'EVENT_DECODE_FAILED',
  // HTTP towards the source systems
  'HTTP_BAD_REQUEST',
  'HTTP_UNAUTHORIZED',
  'HTTP_FORBIDDEN',
  'HTTP_NOT_FOUND',
  'HTTP_CONFLICT',
  'HTTP_PRECONDITION_FAILED',
  'HTTP_UNPROCESSABLE',
  'HTTP_RATE_LIMITED',
  'HTTP_UNAVAILABLE',
  'HTTP_SERVER_ERROR',
  'HTTP_TIMEOUT',
  'HTTP_NETWORK',
  'HTTP_RESPONSE_INVALID',
  'HTTP_UNEXPECTED_STATUS',
  // Kafka
  'KAFKA_FENCED',
  'KAFKA_TRANSIENT',
  'KAFKA_FATAL',
  // object storage
  'STORAGE_TRANSIENT',
  'STORAGE_FATAL',
  // cross-system sync
  'SYNC_AMBIGUOUS_MATCH',
  // lifecycle
  'ABORTED',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface TidemarkErrorOptions {
  /** Whether trying the same operation again may succeed. */
  retryable?: boolean;
  cause?: unknown;
  /** Small, secret-free facts that help an operator (status code, topic, field). */
  details?: Readonly<Record<string, unknown>>;
  /** For rate limits and unavailability: the wait the other side asked for. */
  retryAfterMs?: number;
}

// A registry symbol rather than `instanceof`: two copies of this package in one
// process (nested node_modules) still recognise each other's errors.
const brand = Symbol.for('tidemark.error');

export class TidemarkError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  readonly retryAfterMs: number | undefined;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: TidemarkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TidemarkError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A JSON-safe view for logs and dead letters; never includes the cause's own fields. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: this.details,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

export function isTidemarkError(value: unknown): value is TidemarkError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** Normalises anything thrown into an Error, so callers can rely on `.message`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}

/** One line for logs: code and message of the error and each cause in turn. */
export function describeError(value: unknown): string {
  const parts: string[] = [];
  let current: unknown = value;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const error = toError(current);
    parts.push(isTidemarkError(error) ? `${error.code}: ${error.message}` : error.message);
    current = error.cause;
  }
  return parts.join(' <- ');
}
