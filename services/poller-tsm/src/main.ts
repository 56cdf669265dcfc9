#!/usr/bin/env node
/**
 * poller-tsm: the composition root. The shared poller service (metrics, readiness, signals,
 * the operational server, Kafka, one runtime per stream) with what is tSM's: its
 * configuration, its client and a change source per entity; no polling logic lives here.
 */
import { runPollerService } from '@tidemark/poller';
import { createTsmClient } from '@tidemark/tsm';
import { loadPollerTsmConfig } from './config.js';
import { createTsmSource } from './tsm-source.js';

void runPollerService({
  system: 'tsm',
  loadConfig: () => loadPollerTsmConfig(process.env),
  streams: (config) => ({ instance: config.tsm.instance, entities: config.entities }),
  connect(config, { logger }) {
    const tsm = createTsmClient(
      {
        baseUrl: config.tsm.baseUrl,
        auth: config.tsm.auth,
        http: { timeoutMs: 30_000, maxConcurrency: 4 },
      },
      { logger },
    );
    return {
      source: (entity) =>
        createTsmSource(tsm, {
          instance: config.tsm.instance,
          entity,
          pageSize: config.pageSize,
          lookbackMs: config.lookbackMs,
          safetyLagMs: config.safetyLagMs,
          deletes: config.deletes,
          reconcileIntervalMs: config.reconcileIntervalMs,
        }),
      close: () => tsm.close(),
    };
  },
});
