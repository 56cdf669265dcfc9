/**
 * tSM failures as typed errors. `@tidemark/http` gives every failed status its code
 * (HTTP_BAD_REQUEST … HTTP_UNPROCESSABLE, HTTP_RATE_LIMITED with `retryAfterMs`, …) and keeps the
 * server's answer in `details.responseBody`. This module parses that answer as the guide's error
 * payload (`{timestamp, status, error, message, path, errors?}`), exposes a 422's field errors
 * as a typed list, tells a version conflict from a duplicate on 409, and names the operation.
 */
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import * as answer from '@tidemark/http';
import { tsmErrorBodySchema, type TsmErrorBody } from './schemas.js';

/** One validation problem of a 422 answer (`errors: [{field, message}]`); other members kept. */
export type TsmFieldError = answer.FieldProblem;

/**
 * What a 409 was about. `version`: the record changed since the `auditInfo.version` sent
 * (optimistic locking). `duplicate`: an id or code is taken. `unknown`: the server did not say.
 */
export type TsmConflictKind = 'version' | 'duplicate' | 'unknown';

/** What was being done when a request failed; goes into the message and `details`. */
export interface TsmOperation {
  operation: string;
  entity?: string;
  idOrCode?: string;
  /** The request carried `auditInfo.version` (so a 409 most likely means a version conflict). */
  sentVersion?: boolean;
}

const brand = Symbol.for('tidemark.tsm.error');

/**
 * A failed tSM request: a TidemarkError (same code, `retryable`, `retryAfterMs` as the HTTP
 * failure, which stays as `cause`) with the server's error body parsed.
 */
export class TsmApiError extends TidemarkError {
  readonly operation: string;
  readonly entity: string | undefined;
  readonly idOrCode: string | undefined;
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined;
  /** The server's error payload, when it sent JSON. */
  readonly body: TsmErrorBody | undefined;
  /** A 422's `errors`, normalised; empty when there were none. */
  readonly fieldErrors: readonly TsmFieldError[];
  /** Set on 409 (HTTP_CONFLICT) only. */
  readonly conflict: TsmConflictKind | undefined;
  readonly [brand] = true;

  constructor(
    error: TidemarkError,
    op: TsmOperation,
    parsed: {
      status: number | undefined;
      body: TsmErrorBody | undefined;
      fieldErrors: readonly TsmFieldError[];
      conflict: TsmConflictKind | undefined;
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
        ...(op.entity === undefined ? {} : { entity: op.entity }),
        ...(op.idOrCode === undefined ? {} : { idOrCode: op.idOrCode }),
        ...(parsed.fieldErrors.length === 0 ? {} : { fieldErrors: parsed.fieldErrors }),
        ...(parsed.conflict === undefined ? {} : { conflict: parsed.conflict }),
      },
    });
    this.name = 'TsmApiError';
    this.operation = op.operation;
    this.entity = op.entity;
    this.idOrCode = op.idOrCode;
    this.status = parsed.status;
    this.body = parsed.body;
    this.fieldErrors = parsed.fieldErrors;
    this.conflict = parsed.conflict;
  }
}

/** Whether `value` is a TsmApiError (by brand, so two copies of this package agree). */
export function isTsmApiError(value: unknown): value is TsmApiError {
  return isTidemarkError(value) && (value as unknown as Record<symbol, unknown>)[brand] === true;
}

/** Whether `value` is a 409 caused by a stale `auditInfo.version`. */
export function isTsmVersionConflict(value: unknown): value is TsmApiError {
  return isTsmApiError(value) && value.conflict === 'version';
}

/** The server's error payload of a failure (looked up along the cause chain), if JSON. */
export function tsmErrorBody(error: unknown): TsmErrorBody | undefined {
  const parsed = tsmErrorBodySchema.safeParse(
    answer.answeredFailure(error)?.details['responseBody'],
  );
  return parsed.success ? parsed.data : undefined;
}

/**
 * A 422's field errors as a typed list. Accepts the guide's `{field, message}` and Spring's
 * `{field, defaultMessage}`; entries without a field name get `field: ''`.
 */
export function tsmFieldErrors(body: TsmErrorBody | undefined): TsmFieldError[] {
  return answer.fieldProblems(body?.errors ?? [], {
    field: ['field', 'objectName'],
    message: ['message', 'defaultMessage'],
  });
}

/**
 * The server's own words for a failure: the error body's `message`, an OAuth error's
 * `error_description` / `error`, else the raw text. `undefined` without a server answer.
 */
export function tsmErrorText(error: unknown): string | undefined {
  return answer.serverErrorText(error);
}

/**
 * What a 409 means. The guide lists "version conflict, duplicate code" under 409 and does not
 * say how they differ on the wire, so the server's message decides, then whether the request
 * carried a version.
 */
export function classifyConflict(
  message: string | undefined,
  sentVersion: boolean,
): TsmConflictKind {
  const text = message ?? '';
  if (/version|optimistic|stale|modified by another|concurrent/i.test(text)) return 'version';
  if (/duplicat|already exists|unique|taken/i.test(text)) return 'duplicate';
  return sentVersion ? 'version' : 'unknown';
}

function describe(op: TsmOperation): string {
  const target =
    op.entity === undefined
      ? ''
      : ` ${op.entity}${op.idOrCode === undefined ? '' : `/${op.idOrCode}`}`;
  return `tSM ${op.operation}${target}`;
}

/**
 * Re-throws a failure as a TsmApiError with the same code, `retryable` and `retryAfterMs`,
 * naming the operation and quoting the server's message. Anything not a TidemarkError is
 * wrapped as INTERNAL. Idempotent on a TsmApiError.
 */
export function toTsmError(error: unknown, op: TsmOperation): TidemarkError {
  if (isTsmApiError(error)) return error;
  if (!isTidemarkError(error)) {
    return new TidemarkError('INTERNAL', `${describe(op)} failed`, {
      cause: error,
      details: { operation: op.operation, entity: op.entity, idOrCode: op.idOrCode },
    });
  }
  const body = tsmErrorBody(error);
  const text = tsmErrorText(error);
  const conflict =
    error.code === 'HTTP_CONFLICT' ? classifyConflict(text, op.sentVersion === true) : undefined;
  const { status, wording } = answer.describeFailure(error, text);
  return new TsmApiError(error, op, {
    status,
    body,
    fieldErrors: tsmFieldErrors(body),
    conflict,
    message: `${describe(op)} ${wording}`,
  });
}
