/**
 * The composition every poller service shares: metrics, readiness, signal handling, the
 * operational server with its `/backfill` action, Kafka, topics and one runtime per stream.
 * A service's main.ts passes only what is its system's: the configuration, the client and a
 * change source per entity.
 */
import { describeError, isTidemarkError } from '@tidemark/errors';
import type { System } from '@tidemark/events';
import {
  createKafkaClient,
  ensureTopics,
  onShutdownSignal,
  type KafkaSettings,
} from '@tidemark/kafka';
import {
  createMetrics,
  createReadiness,
  startOpsServer,
  type Metrics,
  type Readiness,
} from '@tidemark/ops';
import { createLogger, type LogLevel, type Logger } from '@tidemark/telemetry';
import { backfillAction } from './backfill-action.js';
import { pollStreamNames } from './env.js';
import { checkpointTopicSpec, createKafkaStreamPublisher } from './publisher.js';
import { createPoller, type Poller, type PollerObserver } from './runtime.js';
import type { ChangeSource, StartMode } from './source.js';

/** What the composition reads of a service's configuration (see `pollSettingsFromEnv`). */
export interface PollerServiceConfig {
  kafka: KafkaSettings & { topicDefaults: { partitions: number; replicationFactor: number } };
  httpPort: number;
  logLevel: LogLevel;
  topicPrefix: string;
  startMode: StartMode;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  shutdownGraceMs: number;
}

/** The source system once connected: a change source per entity, and how to let go of it. */
export interface SourceConnection<E extends string = string> {
  /** Called once per entity after the topics exist. */
  source(entity: E): ChangeSource<unknown>;
  /** Runs at shutdown, after every stream has stopped. */
  close(): Promise<void>;
}

export interface PollerServiceSpec<C extends PollerServiceConfig, E extends string = string> {
  /** Names the service (`poller-<system>`), its readiness check of the source, its streams. */
  system: System;
  /** Reads the configuration; a throw ends the process with the problems on stderr. */
  loadConfig(): C;
  /** The installation and the entities (one stream each) the configuration names. */
  streams(config: C): { instance: string; entities: readonly E[] };
  /** Creates the system's client; called once the operational endpoints listen. */
  connect(config: C, deps: { logger: Logger }): SourceConnection<E>;
}

/**
 * Runs a poller service until SIGTERM (exit 0 after draining) or until a stream stops on its
 * own (exit 3 when fenced by another instance, else 1). Never rejects: every failure ends the
 * process with its description.
 */
export async function runPollerService<C extends PollerServiceConfig, E extends string>(
  spec: PollerServiceSpec<C, E>,
): Promise<void> {
  const service = `poller-${spec.system}`;
  try {
    await run(spec, service);
  } catch (error) {
    process.stderr.write(`${service}: ${describeError(error)}\n`);
    process.exit(1);
  }
}

async function run<C extends PollerServiceConfig, E extends string>(
  spec: PollerServiceSpec<C, E>,
  service: string,
): Promise<void> {
  const config = spec.loadConfig();
  const logger = createLogger({ service, level: config.logLevel });
  const metrics = createMetrics({ service });
  const readiness = createReadiness(['kafka', spec.system]);

  // Signals are handled from here on, start-up included: a SIGTERM while topics are being
  // created stops as cleanly as one while polling. Each step registers what it must close.
  const stopping = new AbortController();
  const runs: Promise<void>[] = [];
  const closers: (() => Promise<void>)[] = [];
  onShutdownSignal(
    async () => {
      // Stop intake: each stream finishes (commits or aborts) its open poll, then closes.
      stopping.abort();
      await Promise.allSettled(runs);
      for (const close of closers.reverse()) await close();
      logger.info('stopped');
    },
    { graceMs: config.shutdownGraceMs, logger },
  );

  // Filled as the streams start; the backfill action looks streams up here.
  const pollers = new Map<string, Poller>();
  const ops = await startOpsServer({
    port: config.httpPort,
    metrics,
    readiness,
    actions: { '/backfill': backfillAction(pollers) },
  });
  closers.push(() => ops.close());
  logger.info('operational endpoints listening', { port: ops.port });

  const kafka = createKafkaClient(config.kafka, { logger });
  const connection = spec.connect(config, { logger });
  closers.push(() => connection.close());

  const { instance, entities } = spec.streams(config);
  const names = entities.map((entity) =>
    pollStreamNames(config.topicPrefix, spec.system, instance, entity),
  );
  const first = names[0];
  if (first === undefined) throw new Error('no entities configured');
  const topicDefaults = config.kafka.topicDefaults;
  await ensureTopics(kafka, [
    ...names.map((n) => ({ name: n.events, ...topicDefaults })),
    { name: first.deadLetters, ...topicDefaults },
    { name: first.heartbeats, ...topicDefaults, cleanupPolicy: 'compact' as const },
    // Checkpoints may be large (known-id sets): the topic allows it.
    checkpointTopicSpec(first.checkpoints, topicDefaults),
  ]);
  if (stopping.signal.aborted) return;

  const observer = streamObserver(metrics, readiness, logger, spec.system, entities.length);
  entities.forEach((entity, index) => {
    const n = names[index] ?? first;
    const poller = createPoller(
      {
        source: connection.source(entity),
        publisher: createKafkaStreamPublisher(kafka, {
          transactionalId: n.transactionalId,
          checkpointTopic: n.checkpoints,
          streamId: n.streamId,
        }),
        logger,
        observer: observer.observer,
      },
      {
        streamId: n.streamId,
        topics: { events: n.events, deadLetters: n.deadLetters, heartbeats: n.heartbeats },
        startMode: config.startMode,
        pollIntervalMs: config.pollIntervalMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
      },
    );
    pollers.set(n.streamId, poller);
    runs.push(poller.run(stopping.signal));
  });

  const gauges = setInterval(observer.updateGauges, 1_000);
  gauges.unref();
  closers.push(() => Promise.resolve(clearInterval(gauges)));
  logger.info('polling', { entities, instance });

  try {
    await Promise.all(runs);
  } catch (error) {
    // A fenced stream: another instance owns it now. Leave so an orchestrator can see it.
    logger.error('a stream stopped', { error: describeError(error) });
    stopping.abort();
    await Promise.allSettled(runs);
    process.exit(isTidemarkError(error) && error.code === 'KAFKA_FENCED' ? 3 : 1);
  }
}

