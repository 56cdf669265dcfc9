import { describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { describeFailure, fieldProblems, serverErrorText } from './server-answer.js';

function answered(details: Record<string, unknown>): TidemarkError {
  return new TidemarkError('HTTP_CONFLICT', 'PUT /x failed with status 409', {
    retryable: false,
    details: { status: 409, ...details },
  });
}

describe('serverErrorText', () => {
  it.each([
    ['the body message first', { responseBody: { message: ' taken ', error: 'x' } }, 'taken'],
    ['then error_description', { responseBody: { error_description: 'bad grant' } }, 'bad grant'],
    ['then error', { responseBody: { error: 'invalid_client' } }, 'invalid_client'],
    ['else the raw text', { responseText: 'Conflict: code taken' }, 'Conflict: code taken'],
    ['nothing without an answer', {}, undefined],
  ])('%s', (_name, details, expected) => {
    expect(serverErrorText(answered(details))).toBe(expected);
  });

  it('looks along the cause chain and takes the keys it is given', () => {
    const inner = answered({ responseBody: { message: 'm', error: 'e' }, responseText: 't' });
    const outer = new TidemarkError('HTTP_CONFLICT', 'wrapped', { cause: inner });
    expect(serverErrorText(outer)).toBe('m');
    expect(serverErrorText(outer, ['error'])).toBe('e');
  });
});

describe('describeFailure', () => {
  it('names the status and quotes the server, cut to 300 characters', () => {
    const { status, wording } = describeFailure(answered({}), 'x'.repeat(400));
    expect(status).toBe(409);
    expect(wording).toBe(`failed with status 409: ${'x'.repeat(300)}…`);
  });

  it('names the code when no answer came', () => {
    const error = new TidemarkError('HTTP_TIMEOUT', 'timed out', { retryable: true });
    expect(describeFailure(error, undefined)).toEqual({
      status: undefined,
      wording: 'failed (HTTP_TIMEOUT)',
    });
  });
});

describe('fieldProblems', () => {
  it('reads strings and objects under the first key present, keeping other members', () => {
    const keys = { field: ['field', 'attribute'], message: ['message', 'defaultMessage'] };
    expect(
      fieldProblems(['plain', 7, { attribute: 'a', defaultMessage: 'd', extra: 1 }], keys),
    ).toEqual([
      { field: '', message: 'plain' },
      { attribute: 'a', defaultMessage: 'd', extra: 1, field: 'a', message: 'd' },
    ]);
  });
});
