import { randomUUID } from 'node:crypto';
import { TidemarkError } from '@tidemark/errors';
import type { KafkaClient } from './client.js';
import { toKafkaError } from './errors.js';
import { retryTransient } from './retry.js';

export interface ReadStateOptions {
  /** Only keep values of keys this accepts (e.g. one stream's key). Default: every key. */
  keyFilter?: (key: string) => boolean;
  /** Overall deadline. Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * Reads a compacted state topic (checkpoints, id maps) from its beginning to its end with
 * read_committed, and returns the last value per key; a key whose last record is a tombstone
 * (null value) is absent. "The end" is each partition's end offset when the read starts: a
 * caller that must see every committed write first fences the writers (a transactional
 * producer with the same id), so nothing of theirs is still open.
 *
 * A throwaway consumer group reads; it commits nothing and is deleted afterwards.
 */
export async function readStateTopic(
  client: KafkaClient,
  topic: string,
  options: ReadStateOptions = {},
): Promise<Map<string, Buffer>> {
  return retryTransient(() => readStateTopicOnce(client, topic, options));
}

async function readStateTopicOnce(
  client: KafkaClient,
  topic: string,
  options: ReadStateOptions,
): Promise<Map<string, Buffer>> {
  const latest = new Map<string, Buffer>();
  const admin = client.kafka.admin();
  const groupId = `tidemark-state-${randomUUID()}`;
  try {
    await admin.connect();
    /** Per partition still to read: the last offset that exists at the start. */
    const pending = new Map<number, bigint>();
    for (const entry of await admin.fetchTopicOffsets(topic)) {
      const high = BigInt(entry.high);
      const low = BigInt(entry.low);
      if (high > low) pending.set(entry.partition, high - 1n);
    }
    if (pending.size === 0) return latest;

    const consumer = client.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const advance = (partition: number, lastOffset: string) => {
      const end = pending.get(partition);
      if (end !== undefined && BigInt(lastOffset) >= end) pending.delete(partition);
      if (pending.size === 0) finish();
    };
    // Batches that read_committed filtered to nothing (markers, aborted records) never reach
    // eachBatch; this event still reports how far the position moved.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      advance(event.payload.partition, event.payload.lastOffset);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const key = message.key?.toString('utf8');
            if (key === undefined) continue;
            if (options.keyFilter !== undefined && !options.keyFilter(key)) continue;
            if (message.value === null) latest.delete(key);
            else latest.set(key, message.value);
          }
          await Promise.resolve();
        },
      });
      const timeoutMs = options.timeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        throw new TidemarkError(
          'KAFKA_TRANSIENT',
          `state topic ${topic} not read to its end after ${timeoutMs} ms`,
          { retryable: true, details: { topic, partitions: [...pending.keys()] } },
        );
      }
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return latest;
  } catch (error) {
    throw toKafkaError(error, `read state topic ${topic}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
