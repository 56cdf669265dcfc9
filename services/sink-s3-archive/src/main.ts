#!/usr/bin/env node
/**
 * sink-s3-archive: the composition root. Wires configuration, Kafka, S3, the operational HTTP
 * server and the archiver core; no archive logic lives here.
 */
import { backoffDelayMs, describeError, sleep } from '@tidemark/errors';
import {
  createConsumer,
  createKafkaClient,
  onShutdownSignal,
  type TidemarkConsumer,
} from '@tidemark/kafka';
import { createMetrics, createReadiness, startOpsServer } from '@tidemark/ops';
import { createS3Client, putObject, toStorageError } from '@tidemark/s3';
import { createLogger } from '@tidemark/telemetry';
import { loadArchiveConfig } from './config.js';
import { createArchiver } from './core/archiver.js';
import { startLagProbe } from './lag.js';

const service = 'sink-s3-archive';

async function main(): Promise<void> {
  const config = loadArchiveConfig(process.env);
  const logger = createLogger({ service, level: config.logLevel });
  const metrics = createMetrics({ service });
  const m = {
    events: metrics.counter(
      'tidemark_archive_records_total',
      'Records archived (durable and committed).',
      ['topic', 'kind'],
    ),
    bytes: metrics.counter('tidemark_archive_bytes_total', 'Compressed bytes written to S3.', [
      'topic',
    ]),
    objects: metrics.counter('tidemark_archive_objects_total', 'Objects written to S3.', ['topic']),
    uploadSeconds: metrics.histogram(
      'tidemark_archive_upload_seconds',
      'Time to write one object.',
      [],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    uploadFailures: metrics.counter(
      'tidemark_archive_upload_failures_total',
      'Failed upload attempts (retried).',
      ['topic'],
    ),
    buffered: metrics.gauge(
      'tidemark_archive_buffered_bytes',
      'Bytes held in memory for open and pending objects.',
    ),
    lag: metrics.gauge('tidemark_archive_lag_records', 'High watermark minus committed offset.', [
      'topic',
      'partition',
    ]),
    abandoned: metrics.counter(
      'tidemark_archive_abandoned_objects_total',
      'Objects dropped after a rebalance (re-read by the next owner).',
    ),
  };
  const readiness = createReadiness(['kafka', 's3']);
  readiness.set('s3', true, 'no failed upload');
  const ops = await startOpsServer({ port: config.httpPort, metrics, readiness });
  logger.info('operational endpoints listening', { port: ops.port });

  const kafka = createKafkaClient(config.kafka, { logger });
  const s3 = createS3Client(config.s3);
  let consumer: TidemarkConsumer | undefined;

  const archiver = createArchiver(
    {
      store: {
        put: async (key, body) => {
          await putObject(s3, config.s3.bucket, key, body, config.put).catch((error: unknown) => {
            throw toStorageError(error, `put ${key}`);
          });
        },
      },
      committer: {
        commit: async (topic, partition, offset) => {
          if (consumer === undefined) throw new Error('consumer not running');
          await consumer.commit([{ topic, partition, offset }]);
        },
      },
      observer: {
        objectWritten(file, info) {
          const events = file.records - file.rawRecords;
          if (events > 0) m.events.inc({ topic: file.topic, kind: 'event' }, events);
          if (file.rawRecords > 0)
            m.events.inc({ topic: file.topic, kind: 'raw' }, file.rawRecords);
          m.bytes.inc({ topic: file.topic }, info.compressedBytes);
          m.objects.inc({ topic: file.topic });
          m.uploadSeconds.observe(info.uploadMs / 1000);
          readiness.set('s3', true, 'last upload succeeded');
          logger.debug('object written', {
            key: file.key,
            records: file.records,
            bytes: info.compressedBytes,
            uploadMs: info.uploadMs,
          });
        },
        uploadFailed(file, error, attempt) {
          m.uploadFailures.inc({ topic: file.topic });
          readiness.set('s3', false, 'uploads failing, retrying');
          logger.warn('upload failed, retrying', {
            key: file.key,
            attempt,
            error: describeError(error),
          });
        },
        committed(topic, partition, offset) {
          logger.debug('offset committed', { topic, partition, offset });
        },
        commitFailed(topic, partition, error) {
          logger.warn('commit failed', { topic, partition, error: describeError(error) });
        },
        bufferedBytes: (bytes) => m.buffered.set(bytes),
        abandoned(file) {
          m.abandoned.inc();
          logger.info('object abandoned after a rebalance', { key: file.key });
        },
      },
    },
    { ...config.archive, retry: { baseDelayMs: 200, maxDelayMs: 10_000 } },
  );

  // Kafka may come up after us (a local stack, a rolling restart): keep trying to join.
  for (let attempt = 1; consumer === undefined; attempt++) {
    try {
      consumer = await createConsumer(kafka, {
        groupId: config.groupId,
        topicPattern: config.topicPattern,
        metadataMaxAgeMs: config.metadataMaxAgeMs,
        sessionTimeoutMs: config.sessionTimeoutMs,
        partitionsConsumedConcurrently: config.partitionsConcurrently,
        fetch: config.fetch,
        onSkipped: (skip) => archiver.skipped(skip),
        onAssignment(assignment) {
          archiver.reset();
          readiness.set('kafka', true, 'group joined');
          logger.info('partitions assigned', { assignment });
        },
      });
    } catch (error) {
      readiness.set('kafka', false, 'cannot subscribe');
      const delay = backoffDelayMs(attempt, { baseDelayMs: 500, maxDelayMs: 10_000 });
      logger.warn('cannot subscribe, retrying', {
        attempt,
        delayMs: delay,
        error: describeError(error),
      });
      await sleep(delay);
    }
  }
  const running = consumer;
  await running.runEachBatch((batch) => archiver.accept(batch, batch));
  logger.info('archiving', {
    pattern: config.topicPattern.source,
    groupId: config.groupId,
    bucket: config.s3.bucket,
    prefix: config.archive.prefix,
  });

  const ticker = setInterval(() => archiver.tick(Date.now()), 1_000);
  const lag = startLagProbe(
    kafka,
    () => archiver.committedOffsets(),
    (topic, partition, value) => m.lag.set({ topic, partition: String(partition) }, value),
  );

  onShutdownSignal(
    async () => {
      clearInterval(ticker);
      readiness.set('kafka', false, 'shutting down');
      await archiver.drain();
      await running.close();
      await lag.stop();
      await ops.close();
      s3.destroy();
      logger.info('stopped');
    },
    { graceMs: config.shutdownGraceMs, logger },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${service}: ${describeError(error)}\n`);
  process.exit(1);
});