/**
 * The runtime's reports as metrics and readiness: the source check follows the last poll (an
 * HTTP failure is the source's, anything else Kafka's); Kafka is ready once every stream owns
 * its checkpoint. Lag and checkpoint age are gauges refreshed by `updateGauges`.
 */
function streamObserver(
  metrics: Metrics,
  readiness: Readiness,
  logger: Logger,
  sourceCheck: string,
  streamCount: number,
): { observer: PollerObserver; updateGauges: () => void } {
  const m = {
    events: metrics.counter('tidemark_poller_events_total', 'Events committed.', ['stream']),
    polls: metrics.counter('tidemark_poller_polls_total', 'Polls of the source.', ['stream']),
    errors: metrics.counter('tidemark_poller_errors_total', 'Failed polls or commits.', [
      'stream',
      'code',
    ]),
    deadLetters: metrics.counter('tidemark_poller_dead_letters_total', 'Records dead-lettered.', [
      'stream',
    ]),
    heartbeats: metrics.counter('tidemark_poller_heartbeats_total', 'Heartbeats written.', [
      'stream',
    ]),
    lag: metrics.gauge('tidemark_poller_lag_seconds', 'Now minus the newest source change seen.', [
      'stream',
    ]),
    checkpointAge: metrics.gauge(
      'tidemark_poller_checkpoint_age_seconds',
      'Now minus the last committed checkpoint.',
      ['stream'],
    ),
  };
  const freshness = new Map<string, { newestChangeMs: number | null; committedAtMs: number }>();
  const readyStreams = new Set<string>();
  const observer: PollerObserver = {
    polled(stream) {
      m.polls.inc({ stream });
      readiness.set(sourceCheck, true, 'last poll succeeded');
    },
    committed(stream, info) {
      m.events.inc({ stream }, info.events);
      m.deadLetters.inc({ stream }, info.deadLetters);
      if (info.heartbeat) {
        m.heartbeats.inc({ stream });
        logger.info('heartbeat', { stream, newestChangeMs: info.newestChangeMs });
      }
      freshness.set(stream, {
        newestChangeMs: info.newestChangeMs,
        committedAtMs: info.committedAtMs,
      });
    },
    failed(stream, error) {
      const code = isTidemarkError(error) ? error.code : 'INTERNAL';
      m.errors.inc({ stream, code });
      if (code.startsWith('HTTP_')) readiness.set(sourceCheck, false, code);
      else readiness.set('kafka', false, code);
    },
    ready(stream, ready) {
      if (ready) readyStreams.add(stream);
      else readyStreams.delete(stream);
      readiness.set(
        'kafka',
        readyStreams.size === streamCount,
        `${readyStreams.size}/${streamCount} streams own their checkpoint`,
      );
    },
  };
  return {
    observer,
    updateGauges: () => {
      const now = Date.now();
      for (const [stream, f] of freshness) {
        if (f.newestChangeMs !== null) m.lag.set({ stream }, (now - f.newestChangeMs) / 1000);
        m.checkpointAge.set({ stream }, (now - f.committedAtMs) / 1000);
      }
    },
  };
}
