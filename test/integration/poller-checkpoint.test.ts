import { afterEach, describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { ensureTopics } from '@tidemark/kafka';
import { checkpointTopicSpec, createKafkaStreamPublisher, type Checkpoint } from '@tidemark/poller';
import { testKafka, topicJanitor, uniqueName } from '../support/kafka.js';

const kafka = testKafka();
let janitor = topicJanitor(kafka);

function checkpointOf(bytes: number): Checkpoint {
  return {
    format: 'tidemark.poller.checkpoint',
    version: 1,
    stream: 'zeyos.demo.accounts',
    state: { window: 'x'.repeat(bytes) },
    committedAtMs: Date.now(),
    newestChangeMs: null,
    eventsTotal: 1,
  };
}

describe('poller checkpoints larger than a Kafka message by default', () => {
  afterEach(async () => {
    await janitor.cleanup();
    janitor = topicJanitor(kafka);
  });

  it('a 4 MiB checkpoint commits with its events and is what the next owner reads', async () => {
    const events = janitor.name('events');
    const checkpoints = janitor.name('checkpoints');
    await ensureTopics(kafka, [{ name: events }, checkpointTopicSpec(checkpoints)]);
    const settings = {
      transactionalId: uniqueName('test.big-checkpoint'),
      checkpointTopic: checkpoints,
      streamId: 'zeyos.demo.accounts',
    };
    const first = createKafkaStreamPublisher(kafka, settings);
    expect(await first.open()).toBeUndefined();
    const big = checkpointOf(4 * 1024 * 1024);
    await first.commit([{ topic: events, messages: [{ key: '1', value: '{}' }] }], big);
    await first.close();

    const next = createKafkaStreamPublisher(kafka, settings);
    try {
      expect(await next.open()).toEqual(big);
    } finally {
      await next.close();
    }
  });

  it('without the topic setting the same commit is refused, which is why the spec sets it', async () => {
    const checkpoints = janitor.name('checkpoints-plain');
    await ensureTopics(kafka, [{ name: checkpoints, cleanupPolicy: 'compact' }]);
    const publisher = createKafkaStreamPublisher(kafka, {
      transactionalId: uniqueName('test.plain-checkpoint'),
      checkpointTopic: checkpoints,
      streamId: 'zeyos.demo.accounts',
    });
    try {
      await publisher.open();
      const failed = await publisher.commit([], checkpointOf(2 * 1024 * 1024)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isTidemarkError(failed)).toBe(true);
    } finally {
      await publisher.close();
    }
  });
});
