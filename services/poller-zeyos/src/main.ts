#!/usr/bin/env node
/**
 * poller-zeyos: the composition root. Wires configuration, the ZeyOS client, one change source
 * and one poller runtime per entity, Kafka and the operational HTTP server; no polling logic
 * lives here.
 */
import { describeError, isTidemarkError } from '@tidemark/errors';
import { createKafkaClient, ensureTopics, onShutdownSignal } from '@tidemark/kafka';
import { createMetrics, createReadiness, startOpsServer } from '@tidemark/ops';
import {
  backfillAction,
  checkpointTopicSpec,
  createKafkaStreamPublisher,
  createPoller,
  type Poller,
} from '@tidemark/poller';
import { createLogger } from '@tidemark/telemetry';
import { createZeyosClient } from '@tidemark/zeyos';
import { loadPollerZeyosConfig, streamNames } from './config.js';
import { createZeyosSource } from './zeyos-source.js';

const service = 'poller-zeyos';

async function main(): Promise<void> {
  const config = loadPollerZeyosConfig(process.env);
  const logger = createLogger({ service, level: config.logLevel });
  const metrics = createMetrics({ service });
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
  const readiness = createReadiness(['kafka', 'zeyos']);

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
  const zeyos = createZeyosClient(
    { ...config.zeyos, http: { timeoutMs: 30_000, maxConcurrency: 4 } },
    { logger },
  );
  closers.push(() => zeyos.close());

  const names = config.entities.map((entity) =>
    streamNames(config.topicPrefix, config.zeyos.instance, entity),
  );
  const first = names[0];
  if (first === undefined) throw new Error('no entities configured');
  await ensureTopics(kafka, [
    ...names.map((n) => ({ name: n.events, ...config.kafka.topicDefaults })),
    { name: first.deadLetters, ...config.kafka.topicDefaults },
    { name: first.heartbeats, ...config.kafka.topicDefaults, cleanupPolicy: 'compact' as const },
    checkpointTopicSpec(first.checkpoints, config.kafka.topicDefaults),
  ]);
  if (stopping.signal.aborted) return;

  const freshness = new Map<string, { newestChangeMs: number | null; committedAtMs: number }>();
  const readyStreams = new Set<string>();
  config.entities.forEach((entity, index) => {
    const n = names[index] ?? first;
    const poller = createPoller(
      {
        source: createZeyosSource(zeyos, {
          instance: config.zeyos.instance,
          entity,
          pageSize: config.pageSize,
          lookbackSeconds: config.lookbackSeconds,
          reconcileIntervalMs: config.reconcileIntervalMs,
        }),
        publisher: createKafkaStreamPublisher(kafka, {
          transactionalId: n.transactionalId,
          checkpointTopic: n.checkpoints,
          streamId: n.streamId,
        }),
        logger,
        observer: {
          polled(stream) {
            m.polls.inc({ stream });
            readiness.set('zeyos', true, 'last poll succeeded');
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
            if (code.startsWith('HTTP_')) readiness.set('zeyos', false, code);
            else readiness.set('kafka', false, code);
          },
          ready(stream, ready) {
            if (ready) readyStreams.add(stream);
            else readyStreams.delete(stream);
            readiness.set(
              'kafka',
              readyStreams.size === config.entities.length,
              `${readyStreams.size}/${config.entities.length} streams own their checkpoint`,
            );
          },
        },
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

  const gauges = setInterval(() => {
    const now = Date.now();
    for (const [stream, f] of freshness) {
      if (f.newestChangeMs !== null) m.lag.set({ stream }, (now - f.newestChangeMs) / 1000);
      m.checkpointAge.set({ stream }, (now - f.committedAtMs) / 1000);
    }
  }, 1_000);
  gauges.unref();
  closers.push(() => Promise.resolve(clearInterval(gauges)));
  logger.info('polling', { entities: config.entities, instance: config.zeyos.instance });

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

main().catch((error: unknown) => {
  process.stderr.write(`${service}: ${describeError(error)}\n`);
  process.exit(1);
});
