import { afterAll, describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import {
  createConsumer,
  createDeadLetterPublisher,
  createProducer,
  deadLetterHeaders,
  ensureTopics,
  headerValue,
  readDeadLetterInfo,
  type ConsumedMessage,
} from '@tidemark/kafka';
import { readTopic, testKafka, topicJanitor, uniqueName } from '../support/kafka.js';

const client = testKafka();
const topics = topicJanitor(client);
afterAll(() => topics.cleanup());

describe('dead-letter topic on the real broker', () => {
  it('sends a poison message there with its reason and original headers, and goes on', async () => {
    const topic = topics.name('input');
    const deadLetterTopic = topics.name('dlq');
    await ensureTopics(client, [
      { name: topic, partitions: 1 },
      { name: deadLetterTopic, partitions: 1 },
    ]);
    const producer = await createProducer(client);
    await producer.send(topic, [
      { key: 'ok-1', value: '{"n":1}' },
      {
        key: 'poison',
        value: 'this is not json',
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      },
      { key: 'ok-2', value: '{"n":2}' },
    ]);

    const handled: string[] = [];
    let transientFailures = 0;
    const consumer = await createConsumer(client, {
      groupId: uniqueName('dlq-group'),
      topics: [topic],
    });
    const allHandled = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for messages')), 30_000);
      void consumer.runEachMessage(
        async (message: ConsumedMessage) => {
          // One transient failure first: it must be retried, not dead-lettered.
          if (message.key?.toString() === 'ok-2' && transientFailures++ === 0) {
            throw new TidemarkError('HTTP_UNAVAILABLE', 'target briefly down', { retryable: true });
          }
          try {
            JSON.parse(message.value?.toString() ?? '');
          } catch (cause) {
            throw new TidemarkError('EVENT_DECODE_FAILED', 'value is not JSON', { cause });
          }
          handled.push(message.key?.toString() ?? '');
          if (handled.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
        {
          deadLetter: createDeadLetterPublisher(producer, {
            topic: deadLetterTopic,
            consumer: 'test-sink',
          }),
          retry: { baseDelayMs: 50, maxDelayMs: 200 },
        },
      );
    });
    await allHandled;
    await consumer.close();

    expect(handled).toEqual(['ok-1', 'ok-2']);
    expect(transientFailures).toBe(2);

    const [deadLetter, ...others] = await readTopic(client, deadLetterTopic, {
      count: 1,
      settleMs: 1000,
    });
    await producer.close();
    expect(others).toEqual([]);
    expect(deadLetter?.key?.toString()).toBe('poison');
    expect(deadLetter?.value?.toString()).toBe('this is not json');
    expect(headerValue(deadLetter?.headers, 'traceparent')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    const info = deadLetter === undefined ? undefined : readDeadLetterInfo(deadLetter);
    expect(info).toMatchObject({
      [deadLetterHeaders.code]: 'EVENT_DECODE_FAILED',
      [deadLetterHeaders.retryable]: 'false',
      [deadLetterHeaders.topic]: topic,
      [deadLetterHeaders.partition]: '0',
      [deadLetterHeaders.offset]: '1',
      [deadLetterHeaders.consumer]: 'test-sink',
    });
    expect(info?.[deadLetterHeaders.reason]).toContain('value is not JSON');
  });
});
