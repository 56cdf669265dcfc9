export { createKafkaClient } from './client.js';
export type { KafkaClient, KafkaDeps } from './client.js';
export { KafkaSettingsSchema } from './settings.js';
export type { KafkaSettings, KafkaLogger } from './settings.js';
export { toKafkaError } from './errors.js';
export { ensureTopics, deleteTopics, TopicSpecSchema } from './topics.js';
export type { TopicSpec, EnsureTopicsResult } from './topics.js';
export { createTransactionalProducer, createProducer } from './producer.js';
export type {
  TransactionalProducer,
  TransactionalProducerOptions,
  TransactionScope,
  PlainProducer,
} from './producer.js';
export { createConsumer } from './consumer.js';
export { committedOffsetsIn } from './probe.js';
export type { OffsetRange, CommittedProbeOptions } from './probe.js';
export type {
  ConsumerOptions,
  EachMessageOptions,
  MessageHandler,
  BatchContext,
  TidemarkConsumer,
} from './consumer.js';
export {
  createDeadLetterPublisher,
  readDeadLetterInfo,
  deadLetterHeaders,
  DeadLetterInfoSchema,
} from './dead-letter.js';
export type { DeadLetterPublisher, DeadLetterInfo } from './dead-letter.js';
export { headerValue, headersToStrings } from './messages.js';
export type { OutgoingMessage, ConsumedMessage } from './messages.js';
export { onShutdownSignal } from './shutdown.js';
export type { ShutdownOptions } from './shutdown.js';
export { eventToMessage, messageToEvent } from './cloud-events.js';
export type { ReceivedEvent } from './cloud-events.js';
export { readStateTopic } from './state-topic.js';
export type { ReadStateOptions } from './state-topic.js';
