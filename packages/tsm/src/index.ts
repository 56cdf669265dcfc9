/**
 * @tidemark/tsm: the typed client of the tSM Public API v2 (create, get, put, merge-patch,
 * delete, bulk, page, search, log of every entity under its module's base path), its filter
 * builder and query strings, the entity schemas, and OAuth 2.0 / static token / API key auth.
 */
export { createTsmClient } from './client.js';
export type {
  TsmBulkPatch,
  TsmClient,
  TsmClientDeps,
  TsmCreateOptions,
  TsmCreateResult,
  TsmDeleteOptions,
  TsmEntityClient,
  TsmEntityOptions,
  TsmGetOptions,
  TsmKnownRecord,
  TsmLogQuery,
  TsmPagesOptions,
  TsmRawRecord,
  TsmUpdateOptions,
  TsmWrite,
} from './client.js';
export { filterParams, formatFilterValue, tsmFilterOperators, where } from './filter.js';
export type { TsmFilterCondition, TsmFilterOperator, TsmFilterScalar } from './filter.js';
export {
  DEFAULT_PAGE_SIZE,
  encodeQuery,
  encodeQueryComponent,
  expandQueryString,
  idOrCodesQueryString,
  listParams,
  pageQueryString,
  searchQueryString,
  sortParam,
} from './list-query.js';
export type { TsmListQuery, TsmPageQuery, TsmSearchQuery, TsmSort } from './list-query.js';
export { MERGE_PATCH_CONTENT_TYPE, applyMergePatch, createMergePatch } from './merge-patch.js';
export type { MergePatch } from './merge-patch.js';
export { readBulk, readItems, readPage } from './responses.js';
export type { TsmBulkItem, TsmPage } from './responses.js';
export {
  tsmAuditInfoSchema,
  tsmCustomerSchema,
  tsmEntityCatalogSchema,
  tsmEntitySchemas,
  tsmErrorBodySchema,
  tsmIdSchema,
  tsmLogEntrySchema,
  tsmPageBodySchema,
  tsmRecordSchema,
  tsmRegisterValueSchema,
  tsmTicketSchema,
  tsmUserSchema,
} from './schemas.js';
export type {
  KnownTsmEntity,
  TsmAuditInfo,
  TsmCustomer,
  TsmEntityCatalog,
  TsmErrorBody,
  TsmLogEntry,
  TsmRecord,
  TsmRegisterValue,
  TsmTicket,
  TsmUser,
} from './schemas.js';
export {
  createTsmTokenProvider,
  jwtExpiresAtMs,
  tokenExpiresAtMs,
  tsmTokenResponseSchema,
} from './auth.js';
export type { TsmTokenProvider, TsmTokenProviderDeps, TsmTokenProviderOptions } from './auth.js';
export {
  TsmApiError,
  classifyConflict,
  isTsmApiError,
  isTsmVersionConflict,
  toTsmError,
  tsmErrorBody,
  tsmErrorText,
  tsmFieldErrors,
} from './errors.js';
export type { TsmConflictKind, TsmFieldError, TsmOperation } from './errors.js';
export {
  DEFAULT_TSM_MODULES,
  TsmAuthSchema,
  TsmClientSettingsSchema,
  resolveTsmClientSettings,
  tsmGrantTypes,
} from './settings.js';
export type {
  ResolvedTsmAuth,
  ResolvedTsmClientSettings,
  TsmAuthSettings,
  TsmClientSettings,
} from './settings.js';
export { checkTsmEnv, tsmConnectionFromEnv, tsmEnvShape } from './env.js';
export type { TsmEnv } from './env.js';
