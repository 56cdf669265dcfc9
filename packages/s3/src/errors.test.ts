import { describe, expect, it } from 'vitest';
import { toStorageError } from './errors.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name}!`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  });
}

describe('toStorageError', () => {
  it.each([
    [sdkError('SlowDown', 503), 'STORAGE_TRANSIENT', true],
    [sdkError('InternalError', 500), 'STORAGE_TRANSIENT', true],
    [sdkError('Whatever', 502), 'STORAGE_TRANSIENT', true],
    [sdkError('TooManyRequests', 429), 'STORAGE_TRANSIENT', true],
    [sdkError('Error', undefined, { code: 'ECONNREFUSED' }), 'STORAGE_TRANSIENT', true],
    [sdkError('AccessDenied', 403), 'STORAGE_FATAL', false],
    [sdkError('NoSuchBucket', 404), 'STORAGE_FATAL', false],
    [sdkError('SignatureDoesNotMatch', 403), 'STORAGE_FATAL', false],
  ])('%o → %s', (error, code, retryable) => {
    const mapped = toStorageError(error, 'put k');
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
  });
});
