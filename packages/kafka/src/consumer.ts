import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import {
  backoffDelayMs,
  describeError,
  isTidemarkError,
  sleep,
  type BackoffPolicy,
} from '@tidemark/errors';
import type { KafkaClient } from './client.js';
import type { DeadLetterPublisher } from './dead-letter.js';
import { toKafkaError } from './errors.js';
import type { ConsumedMessage } from './messages.js';

export interface ConsumerOptions {
  groupId: string;
  /** Exact topic names; or `topicPattern` to follow every matching topic, new ones too. */
  topics?: readonly string[];
  topicPattern?: RegExp;
  /** Where a group with no committed offset starts. Default true: a sink must miss nothing. */
  fromBeginning?: boolean;
  /** Default 30 000 ms. */
  sessionTimeoutMs?: number;
  /** How often a pattern subscription looks for new topics. Default 30 000 ms. */
  metadataMaxAgeMs?: number;
  /** Partitions handled at once; each partition stays in order. Default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Called after every (re)join of the group with this member's assignment, topic →
   * partitions. After a rebalance every assigned partition resumes from its committed
   * offset, so a buffering sink drops what it held uncommitted when this fires.
   */
  onAssignment?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
  /**
   * Called for a fetched batch of which a read_committed consumer is given no record: only
   * transaction markers and aborted records. The position moved on to `nextOffset` without a
   * handler call; `firstOffset` is where the batch began. Lets a buffering sink commit past
   * such offsets when it holds nothing uncommitted.
   */
  onSkipped?: (skipped: {
    topic: string;
    partition: number;
    firstOffset: string;
    nextOffset: string;
  }) => void;
  /** Fetch sizing (kafkajs defaults: maxBytes 10 MiB, maxBytesPerPartition 1 MiB, minBytes 1, maxWaitTimeInMs 5 000). */
  fetch?: {
    /** Most bytes one fetch returns over all partitions. */
    maxBytes?: number;
    /** Most bytes one fetch returns per partition: the largest batch a handler sees. */
    maxBytesPerPartition?: number;
    /** The broker waits for this many bytes (or maxWaitTimeInMs) before answering. */
    minBytes?: number;
    maxWaitTimeInMs?: number;
  };
}

export interface EachMessageOptions {
  /** Where messages that fail for good go. Required: a failure is data, never dropped. */
  deadLetter: DeadLetterPublisher;
  /** Backoff while a retryable failure repeats (the partition waits, in order). */
  retry?: BackoffPolicy;
  /** Commit after this many handled messages within a batch. Default 100. */
  commitEvery?: number;
}

export type MessageHandler = (message: ConsumedMessage) => Promise<void>;

/** A batch in the shape handlers see, with the controls a buffering sink needs. */
export interface BatchContext {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /**
   * The offset after everything this fetch covered, records filtered out by read_committed
   * (transaction markers, aborted records) included: where the next batch starts. At least
   * the last message's offset + 1.
   */
  nextOffset: string;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once stop() was called or the partition was revoked: finish quickly. */
  isActive(): boolean;
}

/**
 * A read_committed consumer with manual commits: offsets are committed only after the
 * handler succeeded (or the message went to the dead-letter topic), so a crash re-reads
 * rather than skips. Handlers must therefore be idempotent.
 */
export interface TidemarkConsumer {
  runEachMessage(handler: MessageHandler, options: EachMessageOptions): Promise<void>;
  /**
   * Hands over whole batches. When the handler resolves, the batch counts as accepted
   * (the next fetch starts after it) but nothing is committed: call `commit` once the
   * effect is durable. When it throws, the batch is fetched again.
   */
  runEachBatch(handler: (batch: BatchContext) => Promise<void>): Promise<void>;
  /** Commits `offset` = the next offset to read, per partition. */
  commit(offsets: readonly { topic: string; partition: number; offset: string }[]): Promise<void>;
  pause(topic: string, partitions?: number[]): void;
  resume(topic: string, partitions?: number[]): void;
  /** Stops intake, lets in-flight handlers end (retry waits are cut short), disconnects. */
  close(): Promise<void>;
}

