/**
 * @tidemark/zeyos: the typed client of the ZeyOS REST API v1 (list, count, get, exists,
 * create, update, delete), its filter builder, the entity schemas generated from the vendor's
 * api.json, and OAuth 2.0 / legacy token handling.
 */
export { createZeyosClient, idFromLocation, parseLastModified, zeyosRowSchema } from './client.js';
export type {
  CreateResult,
  DeleteOptions,
  GetOptions,
  GetResult,
  KnownZeyosEntity,
  PageOptions,
  RecordMeta,
  UpdateResult,
  WriteOptions,
  ZeyosClient,
  ZeyosClientDeps,
  ZeyosRecord,
  ZeyosRow,
  ZeyosSelectedRow,
  ZeyosWrite,
} from './client.js';
export {
  comparisonOperators,
  compileFilter,
  filterOperators,
  isFilter,
  setOperators,
  stringOperators,
  where,
} from './filter.js';
export type {
  ComparisonOperator,
  Filter,
  FilterCondition,
  FilterGroup,
  FilterGroupJson,
  FilterJson,
  FilterOperands,
  FilterOperator,
  FilterScalar,
  GroupOperator,
  SetOperator,
  StringOperator,
} from './filter.js';
export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  buildCountBody,
  buildListBody,
  filterJson,
  sortToken,
} from './list-query.js';
export type { FieldSelection, ListBody, ListQuery, SortKey } from './list-query.js';
export {
  createZeyosTokenProvider,
  legacyLoginResponseSchema,
  oauthTokenResponseSchema,
} from './auth.js';
export type {
  ZeyosTokenProvider,
  ZeyosTokenProviderDeps,
  ZeyosTokenProviderOptions,
} from './auth.js';
export { toZeyosError, zeyosErrorText } from './errors.js';
export type { ZeyosOperation } from './errors.js';
export {
  ZeyosAuthSchema,
  ZeyosClientSettingsSchema,
  resolveZeyosClientSettings,
  zeyosUrls,
} from './settings.js';
export type {
  ResolvedZeyosAuth,
  ResolvedZeyosClientSettings,
  ZeyosAuthSettings,
  ZeyosClientSettings,
  ZeyosUrls,
} from './settings.js';
export * from './generated/entities.js';
export { checkZeyosEnv, zeyosConnectionFromEnv, zeyosEnvShape } from './env.js';
export type { ZeyosEnv } from './env.js';
