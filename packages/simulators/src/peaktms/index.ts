// The PeakTMS simulator: the REST API (objects, history logs, files, value lists, users,
// resource availability, maintenance windows) with /login, on the framework.
export { startPeaktmsSimulator } from './simulator.js';
export type {
  PeaktmsAdmin,
  PeaktmsCredentials,
  PeaktmsSimulator,
  PeaktmsSimulatorOptions,
} from './simulator.js';
export { main as peaktmsMain, PEAKTMS_USAGE } from './main.js';
export { PeakDb, diff as peaktmsDiff, peaktmsJournalEntrySchema } from './db.js';
export type {
  HistoryChange as PeaktmsHistoryChange,
  HistoryEntry as PeaktmsHistoryEntry,
  PeakChangeContext,
  PeakRecord,
  PeaktmsJournalEntry,
  WireAttribute,
} from './db.js';
export { validateAttribute, approveStates } from './attributes.js';
export type { AttributeContext, AttributeResult } from './attributes.js';
export {
  dataTypes,
  objectKinds as peaktmsObjectKinds,
  defaultTypes as peaktmsDefaultTypes,
} from './catalogue.js';
export type { AttributeDef, DataType, ObjectKind, PeakUser, TypeDef } from './catalogue.js';
export {
  attributeOperators,
  executeQuery,
  queryBodySchema as peaktmsQueryBodySchema,
  readHistory,
  DEFAULT_PAGE_SIZE as PEAKTMS_DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE as PEAKTMS_MAX_PAGE_SIZE,
} from './query.js';
export type { HistoryPage, HistoryQuery, QueryBody, QueryPage } from './query.js';
export { SESSION_TOKEN_TTL_SECONDS as PEAKTMS_SESSION_TOKEN_TTL_SECONDS } from './auth.js';
export type { ApiTokenSpec } from './auth.js';
export { maintenanceWindowInputSchema } from './maintenance.js';
export type { MaintenanceWindowInput } from './maintenance.js';
export { API_PREFIX as PEAKTMS_API_PREFIX, DEFAULT_HISTORY_PAGE_SIZE } from './routes.js';
export { formatZoned, parseZoned, zoneOffsetMinutes } from './zoned.js';
export { DEFAULT_PEAKTMS_WORKLOAD_KINDS } from './workload-driver.js';
export { peaktmsTestClient } from './testing.js';
export type { PeaktmsTestAnswer, PeaktmsTestClient } from './testing.js';
