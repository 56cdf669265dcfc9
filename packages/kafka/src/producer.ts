import kafkajs from 'kafkajs';
import type { Producer, Transaction } from 'kafkajs';
import { TidemarkError } from '@tidemark/errors';
import type { KafkaClient } from './client.js';
import { toKafkaError } from './errors.js';
import type { OutgoingMessage } from './messages.js';

const { Partitioners } = kafkajs;

/** What the work inside a transaction may do. */
export interface TransactionScope {
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface TransactionalProducer {
  /**
   * Runs `work` inside one Kafka transaction: everything it sends becomes visible to
   * read_committed consumers together, at commit, or never. A throw aborts. A fenced
   * producer (another instance took over the transactional id) gives KAFKA_FENCED and
   * must not be used again.
   */
  transaction<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface TransactionalProducerOptions {
  /** One per stream: a second instance with the same id fences the first. */
  transactionalId: string;
  /** Default 60 000 ms: the broker aborts a transaction left open longer. */
  transactionTimeoutMs?: number;
}

export async function createTransactionalProducer(
  client: KafkaClient,
  options: TransactionalProducerOptions,
): Promise<TransactionalProducer> {
  const producer = client.kafka.producer({
    transactionalId: options.transactionalId,
    transactionTimeout: options.transactionTimeoutMs ?? 60_000,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await producer.connect();
    // kafkajs registers the transactional id (InitProducerId, which bumps the epoch and
    // fences any older holder) only when the first transaction begins. Claim it now, so
    // that the instance started last is the one that owns the stream.
    const claim = await producer.transaction();
    await claim.abort();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw toKafkaError(error, 'connect transactional producer');
  }
  let fenced = false;
  let closed = false;

  return {
    async transaction<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
      if (closed) throw new TidemarkError('ABORTED', 'transactional producer is closed');
      if (fenced) throw new TidemarkError('KAFKA_FENCED', 'transactional producer was fenced');
      let transaction: Transaction;
      try {
        transaction = await producer.transaction();
      } catch (error) {
        throw remember(toKafkaError(error, 'begin transaction'));
      }
      try {
        const result = await work({
          send: async (topic, messages) => {
            await transaction.send({ topic, messages: messages.map(toKafkaJsMessage) });
          },
        });
        await transaction.commit();
        return result;
      } catch (error) {
        const mapped = remember(toKafkaError(error, 'transaction'));
        if (!fenced && transaction.isActive()) {
          // Abort so the broker discards the partial writes now rather than at timeout;
          // if the abort fails too the broker's transaction timeout still discards them.
          await transaction.abort().catch((abortError: unknown) => {
            client.logger.warn('transaction abort failed', { error: String(abortError) });
          });
        }
        throw mapped;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await producer.disconnect();
    },
  };

  function remember(error: TidemarkError): TidemarkError {
    if (error.code === 'KAFKA_FENCED') fenced = true;
    return error;
  }
}

/** A plain idempotent producer, for dead letters and tools. */
export interface PlainProducer {
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export async function createProducer(client: KafkaClient): Promise<PlainProducer> {
  const producer: Producer = client.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await producer.connect();
  } catch (error) {
    throw toKafkaError(error, 'connect producer');
  }
  return {
    async send(topic, messages) {
      try {
        await producer.send({ topic, acks: -1, messages: messages.map(toKafkaJsMessage) });
      } catch (error) {
        throw toKafkaError(error, `produce to ${topic}`);
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}

function toKafkaJsMessage(message: OutgoingMessage) {
  return {
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    ...(message.timestamp === undefined ? {} : { timestamp: message.timestamp }),
  };
}
