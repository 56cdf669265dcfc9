// The tSM simulator: Public API v2 modules and an OAuth 2.0 token endpoint, on the framework.
export { startTsmSimulator } from './simulator.js';
export type { TsmAdmin, TsmCredentials, TsmSimulator, TsmSimulatorOptions } from './simulator.js';
export { main as tsmMain, TSM_USAGE } from './main.js';
export { TsmDb, EntityStore, isUuid, tsmJournalEntrySchema } from './db.js';
export type {
  AuditInfo,
  TsmChangeContext,
  TsmChangeSource,
  TsmJournalEntry,
  TsmLogChange,
  TsmLogEntry,
  TsmRecord,
} from './db.js';
export { mergePatch } from './merge-patch.js';
export {
  FilterError as TsmFilterError,
  addDuration,
  compileFilter as compileTsmFilter,
  filterOperators as tsmFilterOperators,
  likeToRegExp as tsmLikeToRegExp,
  parseDuration,
  parseFilterParams,
  parseInstant,
  parseSort,
} from './filter.js';
export type {
  Duration,
  FilterCondition,
  FilterOperator as TsmFilterOperator,
  SortKey,
} from './filter.js';
export { tsmEntities, tsmEntityDef, tsmModules } from './schema.js';
export type { TsmEntityDef, TsmFieldDef, TsmFieldType, TsmRelationDef } from './schema.js';
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS as TSM_ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS as TSM_REFRESH_TOKEN_TTL_SECONDS,
  TSM_SCOPES,
} from './auth.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, DEFAULT_SEARCH_SIZE, MAX_BULK_ITEMS } from './routes.js';
export { DEFAULT_TSM_WORKLOAD_ENTITIES } from './workload-driver.js';
export { tsmTestClient } from './testing.js';
export type { TsmTestAnswer, TsmTestClient } from './testing.js';
