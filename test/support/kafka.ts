import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  createConsumer,
  createKafkaClient,
  deleteTopics,
  type ConsumedMessage,
  type KafkaClient,
} from '@tidemark/kafka';

/** A Kafka client on the test broker, and unique names so tests never share state. */
export function testKafka(): KafkaClient {
  return createKafkaClient({ brokers: inject('stack').kafkaBrokers, clientId: 'tidemark-test' });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Tracks topics a test creates and deletes them afterwards. */
export function topicJanitor(client: KafkaClient) {
  const topics: string[] = [];
  return {
    name(prefix: string) {
      const topic = uniqueName(`test.${prefix}`);
      topics.push(topic);
      return topic;
    },
    cleanup: () => deleteTopics(client, topics.splice(0)),
  };
}

/**
 * Reads a topic from the beginning with a fresh read_committed group until `count`
 * messages arrived, or the time is up; then returns what it saw. Waiting `settleMs`
 * longer after reaching the count catches messages that should not be there.
 */
export async function readTopic(
  client: KafkaClient,
  topic: string,
  options: { count: number; timeoutMs?: number; settleMs?: number },
): Promise<ConsumedMessage[]> {
  const consumer = await createConsumer(client, { groupId: uniqueName('reader'), topics: [topic] });
  const seen: ConsumedMessage[] = [];
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  await consumer.runEachBatch(async (batch) => {
    seen.push(...batch.messages);
    if (seen.length >= options.count) reached();
    await batch.heartbeat();
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 30_000));
  await Promise.race([enough, timeout]);
  if (options.settleMs !== undefined)
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  await consumer.close();
  return seen;
}
