import { jsonResponse, type HeaderValue, type SimResponse } from '../core/router.js';

/** One entry of a 422 answer's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** An expected non-2xx answer of the tSM API; rendered as the guide's error body. */
export class TsmError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: readonly FieldError[] | undefined = undefined,
    readonly headers: Record<string, HeaderValue> = {},
  ) {
    super(message);
    this.name = 'TsmError';
  }
}

export const badRequest = (message: string) => new TsmError(400, message);
export const notFound = (message: string) => new TsmError(404, message);
export const conflict = (message: string) => new TsmError(409, message);
export const unprocessable = (errors: readonly FieldError[]) =>
  new TsmError(422, 'Validation failed', errors);

/**
 * The guide's error payload: `{timestamp, status, error, message, path}` (Spring Boot's
 * default error attributes), plus `errors: [{field, message}]` on 422.
 */
export function errorBody(
  status: number,
  message: string,
  path: string,
  nowMs: number,
  errors?: readonly FieldError[],
): Record<string, unknown> {
  return {
    timestamp: new Date(nowMs).toISOString(),
    status,
    error: reasonPhrase(status),
    message,
    path,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function errorResponse(
  status: number,
  message: string,
  path: string,
  nowMs: number,
  options: { errors?: readonly FieldError[]; headers?: Record<string, HeaderValue> } = {},
): SimResponse {
  return jsonResponse(
    status,
    errorBody(status, message, path, nowMs, options.errors),
    options.headers,
  );
}
