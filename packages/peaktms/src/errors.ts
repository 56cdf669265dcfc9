/**
 * PeakTMS failures as typed errors. The error payload is not public: `@tidemark/http` keeps the
 * server's answer in `details.responseBody` (JSON) / `details.responseText`; this module parses
 * it loosely (Spring-like `{timestamp, status, error, message, path}`, field problems under
 * `details` or `errors`) and names the operation. Code, `retryable` and `retryAfterMs` stay
 * those of the HTTP failure (HTTP_UNAVAILABLE with `retryAfterMs` during maintenance).
 */
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import * as answer from '@tidemark/http';
import { peaktmsErrorBodySchema, type PeaktmsErrorBody } from './schemas.js';

/** One field problem of a 400/422 answer. */
export type PeaktmsFieldError = answer.FieldProblem;

/** What was being done when a request failed. */
export interface PeaktmsOperation {
  operation: string;
  /** The object kind or endpoint (`activities`, `files`, `valuelists`). */
  resource?: string;
  /** The id or name the request was about. */
  key?: string;
}

const brand = Symbol.for('tidemark.peaktms.error');

/**
 * A failed PeakTMS request: a TidemarkError with the HTTP failure's code, `retryable` and
 * `retryAfterMs` (the failure stays as `cause`), with the server's error body parsed.
 */
export class PeaktmsApiError extends TidemarkError {
  readonly operation: string;
  readonly resource: string | undefined;
  readonly key: string | undefined;
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined;
  /** The server's error payload, when it sent a JSON object. */
  readonly body: PeaktmsErrorBody | undefined;
  /** The server's text (`responseText`, cut to 2 KiB), when it sent one. */
  readonly responseText: string | undefined;
  readonly fieldErrors: readonly PeaktmsFieldError[];
  readonly [brand] = true;

  constructor(
    error: TidemarkError,
    op: PeaktmsOperation,
    parsed: {
      status: number | undefined;
      body: PeaktmsErrorBody | undefined;
      responseText: string | undefined;
      fieldErrors: readonly PeaktmsFieldError[];
      message: string;
    },
  ) {
    super(error.code, parsed.message, {
      retryable: error.retryable,
      cause: error,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      details: {
        ...error.details,
        operation: op.operation,
        ...(op.resource === undefined ? {} : { resource: op.resource }),
        ...(op.key === undefined ? {} : { key: op.key }),
        ...(parsed.fieldErrors.length === 0 ? {} : { fieldErrors: parsed.fieldErrors }),
      },
    });
    this.name = 'PeaktmsApiError';
    this.operation = op.operation;
    this.resource = op.resource;
    this.key = op.key;
    this.status = parsed.status;
    this.body = parsed.body;
    this.responseText = parsed.responseText;
    this.fieldErrors = parsed.fieldErrors;
  }
}

/** Whether `value` is a PeaktmsApiError (by brand, so two copies of this package agree). */
export function isPeaktmsApiError(value: unknown): value is PeaktmsApiError {
  return isTidemarkError(value) && (value as unknown as Record<symbol, unknown>)[brand] === true;
}

/**
 * Whether the server is unavailable (503: a maintenance window, or overload) after the
 * retries; `error.retryAfterMs` says how long it asked to wait, when it did.
 */
export function isPeaktmsUnavailable(value: unknown): value is TidemarkError {
  return isTidemarkError(value) && value.code === 'HTTP_UNAVAILABLE';
}

/** The server's error payload of a failure (looked up along the cause chain), if a JSON object. */
export function peaktmsErrorBody(error: unknown): PeaktmsErrorBody | undefined {
  const parsed = peaktmsErrorBodySchema.safeParse(
    answer.answeredFailure(error)?.details['responseBody'],
  );
  return parsed.success ? parsed.data : undefined;
}

/** The server's words: the body's `message`, `error_description`, `error`, else the raw text. */
export function peaktmsErrorText(error: unknown): string | undefined {
  return answer.serverErrorText(error);
}

/** Field problems from `details` or `errors`: `{field, message}` objects or plain strings. */
export function peaktmsFieldErrors(body: PeaktmsErrorBody | undefined): PeaktmsFieldError[] {
  const list = Array.isArray(body?.details)
    ? (body.details as unknown[])
    : Array.isArray(body?.errors)
      ? (body.errors as unknown[])
      : [];
  return answer.fieldProblems(list, {
    field: ['field', 'attribute'],
    message: ['message', 'defaultMessage'],
  });
}

function describe(op: PeaktmsOperation): string {
  const target =
    op.resource === undefined ? '' : ` ${op.resource}${op.key === undefined ? '' : `/${op.key}`}`;
  return `PeakTMS ${op.operation}${target}`;
}

/**
 * Re-throws a failure as a PeaktmsApiError with the same code, `retryable` and `retryAfterMs`.
 * Anything not a TidemarkError is wrapped as INTERNAL. Idempotent on a PeaktmsApiError.
 */
export function toPeaktmsError(error: unknown, op: PeaktmsOperation): TidemarkError {
  if (isPeaktmsApiError(error)) return error;
  if (!isTidemarkError(error))
    return new TidemarkError('INTERNAL', `${describe(op)} failed`, {
      cause: error,
      details: { ...op },
    });
  const body = peaktmsErrorBody(error);
  const rawText = answer.answeredFailure(error)?.details['responseText'];
  const { status, wording } = answer.describeFailure(error, peaktmsErrorText(error));
  return new PeaktmsApiError(error, op, {
    status,
    body,
    responseText: typeof rawText === 'string' ? rawText : undefined,
    fieldErrors: peaktmsFieldErrors(body),
    message: `${describe(op)} ${wording}`,
  });
}
