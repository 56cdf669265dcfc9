#!/usr/bin/env node
/**
 * poller-peaktms: the composition root. The shared poller service (metrics, readiness,
 * signals, the operational server, Kafka, one runtime per stream) with what is PeakTMS's: its
 * configuration, its client, the maintenance-window gate all streams share and a change source
 * per object kind; no polling logic lives here.
 */
import { createPeaktmsClient } from '@tidemark/peaktms';
import { runPollerService } from '@tidemark/poller';
import { loadPollerPeaktmsConfig } from './config.js';
import { createMaintenanceGate } from './maintenance-gate.js';
import { createPeaktmsSource } from './peaktms-source.js';

void runPollerService({
  system: 'peaktms',
  loadConfig: () => loadPollerPeaktmsConfig(process.env),
  streams: (config) => ({ instance: config.peaktms.instance, entities: config.kinds }),
  connect(config, { logger }) {
    const { instance, ...connection } = config.peaktms;
    const peaktms = createPeaktmsClient(
      {
        ...connection,
        historyPageSize: config.pageSize,
        http: { timeoutMs: 30_000, maxConcurrency: 8 },
      },
      { logger },
    );
    // One gate for every stream: the windows are the server's, read once per refresh.
    const maintenance = createMaintenanceGate(
      peaktms,
      { refreshIntervalMs: config.maintenanceRefreshMs, marginMs: config.maintenanceMarginMs },
      { logger },
    );
    return {
      source: (kind) =>
        createPeaktmsSource(
          peaktms,
          { instance, kind, pageSize: config.pageSize, lookbackMs: config.lookbackMs },
          { maintenance },
        ),
      close: () => peaktms.close(),
    };
  },
});
