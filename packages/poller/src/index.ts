/**
 * @tidemark/poller: the one poller runtime. Each system contributes a ChangeSource (how to
 * read changes after a position); the runtime does the rest: schedule, checkpoint, one Kafka
 * transaction per poll, dead letters, heartbeats, tracing.
 */
export type { ChangeSource, PollContext, PollResult, SourceItem, StartMode } from './source.js';
export { CheckpointSchema, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';
export {
  CHECKPOINT_MAX_BYTES,
  checkpointTopicSpec,
  createKafkaStreamPublisher,
} from './publisher.js';
export type { KafkaStreamPublisherSettings, StreamPublisher, TopicBatch } from './publisher.js';
export { createPoller } from './runtime.js';
export type {
  Poller,
  PollerDeps,
  PollerObserver,
  PollerSettings,
  StreamTopics,
} from './runtime.js';
export { backfillAction } from './backfill-action.js';
export { IdSet } from './id-set.js';
export { canonicalJson, stateHash } from './hash.js';
export { checkPollEnv, pollEnvShape, pollSettingsFromEnv, pollStreamNames } from './env.js';
export type { PageSizeBounds, PollEnv, PollSettings, PollStreamNames } from './env.js';
export { runPollerService } from './service.js';
export type { PollerServiceConfig, PollerServiceSpec, SourceConnection } from './service.js';
