import {
  createTransactionalProducer,
  readStateTopic,
  type KafkaClient,
  type OutgoingMessage,
  type TopicSpec,
  type TransactionalProducer,
} from '@tidemark/kafka';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint.js';

/**
 * The largest checkpoint record: a source's state can hold a window of recently emitted
 * records (ZeyOS: about 40 bytes per record changed within the lookback), which a burst can
 * push past Kafka's default of 1 MB per message; a checkpoint that cannot be written stops the
 * stream. 16 MiB holds about 400,000 such entries.
 */
export const CHECKPOINT_MAX_BYTES = 16 * 1024 * 1024;

/** The spec of a poller checkpoint topic: compacted, and room for large checkpoints. */
export function checkpointTopicSpec(
  name: string,
  defaults: { partitions?: number; replicationFactor?: number } = {},
): TopicSpec {
  return {
    name,
    ...defaults,
    cleanupPolicy: 'compact',
    config: { 'max.message.bytes': String(CHECKPOINT_MAX_BYTES) },
  };
}

/** Messages for one topic within a commit. */
export interface TopicBatch {
  topic: string;
  messages: readonly OutgoingMessage[];
}

/**
 * The publishing port of one stream: everything of one poll and the stream's checkpoint become
 * visible together, or not at all.
 */
export interface StreamPublisher {
  /**
   * Takes ownership of the stream (fencing any other writer of it) and returns its last
   * committed checkpoint, or undefined for a new stream.
   */
  open(): Promise<Checkpoint | undefined>;
  /** One transaction: `batches` and `checkpoint`. KAFKA_FENCED when another owner took over. */
  commit(batches: readonly TopicBatch[], checkpoint: Checkpoint): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaStreamPublisherSettings {
  /** One per stream, e.g. `tidemark.poller.zeyos.acme.accounts`. */
  transactionalId: string;
  /** Compacted topic of checkpoints, e.g. `tidemark.checkpoints`. */
  checkpointTopic: string;
  /** Key of this stream's checkpoint. */
  streamId: string;
  /** Default 60 000 ms. */
  transactionTimeoutMs?: number;
}

/**
 * The Kafka adapter of {@link StreamPublisher}. `open` first claims the transactional id (the
 * broker aborts whatever a previous owner left open and fences it), then reads the checkpoint
 * topic to its end with read_committed: the value found is exactly the last committed one.
 */
export function createKafkaStreamPublisher(
  client: KafkaClient,
  settings: KafkaStreamPublisherSettings,
): StreamPublisher {
  let producer: TransactionalProducer | undefined;
  return {
    async open() {
      if (producer !== undefined) await producer.close().catch(() => undefined);
      producer = undefined;
      producer = await createTransactionalProducer(client, {
        transactionalId: settings.transactionalId,
        ...(settings.transactionTimeoutMs === undefined
          ? {}
          : { transactionTimeoutMs: settings.transactionTimeoutMs }),
      });
      const latest = await readStateTopic(client, settings.checkpointTopic, {
        keyFilter: (key) => key === settings.streamId,
      });
      const bytes = latest.get(settings.streamId);
      return bytes === undefined ? undefined : decodeCheckpoint(bytes);
    },
    async commit(batches, checkpoint) {
      const owner = producer;
      if (owner === undefined) throw new Error('stream publisher is not open');
      await owner.transaction(async (tx) => {
        for (const batch of batches) {
          if (batch.messages.length > 0) await tx.send(batch.topic, batch.messages);
        }
        await tx.send(settings.checkpointTopic, [
          { key: settings.streamId, value: encodeCheckpoint(checkpoint) },
        ]);
      });
    },
    async close() {
      const owner = producer;
      producer = undefined;
      await owner?.close();
    },
  };
}
