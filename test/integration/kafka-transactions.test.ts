import { afterAll, describe, expect, it } from 'vitest';
import {
  createProducer,
  createTransactionalProducer,
  ensureTopics,
  headerValue,
} from '@tidemark/kafka';
import { isTidemarkError } from '@tidemark/errors';
import { readTopic, testKafka, topicJanitor, uniqueName } from '../support/kafka.js';

const client = testKafka();
const topics = topicJanitor(client);
afterAll(() => topics.cleanup());

describe('transactions on the real broker', () => {
  it('a read_committed consumer sees committed transactions and never aborted ones', async () => {
    const topic = topics.name('tx');
    await ensureTopics(client, [{ name: topic, partitions: 1 }]);
    const producer = await createTransactionalProducer(client, {
      transactionalId: uniqueName('tx'),
    });
    try {
      await producer.transaction(async (tx) => {
        await tx.send(topic, [{ key: 'a', value: 'committed-1' }]);
      });
      await expect(
        producer.transaction(async (tx) => {
          await tx.send(topic, [{ key: 'b', value: 'aborted' }]);
          throw new Error('work failed after sending');
        }),
      ).rejects.toThrow('work failed after sending');
      await producer.transaction(async (tx) => {
        await tx.send(topic, [
          { key: 'c', value: 'committed-2', headers: { note: 'second' } },
          { key: 'd', value: 'committed-3' },
        ]);
      });
    } finally {
      await producer.close();
    }

    const seen = await readTopic(client, topic, { count: 3, settleMs: 2000 });
    expect(seen.map((message) => message.value?.toString())).toEqual([
      'committed-1',
      'committed-2',
      'committed-3',
    ]);
    expect(headerValue(seen[1]?.headers, 'note')).toBe('second');
  });

  it('a second producer with the same transactional id fences the first', async () => {
    const topic = topics.name('fence');
    await ensureTopics(client, [{ name: topic, partitions: 1 }]);
    const transactionalId = uniqueName('fenced');
    const first = await createTransactionalProducer(client, { transactionalId });
    const second = await createTransactionalProducer(client, { transactionalId });
    try {
      await second.transaction(async (tx) => {
        await tx.send(topic, [{ key: 'k', value: 'from-second' }]);
      });
      const outcome = await first
        .transaction(async (tx) => {
          await tx.send(topic, [{ key: 'k', value: 'from-zombie' }]);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isTidemarkError(outcome) && outcome.code).toBe('KAFKA_FENCED');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    const seen = await readTopic(client, topic, { count: 1, settleMs: 2000 });
    expect(seen.map((message) => message.value?.toString())).toEqual(['from-second']);
  });

  it('a plain idempotent producer delivers in order per key', async () => {
    const topic = topics.name('plain');
    await ensureTopics(client, [{ name: topic, partitions: 3 }]);
    const producer = await createProducer(client);
    const values = Array.from({ length: 50 }, (_, index) => `v${index}`);
    try {
      await producer.send(
        topic,
        values.map((value) => ({ key: 'same-record', value })),
      );
    } finally {
      await producer.close();
    }
    const seen = await readTopic(client, topic, { count: values.length });
    expect(seen.map((message) => message.value?.toString())).toEqual(values);
    expect(new Set(seen.map((message) => message.partition)).size).toBe(1);
  });
});
