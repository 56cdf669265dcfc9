/**
 * ZeyOS failures as typed errors. `@tidemark/http` already gives every failed status its code
 * (HTTP_NOT_FOUND, HTTP_PRECONDITION_FAILED, HTTP_CONFLICT, HTTP_UNAUTHORIZED, HTTP_FORBIDDEN,
 * HTTP_BAD_REQUEST, HTTP_RATE_LIMITED, HTTP_UNAVAILABLE, HTTP_SERVER_ERROR, ...) and keeps the
 * server's answer in `details.responseText`. This module adds which ZeyOS operation failed and
 * puts the server's text (ZeyOS errors are text/plain) into the message.
 */
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import { describeFailure, serverErrorText } from '@tidemark/http';

/**
 * The server's own words for a failure: ZeyOS's text/plain answer (e.g. `Precondition Failed:
 * Non-matching ETag`), or an OAuth error's `error_description` (else `error`). Looks along the
 * cause chain; `undefined` when the error carries no server answer.
 */
export function zeyosErrorText(error: unknown): string | undefined {
  // ZeyOS answers text/plain; JSON comes only from its OAuth endpoints.
  return serverErrorText(error, ['error_description', 'error']);
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
  return new TidemarkError(
    error.code,
    `${describe(op)} ${describeFailure(error, zeyosErrorText(error)).wording}`,
    {
      retryable: error.retryable,
      cause: error,
      details: { ...error.details, ...op },
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    },
  );
}
