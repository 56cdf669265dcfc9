import { describe, expect, it } from 'vitest';
import { classifyNetworkError, classifyResponse, type Classification } from './classify.js';
import { parseRetryAfterMs } from './retry-after.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('classifyResponse', () => {
  it.each<[number, Record<string, string>, Classification]>([
    [400, {}, { code: 'HTTP_BAD_REQUEST', retryable: false, mayHaveTakenEffect: false }],
    [401, {}, { code: 'HTTP_UNAUTHORIZED', retryable: false, mayHaveTakenEffect: false }],
    [403, {}, { code: 'HTTP_FORBIDDEN', retryable: false, mayHaveTakenEffect: false }],
    [404, {}, { code: 'HTTP_NOT_FOUND', retryable: false, mayHaveTakenEffect: false }],
    [409, {}, { code: 'HTTP_CONFLICT', retryable: false, mayHaveTakenEffect: false }],
    [412, {}, { code: 'HTTP_PRECONDITION_FAILED', retryable: false, mayHaveTakenEffect: false }],
    [422, {}, { code: 'HTTP_UNPROCESSABLE', retryable: false, mayHaveTakenEffect: false }],
    [429, {}, { code: 'HTTP_RATE_LIMITED', retryable: true, mayHaveTakenEffect: false }],
    [
      429,
      { 'retry-after': '7' },
      { code: 'HTTP_RATE_LIMITED', retryable: true, mayHaveTakenEffect: false, retryAfterMs: 7000 },
    ],
    [
      503,
      { 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' },
      {
        code: 'HTTP_UNAVAILABLE',
        retryable: true,
        mayHaveTakenEffect: false,
        retryAfterMs: 30_000,
      },
    ],
    [
      503,
      { 'retry-after': 'soon' },
      { code: 'HTTP_UNAVAILABLE', retryable: true, mayHaveTakenEffect: false },
    ],
    [
      502,
      { 'retry-after': '5' },
      { code: 'HTTP_UNAVAILABLE', retryable: true, mayHaveTakenEffect: true },
    ],
    [504, {}, { code: 'HTTP_UNAVAILABLE', retryable: true, mayHaveTakenEffect: true }],
    [
      500,
      { 'retry-after': '5' },
      { code: 'HTTP_SERVER_ERROR', retryable: true, mayHaveTakenEffect: true },
    ],
    [501, {}, { code: 'HTTP_SERVER_ERROR', retryable: true, mayHaveTakenEffect: true }],
    [599, {}, { code: 'HTTP_SERVER_ERROR', retryable: true, mayHaveTakenEffect: true }],
    [302, {}, { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false }],
    [304, {}, { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false }],
    [405, {}, { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false }],
    [418, {}, { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false }],
    [200, {}, { code: 'HTTP_UNEXPECTED_STATUS', retryable: false, mayHaveTakenEffect: false }],
  ])('%i %o → %o', (status, headers, expected) => {
    expect(classifyResponse(status, headers, NOW)).toEqual(expected);
  });

  it('reads the first of repeated Retry-After values', () => {
    expect(classifyResponse(429, { 'retry-after': ['2', '9'] }, NOW).retryAfterMs).toBe(2000);
  });
});

describe('parseRetryAfterMs', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['-1', undefined],
    ['1.5', undefined],
    ['Wed, 01 May 2024 12:01:00 GMT', 60_000],
    ['Wed, 01 May 2024 11:00:00 GMT', 0],
    ['Wednesday, 01-May-24 12:00:10 GMT', 10_000],
    ['not a date', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(expected);
  });
});

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe('classifyNetworkError', () => {
  it.each<[string, unknown, Partial<ReturnType<typeof classifyNetworkError>>]>([
    [
      'connection refused',
      systemError('ECONNREFUSED'),
      { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: false },
    ],
    [
      'DNS failure',
      systemError('ENOTFOUND'),
      { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: false },
    ],
    [
      'connect timeout',
      systemError('UND_ERR_CONNECT_TIMEOUT'),
      { code: 'HTTP_TIMEOUT', retryable: true, mayHaveTakenEffect: false },
    ],
    [
      'connection reset',
      systemError('ECONNRESET'),
      { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: true },
    ],
    [
      'socket closed',
      systemError('UND_ERR_SOCKET'),
      { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: true },
    ],
    [
      'headers timeout',
      systemError('UND_ERR_HEADERS_TIMEOUT'),
      { code: 'HTTP_TIMEOUT', retryable: true, mayHaveTakenEffect: true },
    ],
    [
      'body timeout',
      systemError('UND_ERR_BODY_TIMEOUT'),
      { code: 'HTTP_TIMEOUT', retryable: true, mayHaveTakenEffect: true },
    ],
    [
      'AbortSignal.timeout',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      { code: 'HTTP_TIMEOUT', retryable: true, mayHaveTakenEffect: true, reason: 'TimeoutError' },
    ],
    [
      'AbortError',
      new DOMException('aborted', 'AbortError'),
      { code: 'ABORTED', retryable: false },
    ],
    ['dispatcher closed', systemError('UND_ERR_DESTROYED'), { code: 'ABORTED', retryable: false }],
    [
      'bad header value',
      systemError('UND_ERR_INVALID_ARG'),
      { code: 'INPUT_INVALID', retryable: false },
    ],
    [
      'refused inside a cause',
      new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') }),
      { code: 'HTTP_NETWORK', mayHaveTakenEffect: false, reason: 'ECONNREFUSED' },
    ],
    [
      'refused inside an AggregateError',
      new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]),
      { code: 'HTTP_NETWORK', mayHaveTakenEffect: false, reason: 'ECONNREFUSED' },
    ],
    [
      'something unknown',
      new Error('odd'),
      { code: 'HTTP_NETWORK', retryable: true, mayHaveTakenEffect: true, reason: 'Error' },
    ],
    ['a thrown string', 'odd', { code: 'HTTP_NETWORK', retryable: true, reason: 'unknown' }],
  ])('%s', (_name, error, expected) => {
    expect(classifyNetworkError(error)).toMatchObject(expected);
  });
});
