/**
 * @tidemark/peaktms: the typed client of the PeakTMS REST API (activities, activity series,
 * projects, resources with query and history log; resource availability; files; value lists;
 * users; maintenance windows), `/login` session tokens and long-lived tokens, tolerant schemas,
 * attribute accessors and zoned date-times.
 */
export { createPeaktmsClient } from './client.js';
export type {
  PeaktmsClient,
  PeaktmsClientDeps,
  PeaktmsDeleteOptions,
  PeaktmsDownload,
  PeaktmsHistoryQuery,
  PeaktmsObjectClient,
  PeaktmsQueryPage,
  PeaktmsUpload,
  PeaktmsWrite,
  Signalled,
} from './client.js';
export {
  HISTORY_ENTRY_ARRAY_KEYS,
  HISTORY_ENTRY_ID_KEYS,
  peaktmsHistoryChangeSchema,
  readHistoryPage,
} from './history.js';
export type {
  HistoryRead,
  PeaktmsEntryId,
  PeaktmsHistoryChange,
  PeaktmsHistoryEntry,
  PeaktmsHistoryPage,
} from './history.js';
export {
  attributeValue,
  findAttribute,
  getApproval,
  getBoolean,
  getDate,
  getDecimal,
  getFiles,
  getMultiSelect,
  getNumber,
  getResource,
  getStatus,
  getText,
  getUser,
  getValue,
  getValueListValue,
} from './attributes.js';
export type { PeaktmsApproval, PeaktmsFileRef, WithAttributes } from './attributes.js';
export {
  formatZonedDateTime,
  parseZonedDateTime,
  toPeaktmsDateTime,
  tryParseZonedDateTime,
  zonedToDate,
} from './zoned.js';
export type { PeaktmsDateTimeInput, ZonedDateTime } from './zoned.js';
export {
  listOf,
  peaktmsAttributeSchema,
  peaktmsAttributesSchema,
  peaktmsDataTypes,
  peaktmsErrorBodySchema,
  peaktmsFileDescriptionSchema,
  peaktmsFileSchema,
  peaktmsFilesSchema,
  peaktmsIdSchema,
  peaktmsLoginResponseSchema,
  peaktmsMaintenanceWindowSchema,
  peaktmsObjectKinds,
  peaktmsQueryPageBodySchema,
  peaktmsRecordSchema,
  peaktmsResourceAvailabilitySchema,
  peaktmsUserSchema,
  peaktmsValueListSchema,
} from './schemas.js';
export type {
  PeaktmsAttribute,
  PeaktmsAttributeFilter,
  PeaktmsDataType,
  PeaktmsErrorBody,
  PeaktmsFile,
  PeaktmsFiles,
  PeaktmsLoginResponse,
  PeaktmsMaintenanceWindow,
  PeaktmsObjectKind,
  PeaktmsQueryBody,
  PeaktmsRecord,
  PeaktmsResourceAvailability,
  PeaktmsUser,
  PeaktmsValueList,
} from './schemas.js';
export { createPeaktmsTokenProvider, loginExpiresAtMs, readLoginAnswer } from './auth.js';
export type {
  PeaktmsTokenProvider,
  PeaktmsTokenProviderDeps,
  PeaktmsTokenProviderOptions,
} from './auth.js';
export {
  PeaktmsApiError,
  isPeaktmsApiError,
  isPeaktmsUnavailable,
  peaktmsErrorBody,
  peaktmsErrorText,
  peaktmsFieldErrors,
  toPeaktmsError,
} from './errors.js';
export type { PeaktmsFieldError, PeaktmsOperation } from './errors.js';
export {
  PeaktmsAuthSchema,
  PeaktmsClientSettingsSchema,
  PeaktmsHistoryParamsSchema,
  PeaktmsPathsSchema,
  peaktmsApiUrl,
  resolvePeaktmsClientSettings,
} from './settings.js';
export type {
  PeaktmsAuthSettings,
  PeaktmsClientSettings,
  ResolvedPeaktmsAuth,
  ResolvedPeaktmsClientSettings,
} from './settings.js';
