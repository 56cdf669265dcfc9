import { describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { retryTransient } from './retry.js';

const notLeader = () =>
  new TidemarkError('KAFKA_TRANSIENT', 'read: This server is not the leader', {
    retryable: true,
    details: { operation: 'read', kafkaError: 'KafkaJSProtocolError' },
  });
const fast = { baseDelayMs: 1, maxDelayMs: 2 };

describe('retryTransient', () => {
  it('tries again while the broker answers with a retryable error', async () => {
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls < 3) throw notLeader();
      return 'done';
    }, fast);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the configured tries with the last error', async () => {
    let calls = 0;
    const failing = retryTransient(
      () => {
        calls++;
        return Promise.reject(notLeader());
      },
      { ...fast, attempts: 4 },
    );
    await expect(failing).rejects.toThrow('not the leader');
    expect(calls).toBe(4);
  });

  it('does not retry fatal errors or a deadline of the step itself', async () => {
    for (const error of [
      new TidemarkError('KAFKA_FATAL', 'topic has 1 partitions, 3 are configured'),
      new TidemarkError('KAFKA_TRANSIENT', 'state topic not read to its end', {
        retryable: true,
        details: { topic: 't' },
      }),
    ]) {
      let calls = 0;
      await expect(
        retryTransient(() => {
          calls++;
          return Promise.reject(error);
        }, fast),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });
});
