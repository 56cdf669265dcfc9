/**
 * ZeyOS failures as typed errors. `@tidemark/http` already gives every failed status its code
 * (HTTP_NOT_FOUND, HTTP_PRECONDITION_FAILED, HTTP_CONFLICT, HTTP_UNAUTHORIZED, HTTP_FORBIDDEN,
 * HTTP_BAD_REQUEST, HTTP_RATE_LIMITED, HTTP_UNAVAILABLE, HTTP_SERVER_ERROR, ...) and keeps the
 * server's answer in `details.responseText`. This module adds which ZeyOS operation failed and
 * puts the server's text (ZeyOS errors are text/plain) into the message.
 */
import { TidemarkError, isTidemarkError } from '@tidemark/errors';

/** Longest server text copied into an error message. */
const MESSAGE_TEXT_LIMIT = 300;

function stringAt(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The server's own words for a failure: ZeyOS's text/plain answer (e.g. `Precondition Failed:
 * Non-matching ETag`), or an OAuth error's `error_description` (else `error`). Looks along the
 * cause chain; `undefined` when the error carries no server answer.
 */
export function zeyosErrorText(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (isTidemarkError(current)) {
      const body = current.details['responseBody'];
      const text =
        stringAt(body, 'error_description') ??
        stringAt(body, 'error') ??
        stringAt(current.details, 'responseText');
      if (text !== undefined) return text.trim();
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What was being done when a request failed; goes into `details` and the message. */
export interface ZeyosOperation {
  operation: string;
  entity?: string;
  id?: number;
}

function describe(op: ZeyosOperation): string {
  const target =
    op.entity === undefined ? '' : ` ${op.entity}${op.id === undefined ? '' : `/${op.id}`}`;
  return `ZeyOS ${op.operation}${target}`;
}

/**
 * Re-throws a failure as a TidemarkError with the same code, `retryable` and `retryAfterMs`,
 * naming the ZeyOS operation and quoting the server's text. Anything else is wrapped as
 * INTERNAL. The original stays as `cause`.
 */
export function toZeyosError(error: unknown, op: ZeyosOperation): TidemarkError {
  if (!isTidemarkError(error)) {
    return new TidemarkError('INTERNAL', `${describe(op)} failed`, {
      cause: error,
      details: { ...op },
    });
  }
  const status = error.details['status'];
  const text = zeyosErrorText(error);
  const said =
    text === undefined
      ? ''
      : `: ${text.length > MESSAGE_TEXT_LIMIT ? `${text.slice(0, MESSAGE_TEXT_LIMIT)}…` : text}`;
  const what =
    typeof status === 'number' ? `failed with status ${status}` : `failed (${error.code})`;
  return new TidemarkError(error.code, `${describe(op)} ${what}${said}`, {
    retryable: error.retryable,
    cause: error,
    details: { ...error.details, ...op },
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}
