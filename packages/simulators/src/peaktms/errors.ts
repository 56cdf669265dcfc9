import { jsonResponse, type HeaderValue, type SimResponse } from '../core/router.js';

/** One entry of an error answer's `details` (422: which member or attribute, and why). */
export interface FieldError {
  field: string;
  message: string;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
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

/** An expected non-2xx answer of the PeakTMS API. */
export class PeakError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly FieldError[] | undefined = undefined,
    readonly headers: Record<string, HeaderValue> = {},
  ) {
    super(message);
    this.name = 'PeakError';
  }
}

export const badRequest = (message: string) => new PeakError(400, message);
export const notFound = (message: string) => new PeakError(404, message);
export const conflict = (message: string) => new PeakError(409, message);
export const unprocessable = (details: readonly FieldError[]) =>
  new PeakError(422, 'Validation failed', details);

/**
 * The error body (PeakTMS's is not public): Spring Boot's default error attributes
 * `{timestamp, status, error, message, path}`, plus `details` on 422.
 */
export function errorResponse(
  status: number,
  message: string,
  path: string,
  timestamp: string,
  options: { details?: readonly FieldError[]; headers?: Record<string, HeaderValue> } = {},
): SimResponse {
  return jsonResponse(
    status,
    {
      timestamp,
      status,
      error: REASONS[status] ?? 'Error',
      message,
      path,
      ...(options.details === undefined ? {} : { details: options.details }),
    },
    options.headers,
  );
}
