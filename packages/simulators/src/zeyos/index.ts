// The ZeyOS simulator: REST API v1, legacy auth and OAuth 2.0, on the simulator framework.
export { startZeyosSimulator } from './simulator.js';
export type {
  ZeyosAdmin,
  ZeyosCredentials,
  ZeyosSimulator,
  ZeyosSimulatorOptions,
} from './simulator.js';
export { main as zeyosMain, ZEYOS_USAGE } from './main.js';
export { etagOf, wireRecord, zeyosJournalEntrySchema, ZeyosInstanceDb } from './db.js';
export type { ChangeSource, ZeyosJournalEntry, ZeyosRow } from './db.js';
export {
  compileFilter,
  filterOperators,
  FilterError,
  impliedRange,
  likeToRegExp,
  parseFilter,
} from './filter.js';
export type { FieldAccessor, FilterNode, FilterOperator, KeyRange } from './filter.js';
export { parseListRequest, executeList, DEFAULT_LIMIT, MAX_LIMIT } from './list.js';
export type { ListRequest, ListResult } from './list.js';
export { entityDef, zeyosEntities, zeyosSchemaSource } from './schema.js';
export type { EntityDef, EntityOperation, FieldDef, FieldType } from './schema.js';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  LEGACY_TOKEN_TTL_SECONDS,
} from './auth.js';
export { DEFAULT_WORKLOAD_ENTITIES } from './workload-driver.js';
export { zeyosTestClient } from './testing.js';
export type { TestAnswer, ZeyosTestClient } from './testing.js';
