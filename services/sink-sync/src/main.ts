#!/usr/bin/env node
/**
 * sink-sync: the composition root. Configuration, the rule file, one client per target system
 * the rules write into, the sink on Kafka and the operational HTTP server; no sync logic here.
 */
import { readFileSync } from 'node:fs';
import { TidemarkError, describeError } from '@tidemark/errors';
import type { System } from '@tidemark/events';
import { createKafkaClient, onShutdownSignal } from '@tidemark/kafka';
import { createMetrics, createReadiness, startOpsServer } from '@tidemark/ops';
import { loadRules } from '@tidemark/sync-rules';
import { createLogger } from '@tidemark/telemetry';
import { createTsmClient } from '@tidemark/tsm';
import { createZeyosClient } from '@tidemark/zeyos';
import { loadSinkSyncConfig, loadTsmTarget, loadZeyosTarget } from './config.js';
import { startSyncSink } from './sink.js';
import { checkTargets } from './sync.js';
import type { SyncTarget } from './targets/target.js';
import { tsmTarget } from './targets/tsm-target.js';
import { zeyosTarget } from './targets/zeyos-target.js';

const service = 'sink-sync';

async function main(): Promise<void> {
  const config = loadSinkSyncConfig(process.env);
  const logger = createLogger({ service, level: config.logLevel });
  const rules = loadRules(readFileSync(config.rulesFile, 'utf8'), config.rulesFile);

  const closers: (() => Promise<void>)[] = [];
  const targets = new Map<System, SyncTarget>();
  const wanted = new Set(rules.rules.map(({ rule }) => rule.to.system));
  if (wanted.has('zeyos')) {
    const client = createZeyosClient(
      { ...loadZeyosTarget(process.env), http: { timeoutMs: 30_000, maxConcurrency: 4 } },
      { logger },
    );
    closers.push(() => client.close());
    targets.set('zeyos', zeyosTarget(client));
  }
  if (wanted.has('tsm')) {
    const client = createTsmClient(
      { ...loadTsmTarget(process.env), http: { timeoutMs: 30_000, maxConcurrency: 4 } },
      { logger },
    );
    closers.push(() => client.close());
    targets.set('tsm', tsmTarget(client));
  }
  const problems = checkTargets(rules, targets);
  if (problems.length > 0) {
    throw new TidemarkError('CONFIG_INVALID', `the rules cannot run:\n  ${problems.join('\n  ')}`);
  }

  const metrics = createMetrics({ service });
  const m = {
    applied: metrics.counter('tidemark_sync_applied_total', 'Writes made.', ['rule', 'action']),
    skipped: metrics.counter('tidemark_sync_skipped_total', 'Rule outcomes with no write.', [
      'rule',
      'reason',
    ]),
    echoes: metrics.counter('tidemark_sync_echoes_total', 'Events that were own writes.', [
      'system',
      'entity',
    ]),
    conflicts: metrics.counter('tidemark_sync_conflicts_total', 'Version conflicts re-planned.', [
      'rule',
    ]),
    latency: metrics.histogram(
      'tidemark_sync_latency_seconds',
      'From the source change to the target write.',
      ['rule'],
    ),
  };
  const readiness = createReadiness(['kafka']);

  // Signals are handled from here on, start-up included.
  let stop: () => Promise<void> = () => Promise.resolve();
  onShutdownSignal(
    async () => {
      await stop();
      for (const close of closers.reverse()) await close();
      logger.info('stopped');
    },
    { graceMs: config.shutdownGraceMs, logger },
  );
  const ops = await startOpsServer({ port: config.httpPort, metrics, readiness });
  closers.push(() => ops.close());
  logger.info('operational endpoints listening', { port: ops.port });

  const kafka = createKafkaClient(config.kafka, { logger });
  const sink = await startSyncSink(
    kafka,
    {
      rules,
      targets,
      logger,
      observer: {
        applied(rule, action, latencyMs) {
          m.applied.inc({ rule, action });
          m.latency.observe({ rule }, latencyMs / 1000);
        },
        skipped: (rule, reason) => m.skipped.inc({ rule, reason }),
        echo: (system, entity) => m.echoes.inc({ system, entity }),
        conflict: (rule) => m.conflicts.inc({ rule }),
      },
    },
    {
      topicPrefix: config.topicPrefix,
      sessionTimeoutMs: config.sessionTimeoutMs,
      ...(config.groupId === undefined ? {} : { groupId: config.groupId }),
    },
  );
  stop = () => sink.stop();
  readiness.set('kafka', true, `consuming; ${sink.idMapSize} links loaded`);
  logger.info('syncing', { rules: rules.rules.map(({ rule }) => rule.name) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${service}: ${describeError(error)}\n`);
  process.exit(1);
});
