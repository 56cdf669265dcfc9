import { TidemarkError, isTidemarkError } from '@tidemark/errors';

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  code?: unknown;
}

const transientNames = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'TimeoutError',
  'NetworkingError',
]);

const transientSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** Maps an AWS SDK failure to a TidemarkError: throttling, 5xx and network trouble are retryable. */
export function toStorageError(error: unknown, operation: string): TidemarkError {
  if (isTidemarkError(error)) return error;
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof candidate.name === 'string' ? candidate.name : 'Error';
  const status =
    typeof candidate.$metadata?.httpStatusCode === 'number'
      ? candidate.$metadata.httpStatusCode
      : undefined;
  const systemCode = typeof candidate.code === 'string' ? candidate.code : undefined;
  const retryable =
    candidate.$retryable !== undefined ||
    transientNames.has(name) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (systemCode !== undefined && transientSystemCodes.has(systemCode));
  const text = typeof candidate.message === 'string' ? candidate.message : String(error);
  return new TidemarkError(
    retryable ? 'STORAGE_TRANSIENT' : 'STORAGE_FATAL',
    `${operation}: ${name}: ${text}`,
    {
      retryable,
      cause: error,
      details: { operation, s3Error: name, ...(status === undefined ? {} : { status }) },
    },
  );
}
