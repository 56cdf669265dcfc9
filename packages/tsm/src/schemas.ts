/**
 * Records of the tSM Public API v2. Every schema is loose: unknown fields are kept, because
 * each module's OpenAPI (the authority on fields) is not public. What the guide and the known
 * facts state is typed: `id` (a UUID), `code` where the entity has one, `auditInfo`, and the
 * fields the guide's examples name. Everything but `id` is optional.
 */
import { z } from 'zod';

/**
 * Any UUID-shaped id (8-4-4-4-12 hex). Deliberately not RFC-variant strict: the guide's own
 * example id is a version 7 UUID and other versions must pass too.
 */
export const tsmIdSchema = z.guid();

/** ISO 8601 instants as the server sends them; kept as strings (no precision lost). */
const instant = z.string();
const nullableText = z.string().nullable().optional();

/** `auditInfo`: the optimistic-locking `version` and who/when of insert and last edit. */
export const tsmAuditInfoSchema = z.looseObject({
  version: z.number().int(),
  whoInserted: nullableText,
  whenInserted: instant.nullable().optional(),
  whoEdited: nullableText,
  whenEdited: instant.nullable().optional(),
});
export type TsmAuditInfo = z.output<typeof tsmAuditInfoSchema>;

/** What every record has: `id`, maybe `code`, and `auditInfo`. */
export const tsmRecordSchema = z.looseObject({
  id: tsmIdSchema,
  code: z.string().nullable().optional(),
  auditInfo: tsmAuditInfoSchema.optional(),
});
export type TsmRecord = z.output<typeof tsmRecordSchema>;

/** A related record, expanded inline or only referenced by id. */
const related = z.union([tsmIdSchema, tsmRecordSchema]);

const stringList = z.array(z.string()).nullable().optional();

export const tsmCustomerSchema = tsmRecordSchema.extend({
  name: nullableText,
  status: nullableText,
  active: z.boolean().nullable().optional(),
  revenue: z.number().nullable().optional(),
  remarks: nullableText,
  description: nullableText,
});
export type TsmCustomer = z.output<typeof tsmCustomerSchema>;

export const tsmTicketSchema = tsmRecordSchema.extend({
  name: nullableText,
  description: nullableText,
  status: nullableText,
  assignee: nullableText,
  tags: stringList,
});
export type TsmTicket = z.output<typeof tsmTicketSchema>;

/** Users; `roles` and `groups` appear with `expand=ROLES` / `expand=GROUPS`. */
export const tsmUserSchema = tsmRecordSchema.extend({
  name: nullableText,
  email: nullableText,
  active: z.boolean().nullable().optional(),
  roles: z.array(related).nullable().optional(),
  groups: z.array(related).nullable().optional(),
});
export type TsmUser = z.output<typeof tsmUserSchema>;

/** Register values; `register` is the owning register (filterable as `register.code`). */
export const tsmRegisterValueSchema = tsmRecordSchema.extend({
  value: nullableText,
  name: nullableText,
  order: z.number().nullable().optional(),
  active: z.boolean().nullable().optional(),
  register: related.nullable().optional(),
  registerId: tsmIdSchema.nullable().optional(),
});
export type TsmRegisterValue = z.output<typeof tsmRegisterValueSchema>;

export const tsmEntityCatalogSchema = tsmRecordSchema.extend({
  name: nullableText,
  active: z.boolean().nullable().optional(),
  description: nullableText,
});
export type TsmEntityCatalog = z.output<typeof tsmEntityCatalogSchema>;

/**
 * One entry of an entity's change trail (`/log`). Its shape is not public: every field is
 * optional and unknown fields are kept. The names typed here are the likely ones.
 */
export const tsmLogEntrySchema = z.looseObject({
  id: z.string().optional(),
  entityId: z.string().nullable().optional(),
  entityCode: z.string().nullable().optional(),
  entityType: z.string().nullable().optional(),
  operation: z.string().nullable().optional(),
  version: z.number().nullable().optional(),
  who: z.string().nullable().optional(),
  when: z.string().nullable().optional(),
  changes: z
    .array(z.looseObject({ field: z.string().optional() }))
    .nullable()
    .optional(),
});
export type TsmLogEntry = z.output<typeof tsmLogEntrySchema>;

/** The entities this client knows, with their schemas. */
export const tsmEntitySchemas = {
  customers: tsmCustomerSchema,
  tickets: tsmTicketSchema,
  users: tsmUserSchema,
  'register-values': tsmRegisterValueSchema,
  'entity-catalogs': tsmEntityCatalogSchema,
} as const;
export type KnownTsmEntity = keyof typeof tsmEntitySchemas;

/** `/page` answers. The guide names `content`, `page`, `size`, `totalPages`, `totalElements`. */
export const tsmPageBodySchema = z.looseObject({
  content: z.array(z.unknown()),
  page: z.union([z.number(), z.looseObject({})]).optional(),
  number: z.number().optional(),
  size: z.number().optional(),
  totalPages: z.number().optional(),
  totalElements: z.number().optional(),
});

/** The guide's error payload; `errors` on 422 in some modules. */
export const tsmErrorBodySchema = z.looseObject({
  timestamp: z.string().optional(),
  status: z.number().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  path: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});
export type TsmErrorBody = z.output<typeof tsmErrorBodySchema>;
