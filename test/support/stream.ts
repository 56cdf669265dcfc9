/**
 * One stream of a poller as the tests run it in process: its own topics under a fresh prefix,
 * and the runtime wired like runPollerService wires it (test timings, Kafka publisher).
 */
import { isTidemarkError } from '@tidemark/errors';
import { ensureTopics, type KafkaClient } from '@tidemark/kafka';
import {
  checkpointTopicSpec,
  createKafkaStreamPublisher,
  createPoller,
  type ChangeSource,
  type PollStreamNames,
  type PollerObserver,
  type StartMode,
} from '@tidemark/poller';
import { createLogger } from '@tidemark/telemetry';

/** Creates the stream's topics; returns their names, for deleting them after the test. */
export async function createStreamTopics(
  client: KafkaClient,
  names: PollStreamNames,
): Promise<string[]> {
  const specs = [
    { name: names.events, partitions: 3 },
    { name: names.deadLetters, partitions: 3 },
    { name: names.heartbeats, partitions: 3, cleanupPolicy: 'compact' as const },
    checkpointTopicSpec(names.checkpoints, { partitions: 3 }),
  ];
  // A busy broker answers topic creation with transient errors now and then.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(client, specs);
      break;
    } catch (error) {
      if (attempt >= 5 || !isTidemarkError(error) || !error.retryable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  return [names.events, names.deadLetters, names.heartbeats, names.checkpoints];
}

export interface InProcessPoller {
  stop(): Promise<void>;
  /** Settles when the run ends: undefined, or the error (KAFKA_FENCED). */
  done: Promise<unknown>;
}

/** Runs `source` as the stream `names` in this process until stopped. */
export function runStream(
  kafka: KafkaClient,
  names: PollStreamNames,
  source: ChangeSource<unknown>,
  options: {
    /** Names the log of TIDEMARK_TEST_LOG=1. */
    service: string;
    startMode?: StartMode;
    pollIntervalMs?: number;
    observer?: PollerObserver;
  },
): InProcessPoller {
  const poller = createPoller(
    {
      source,
      publisher: createKafkaStreamPublisher(kafka, {
        transactionalId: names.transactionalId,
        checkpointTopic: names.checkpoints,
        streamId: names.streamId,
      }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
      // TIDEMARK_TEST_LOG=1 shows the runtime's log when a run needs explaining.
      ...(process.env['TIDEMARK_TEST_LOG'] === '1'
        ? { logger: createLogger({ service: options.service, level: 'info' }) }
        : {}),
    },
    {
      streamId: names.streamId,
      topics: {
        events: names.events,
        deadLetters: names.deadLetters,
        heartbeats: names.heartbeats,
      },
      startMode: options.startMode ?? { mode: 'snapshot' },
      pollIntervalMs: options.pollIntervalMs ?? 100,
      heartbeatIntervalMs: 2_000,
      retry: { baseDelayMs: 50, maxDelayMs: 1_000 },
    },
  );
  const controller = new AbortController();
  const done = poller.run(controller.signal).then(
    () => undefined,
    (error: unknown) => error,
  );
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
