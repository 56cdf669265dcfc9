import { describe, expect, it } from 'vitest';
import { TidemarkError, describeError, isTidemarkError, toError } from './index.js';

describe('TidemarkError', () => {
  it('carries code, retryable flag, details and cause', () => {
    const cause = new Error('socket hang up');
    const error = new TidemarkError('HTTP_NETWORK', 'request failed', {
      retryable: true,
      cause,
      details: { status: 0 },
    });
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ status: 0 });
  });

  it('defaults to not retryable', () => {
    expect(new TidemarkError('INPUT_INVALID', 'bad').retryable).toBe(false);
  });

  it('is recognised by brand, also when built by another copy of the class', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('tidemark.error')]: true });
    expect(isTidemarkError(foreign)).toBe(true);
    expect(isTidemarkError(new Error('plain'))).toBe(false);
    expect(isTidemarkError('TidemarkError')).toBe(false);
    expect(isTidemarkError(new TidemarkError('INTERNAL', 'x'))).toBe(true);
  });

  it('serialises without its cause', () => {
    const error = new TidemarkError('KAFKA_TRANSIENT', 'broker away', {
      cause: new Error('password=hunter2'),
      retryAfterMs: 500,
    });
    const json = JSON.stringify(error);
    expect(json).not.toContain('hunter2');
    expect(JSON.parse(json)).toMatchObject({ code: 'KAFKA_TRANSIENT', retryAfterMs: 500 });
  });

  it('describes a chain of causes on one line', () => {
    const error = new TidemarkError('HTTP_SERVER_ERROR', 'upstream 500', {
      cause: new Error('boom'),
    });
    expect(describeError(error)).toBe('HTTP_SERVER_ERROR: upstream 500 <- boom');
  });

  it('normalises thrown non-errors', () => {
    expect(toError('text').message).toBe('text');
    expect(toError({ a: 1 }).message).toBe('{"a":1}');
  });
});
