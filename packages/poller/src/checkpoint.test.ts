import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint.js';

const checkpoint: Checkpoint = {
  format: 'tidemark.poller.checkpoint',
  version: 1,
  stream: 'zeyos.acme.accounts',
  state: { v: 1, pos: [1_700_000_000, 42], nested: { list: [1, 'a', null, true] } },
  committedAtMs: 1_700_000_000_123,
  newestChangeMs: null,
  eventsTotal: 7,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isTidemarkError(error) ? `${error.code}/${String(error.retryable)}` : 'untyped';
  }
  return undefined;
}

describe('checkpoint codec', () => {
  it('round-trips from a string and from a Buffer', () => {
    const text = encodeCheckpoint(checkpoint);
    expect(decodeCheckpoint(text)).toEqual(checkpoint);
    expect(decodeCheckpoint(Buffer.from(text))).toEqual(checkpoint);
    const withLag = { ...checkpoint, newestChangeMs: 1_699_999_999_000 };
    expect(decodeCheckpoint(encodeCheckpoint(withLag))).toEqual(withLag);
  });

  it.each<[string, string]>([
    ['not JSON', '{"format":'],
    ['empty', ''],
    ['a JSON array', '[]'],
    ['another format', JSON.stringify({ ...checkpoint, format: 'other' })],
    ['a future version', JSON.stringify({ ...checkpoint, version: 2 })],
    ['an empty stream id', JSON.stringify({ ...checkpoint, stream: '' })],
    ['no state', JSON.stringify({ ...checkpoint, state: undefined })],
    ['a fractional commit time', JSON.stringify({ ...checkpoint, committedAtMs: 1.5 })],
    ['a negative event count', JSON.stringify({ ...checkpoint, eventsTotal: -1 })],
  ])('rejects %s with INPUT_INVALID, not retryable', (_name, text) => {
    expect(codeOf(() => decodeCheckpoint(text))).toBe('INPUT_INVALID/false');
  });
});