export async function createConsumer(
  client: KafkaClient,
  options: ConsumerOptions,
): Promise<TidemarkConsumer> {
  const subscription = options.topicPattern ?? options.topics;
  if (subscription === undefined || (Array.isArray(subscription) && subscription.length === 0)) {
    throw toKafkaError(new Error('a consumer needs topics or a topicPattern'), 'create consumer');
  }
  const consumer: Consumer = client.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    metadataMaxAge: options.metadataMaxAgeMs ?? 30_000,
    allowAutoTopicCreation: false,
    ...(options.fetch?.maxBytes === undefined ? {} : { maxBytes: options.fetch.maxBytes }),
    ...(options.fetch?.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.fetch.maxBytesPerPartition }),
    ...(options.fetch?.minBytes === undefined ? {} : { minBytes: options.fetch.minBytes }),
    ...(options.fetch?.maxWaitTimeInMs === undefined
      ? {}
      : { maxWaitTimeInMs: options.fetch.maxWaitTimeInMs }),
  });
  const stopping = new AbortController();
  const { onAssignment } = options;
  if (onAssignment !== undefined) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      onAssignment(event.payload.memberAssignment);
    });
  }
  const { onSkipped } = options;
  if (onSkipped !== undefined) {
    // kafkajs resolves a batch that read_committed filtered to nothing by itself, without
    // calling the handler; its instrumentation event is the one place that sees it.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
      if (batchSize !== 0) return;
      onSkipped({ topic, partition, firstOffset, nextOffset: nextOffset(lastOffset) });
    });
  }
  try {
    await consumer.connect();
    await consumer.subscribe({
      topics:
        options.topicPattern === undefined ? [...(options.topics ?? [])] : [options.topicPattern],
      fromBeginning: options.fromBeginning ?? true,
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw toKafkaError(error, `subscribe group ${options.groupId}`);
  }

  const commit: TidemarkConsumer['commit'] = async (offsets) => {
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets.map((entry) => ({ ...entry })));
    } catch (error) {
      throw toKafkaError(error, 'commit offsets');
    }
  };

  const run = (eachBatch: (payload: EachBatchPayload) => Promise<void>) =>
    consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    });

  return {
    async runEachMessage(handler, messageOptions) {
      const commitEvery = messageOptions.commitEvery ?? 100;
      await run(async (payload) => {
        // kafkajs builds these payload functions as closures; its types call them methods.
        // eslint-disable-next-line @typescript-eslint/unbound-method
        const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
        let pending: string | undefined;
        let sinceCommit = 0;
        const flush = async () => {
          if (pending === undefined) return;
          await commit([{ topic: batch.topic, partition: batch.partition, offset: pending }]);
          pending = undefined;
          sinceCommit = 0;
        };
        for (const raw of batch.messages) {
          if (!isRunning() || isStale() || stopping.signal.aborted) break;
          const message = toConsumed(batch.topic, batch.partition, raw);
          const done = await handleWithRetry(
            message,
            handler,
            messageOptions,
            heartbeat,
            stopping.signal,
            client,
          );
          if (!done) break;
          resolveOffset(raw.offset);
          pending = nextOffset(raw.offset);
          if (++sinceCommit >= commitEvery) await flush();
          await heartbeat();
        }
        await flush();
      });
    },

    async runEachBatch(handler) {
      await run(async (payload) => {
        // kafkajs builds these payload functions as closures; its types call them methods.
        // eslint-disable-next-line @typescript-eslint/unbound-method
        const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
        await handler({
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((raw) => toConsumed(batch.topic, batch.partition, raw)),
          nextOffset: nextOffset(batch.lastOffset()),
          heartbeat,
          isActive: () => isRunning() && !isStale() && !stopping.signal.aborted,
        });
        // The handler accepted the whole batch: move the in-memory position on. What is
        // committed stays the handler's call (after its effect is durable).
        const last = batch.messages.at(-1);
        if (last !== undefined) resolveOffset(last.offset);
      });
    },

    commit,
    pause: (topic, partitions) =>
      consumer.pause([{ topic, ...(partitions ? { partitions } : {}) }]),
    resume: (topic, partitions) =>
      consumer.resume([{ topic, ...(partitions ? { partitions } : {}) }]),

    async close() {
      stopping.abort();
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}

/**
 * Handles one message until it succeeded or was dead-lettered (true), or the consumer
 * is stopping while it still fails (false: leave it uncommitted for the next owner).
 */
async function handleWithRetry(
  message: ConsumedMessage,
  handler: MessageHandler,
  options: EachMessageOptions,
  heartbeat: () => Promise<void>,
  signal: AbortSignal,
  client: KafkaClient,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handler(message);
      return true;
    } catch (error) {
      const retryable = isTidemarkError(error) && error.retryable;
      const where = { topic: message.topic, partition: message.partition, offset: message.offset };
      if (!retryable) {
        client.logger.warn('message failed for good: dead-lettering', {
          ...where,
          error: describeError(error),
        });
        return publishDeadLetter(message, error, options, heartbeat, signal, client);
      }
      if (signal.aborted) return false;
      const delay = backoffDelayMs(attempt, options.retry, Math.random, error.retryAfterMs);
      client.logger.warn('message failed, retrying', {
        ...where,
        attempt,
        delayMs: delay,
        error: describeError(error),
      });
      await sleep(delay, signal);
      await heartbeat();
    }
  }
}

// The dead-letter write itself must not be lost: it is retried like any transient
// failure, and only a stop leaves the message uncommitted (false) for the next owner.
async function publishDeadLetter(
  message: ConsumedMessage,
  failure: unknown,
  options: EachMessageOptions,
  heartbeat: () => Promise<void>,
  signal: AbortSignal,
  client: KafkaClient,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await options.deadLetter.publish(message, failure);
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      client.logger.error('dead-letter publish failed, retrying', {
        attempt,
        error: describeError(error),
      });
      await sleep(backoffDelayMs(attempt, options.retry), signal);
      await heartbeat();
    }
  }
}

function toConsumed(topic: string, partition: number, raw: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    key: raw.key,
    value: raw.value,
    headers: raw.headers ?? {},
  };
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
