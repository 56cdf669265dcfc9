export { createPeaktmsSource } from './peaktms-source.js';
export type { PeaktmsSourceDeps, PeaktmsSourceSettings } from './peaktms-source.js';
export { createMaintenanceGate } from './maintenance-gate.js';
export type { MaintenanceGate, MaintenanceGateSettings } from './maintenance-gate.js';
export { loadPollerPeaktmsConfig, streamNames } from './config.js';
export type { PollerPeaktmsConfig } from './config.js';
export {
  afterLogPage,
  applySnapshotPage,
  decodeState,
  encodeState,
  historyQuery,
  initialState,
  snapshotQuery,
  walkPage,
} from './core/cursor.js';
export type { BackfillWalk, PeaktmsState, SnapshotPosition, SnapshotQuery } from './core/cursor.js';
export { applyBackfillPage, isBackfillTurn, passTurn, startBackfill } from './core/backfill.js';
export {
  entriesToItems,
  fieldKey,
  opOf,
  recordAfter,
  recordBefore,
  rfc3339,
} from './core/history.js';
export type { CurrentRecord, HistorySettings } from './core/history.js';
export { pausedUntil, readWindows } from './core/maintenance.js';
export type { MaintenanceWindow } from './core/maintenance.js';
