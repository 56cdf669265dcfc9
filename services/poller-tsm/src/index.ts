/**
 * @tidemark/poller-tsm: tSM entities into Kafka, exactly once. The change source (an adapter
 * over @tidemark/tsm), its pure cursor, and the configuration; `main.ts` is the service.
 */
export { createTsmSource } from './tsm-source.js';
export type { TsmSourceSettings } from './tsm-source.js';
export { loadPollerTsmConfig, streamNames } from './config.js';
export type { PollerTsmConfig } from './config.js';
export { applyPage, initialState, nextQuery, windowStart } from './core/cursor.js';
export type {
  CursorSettings,
  PageOutcome,
  PageQuery,
  RawRecord,
  RecordValidator,
  StartPosition,
} from './core/cursor.js';
export { applyLogPage, applyReconciliation, logEntrySchema } from './core/deletes.js';
export { cloneState, decodeState, encodeState } from './core/state.js';
export {
  applyBackfillPage,
  backfillQuery,
  isBackfillTurn,
  startBackfill,
} from './core/backfill.js';
export type { DeleteTracking, KeysetPos, SeenEntry, TsmBackfill, TsmState } from './core/state.js';
