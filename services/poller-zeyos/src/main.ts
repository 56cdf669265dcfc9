#!/usr/bin/env node
/**
 * poller-zeyos: the composition root. The shared poller service (metrics, readiness, signals,
 * the operational server, Kafka, one runtime per stream) with what is ZeyOS's: its
 * configuration, its client and a change source per entity; no polling logic lives here.
 */
import { runPollerService } from '@tidemark/poller';
import { createZeyosClient } from '@tidemark/zeyos';
import { loadPollerZeyosConfig } from './config.js';
import { createZeyosSource } from './zeyos-source.js';

void runPollerService({
  system: 'zeyos',
  loadConfig: () => loadPollerZeyosConfig(process.env),
  streams: (config) => ({ instance: config.zeyos.instance, entities: config.entities }),
  connect(config, { logger }) {
    const zeyos = createZeyosClient(
      { ...config.zeyos, http: { timeoutMs: 30_000, maxConcurrency: 4 } },
      { logger },
    );
    return {
      source: (entity) =>
        createZeyosSource(zeyos, {
          instance: config.zeyos.instance,
          entity,
          pageSize: config.pageSize,
          lookbackSeconds: config.lookbackSeconds,
          reconcileIntervalMs: config.reconcileIntervalMs,
        }),
      close: () => zeyos.close(),
    };
  },
});
