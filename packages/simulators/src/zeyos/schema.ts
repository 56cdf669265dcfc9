import { z } from 'zod';
import table from './generated/entities.json' with { type: 'json' };

/**
 * The ZeyOS entity table, generated from the vendor's OpenAPI document by
 * scripts/generate-zeyos-schema.mjs and parsed here once at load time. Every entity the
 * simulator serves, and every rule it checks on input, comes from this table.
 */

const fieldTypes = [
  'integer',
  'number',
  'string',
  'boolean',
  'object',
  'array',
  'json',
  'pgarray',
  'binfile',
] as const;

const rawFieldSchema = z
  .object({
    type: z.enum(fieldTypes),
    format: z.string().optional(),
    nullable: z.boolean().optional(),
    default: z.unknown().optional(),
    enum: z.array(z.union([z.number(), z.string(), z.null()])).optional(),
    pattern: z.string().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.union([z.number(), z.boolean()]).optional(),
    required: z.boolean().optional(),
    defaultNow: z.boolean().optional(),
    defaultUser: z.boolean().optional(),
    readOnly: z.boolean().optional(),
    ref: z.string().optional(),
  })
  .strict();

const operations = ['list', 'create', 'get', 'head', 'update', 'delete'] as const;
export type EntityOperation = (typeof operations)[number];

const rawEntitySchema = z
  .object({
    operations: z.array(z.enum(operations)),
    visibility: z.boolean(),
    activity: z.boolean(),
    lastmodified: z.boolean(),
    extdata: z.object({ read: z.boolean(), write: z.boolean() }),
    tags: z.object({ read: z.boolean(), write: z.boolean() }),
    searchable: z.array(z.string()),
    fields: z.record(z.string(), rawFieldSchema),
  })
  .strict();

const rawTableSchema = z.object({
  source: z.object({ title: z.string(), version: z.string(), sha256: z.string() }),
  entities: z.record(z.string(), rawEntitySchema),
});

export type FieldType = (typeof fieldTypes)[number];

export interface FieldDef {
  name: string;
  type: FieldType;
  format: string | undefined;
  nullable: boolean;
  /** Whether the document states a default (which may be null). */
  hasDefault: boolean;
  default: unknown;
  enum: readonly (number | string | null)[] | undefined;
  pattern: RegExp | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: number | undefined;
  /** Must be given on create (minLength >= 1 or a documented dependency). */
  required: boolean;
  /** Defaults to the current time on create. */
  defaultNow: boolean;
  /** Defaults to the authenticated user on create. */
  defaultUser: boolean;
  readOnly: boolean;
  /** The entity this foreign key points at. */
  ref: string | undefined;
  /** Composite: an encoded string on the wire unless listed in `expand`. */
  composite: boolean;
}

export interface EntityDef {
  name: string;
  operations: ReadonlySet<EntityOperation>;
  visibility: boolean;
  activity: boolean;
  lastmodified: boolean;
  extdata: { read: boolean; write: boolean };
  tags: { read: boolean; write: boolean };
  searchable: readonly string[];
  fields: ReadonlyMap<string, FieldDef>;
  /** Field names in document order (the order of keys in answers). */
  fieldNames: readonly string[];
}

function buildTable(): {
  source: z.infer<typeof rawTableSchema>['source'];
  entities: Map<string, EntityDef>;
} {
  const parsed = rawTableSchema.parse(table);
  const entities = new Map<string, EntityDef>();
  for (const [name, raw] of Object.entries(parsed.entities)) {
    const fields = new Map<string, FieldDef>();
    for (const [fieldName, f] of Object.entries(raw.fields)) {
      fields.set(fieldName, {
        name: fieldName,
        type: f.type,
        format: f.format,
        nullable: f.nullable === true,
        hasDefault: 'default' in f,
        default: f.default ?? null,
        enum: f.enum,
        pattern: f.pattern === undefined ? undefined : new RegExp(f.pattern),
        minLength: f.minLength,
        maxLength: f.maxLength,
        minimum: f.minimum,
        maximum: f.maximum,
        exclusiveMinimum: typeof f.exclusiveMinimum === 'number' ? f.exclusiveMinimum : undefined,
        required: f.required === true,
        defaultNow: f.defaultNow === true,
        defaultUser: f.defaultUser === true,
        readOnly: f.readOnly === true,
        ref: f.ref,
        composite: f.type === 'json' || f.type === 'pgarray' || f.type === 'binfile',
      });
    }
    entities.set(name, {
      name,
      operations: new Set(raw.operations),
      visibility: raw.visibility,
      activity: raw.activity,
      lastmodified: raw.lastmodified,
      extdata: raw.extdata,
      tags: raw.tags,
      searchable: raw.searchable,
      fields,
      fieldNames: [...fields.keys()],
    });
  }
  return { source: parsed.source, entities };
}

const built = buildTable();

/** All entities of the ZeyOS REST API v1, by their path name ("accounts", "contacts", ...). */
export const zeyosEntities: ReadonlyMap<string, EntityDef> = built.entities;

/** Title, version and SHA-256 of the OpenAPI document the table was generated from. */
export const zeyosSchemaSource = built.source;

export function entityDef(name: string): EntityDef | undefined {
  return zeyosEntities.get(name);
}
