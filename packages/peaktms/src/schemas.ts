/**
 * Wire shapes of the PeakTMS REST API. The vendor's overview names the endpoints, not the
 * bodies; the known facts (UUID ids, typed attributes `{name, dataType, value}`, names for
 * types, locations and data pools, zoned date-times) are required here and everything else is
 * optional. Every object is loose: unknown members are kept.
 */
import { z } from 'zod';

/** The object kinds with CRUD, query and history log (the overview's four endpoints). */
export const peaktmsObjectKinds = [
  'activities',
  'activityseries',
  'projects',
  'resources',
] as const;
export type PeaktmsObjectKind = (typeof peaktmsObjectKinds)[number];

/** The attribute data types listed by the vendor; others are accepted as plain strings. */
export const peaktmsDataTypes = [
  'TEXT',
  'TEXT_LONG',
  'NUMBER',
  'DECIMAL',
  'DATE',
  'BOOLEAN',
  'VALUELIST',
  'MULTISELECTLIST',
  'USER',
  'RESOURCE',
  'FILE_MANAGEMENT',
  'STATUS_ENGINE',
  'APPROVE',
  'IDGENERATOR',
] as const;
export type PeaktmsDataType = (typeof peaktmsDataTypes)[number];

/** UUID-shaped ids (any version, any case). */
export const peaktmsIdSchema = z.guid();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One typed attribute. `dataType` also read from `datatype` or `type`. */
export const peaktmsAttributeSchema = z.preprocess(
  (value) => {
    if (!isObject(value) || value['dataType'] !== undefined) return value;
    const dataType = value['datatype'] ?? value['type'];
    return dataType === undefined ? value : { ...value, dataType };
  },
  z.looseObject({
    name: z.string().min(1),
    dataType: z.string().nullish(),
    value: z.unknown(),
  }),
);
export type PeaktmsAttribute = z.output<typeof peaktmsAttributeSchema>;

/** A list of attributes, or a `{name: value}` map turned into one (data types unknown then). */
export const peaktmsAttributesSchema = z.preprocess(
  (value) =>
    isObject(value) ? Object.entries(value).map(([name, v]) => ({ name, value: v })) : value,
  z.array(peaktmsAttributeSchema),
);

/** An activity, activity series, project or resource. */
export const peaktmsRecordSchema = z.looseObject({
  id: peaktmsIdSchema,
  type: z.string().nullish(),
  dataPool: z.string().nullish(),
  name: z.string().nullish(),
  location: z.string().nullish(),
  attributes: peaktmsAttributesSchema.default([]),
});
export type PeaktmsRecord = z.output<typeof peaktmsRecordSchema>;

/** An attribute filter of the `/query` body (operators beyond the common ones pass through). */
export interface PeaktmsAttributeFilter {
  name: string;
  operator?: string;
  value?: unknown;
  [key: string]: unknown;
}

/**
 * The `/query` body. It is not public: the named members are the plausible ones (the
 * simulator's), typed to help; anything else is sent as given.
 */
export interface PeaktmsQueryBody {
  ids?: readonly string[];
  types?: readonly string[];
  dataPools?: readonly string[];
  locations?: readonly string[];
  name?: string;
  projectId?: string;
  seriesId?: string;
  resourceId?: string;
  modifiedFrom?: string;
  modifiedTo?: string;
  attributes?: readonly PeaktmsAttributeFilter[];
  page?: number;
  pageSize?: number;
  [key: string]: unknown;
}

const count = z.coerce.number().int().nonnegative().optional();

/** A query answer: `{content | items | entries | data | results, page?, ...}` or a bare array. */
export const peaktmsQueryPageBodySchema = z.preprocess(
  (value) => {
    if (Array.isArray(value)) return { content: value };
    if (!isObject(value) || Array.isArray(value['content'])) return value;
    for (const key of ['items', 'entries', 'data', 'results', 'records'])
      if (Array.isArray(value[key])) return { ...value, content: value[key] };
    return value;
  },
  z.looseObject({
    content: z.array(z.unknown()),
    page: count,
    number: count,
    pageSize: count,
    size: count,
    totalElements: count,
    totalPages: count,
  }),
);

