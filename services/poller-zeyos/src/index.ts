export { createZeyosSource } from './zeyos-source.js';
export type { ZeyosSourceSettings } from './zeyos-source.js';
export { loadPollerZeyosConfig, streamNames } from './config.js';
export type { PollerZeyosConfig } from './config.js';
export {
  applyPage,
  applyReconciliation,
  decodeState,
  encodeState,
  initialState,
  nextQuery,
  startBackfill,
  windowStart,
} from './core/cursor.js';
export type { CursorSettings, PageQuery, RawRow, ZeyosState } from './core/cursor.js';