/** The error payload: Spring-like `{timestamp, status, error, message, path}`, all optional. */
export const peaktmsErrorBodySchema = z.looseObject({
  timestamp: z.unknown().optional(),
  status: z.number().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  path: z.string().optional(),
  details: z.unknown().optional(),
  errors: z.unknown().optional(),
});
export type PeaktmsErrorBody = z.output<typeof peaktmsErrorBodySchema>;

/** One file of a FILE_MANAGEMENT container. */
export const peaktmsFileSchema = z.looseObject({
  fileId: z.string().min(1),
  filesId: z.string().nullish(),
  name: z.string().nullish(),
  contentType: z.string().nullish(),
  size: z.number().nullish(),
});
export type PeaktmsFile = z.output<typeof peaktmsFileSchema>;

/** Reads `id` as `fileId` when only that is present. */
const fileLike = z.preprocess(
  (value) =>
    isObject(value) && value['fileId'] === undefined && value['id'] !== undefined
      ? { ...value, fileId: value['id'] }
      : value,
  peaktmsFileSchema,
);

/** `GET /files/{filesId}`: the container of one FILE_MANAGEMENT attribute. */
export const peaktmsFilesSchema = z.looseObject({
  filesId: z.string().nullish(),
  files: z.array(fileLike).default([]),
});
export type PeaktmsFiles = z.output<typeof peaktmsFilesSchema>;
export const peaktmsFileDescriptionSchema = fileLike;

/** A simple value list (one attribute per entry). */
export const peaktmsValueListSchema = z.looseObject({
  name: z.string().min(1),
  values: z.array(z.unknown()).default([]),
});
export type PeaktmsValueList = z.output<typeof peaktmsValueListSchema>;

/** The overview: login name, phone number, name, family name, department. */
export const peaktmsUserSchema = z.looseObject({
  loginName: z.string().nullish(),
  phone: z.string().nullish(),
  name: z.string().nullish(),
  familyName: z.string().nullish(),
  department: z.string().nullish(),
});
export type PeaktmsUser = z.output<typeof peaktmsUserSchema>;

export const peaktmsMaintenanceWindowSchema = z.looseObject({
  id: z.unknown().optional(),
  start: z.string(),
  end: z.string(),
  reason: z.string().nullish(),
  active: z.boolean().nullish(),
});
export type PeaktmsMaintenanceWindow = z.output<typeof peaktmsMaintenanceWindowSchema>;

export const peaktmsResourceAvailabilitySchema = z.looseObject({
  resourceId: z.string().nullish(),
  available: z.boolean(),
  assignments: z.array(z.looseObject({})).optional(),
});
export type PeaktmsResourceAvailability = z.output<typeof peaktmsResourceAvailabilitySchema>;

/** A list answer: a bare array or the array under a common member name. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => {
    if (!isObject(value)) return value;
    for (const key of ['content', 'items', 'entries', 'data', 'results', 'values', 'users']) {
      const list = value[key];
      if (Array.isArray(list)) return list as unknown[];
    }
    return value;
  }, z.array(item));
}

/**
 * The `/login` answer. Not public: the token is read from `token`, `accessToken`,
 * `access_token` or `bearer`; expiry from `expiresIn`/`expires_in` (seconds) or `expiresAt`
 * (epoch ms or seconds, or a date-time).
 */
export const peaktmsLoginResponseSchema = z.preprocess(
  (value) => {
    if (!isObject(value)) return value;
    const token =
      value['token'] ?? value['accessToken'] ?? value['access_token'] ?? value['bearer'];
    const expiresIn = value['expiresIn'] ?? value['expires_in'];
    return { ...value, token, expiresIn };
  },
  z.looseObject({
    token: z.string().min(1),
    expiresIn: z.coerce.number().positive().optional(),
    expiresAt: z.union([z.number(), z.string()]).nullish(),
  }),
);
export type PeaktmsLoginResponse = z.output<typeof peaktmsLoginResponseSchema>;
