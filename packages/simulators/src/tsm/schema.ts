/**
 * The tSM entity table: every entity the simulator serves, declared as data. One set of
 * handlers (routes.ts) and one store (db.ts) read it; nothing is written per entity by hand.
 *
 * Field types: `string` (at most 255 characters), `text` (unbounded), `integer`, `number`,
 * `boolean`, `uuid`, `datetime` (ISO 8601, stored as UTC with milliseconds and "Z"),
 * `string[]`, `uuid[]` and `object` (free JSON object, e.g. characteristics).
 */
export type TsmFieldType =
  | 'string'
  | 'text'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'uuid'
  | 'datetime'
  | 'string[]'
  | 'uuid[]'
  | 'object';

export interface TsmFieldDef {
  readonly name: string;
  readonly type: TsmFieldType;
  /** Must be present and not blank on create and full update (422 otherwise). */
  readonly required?: boolean;
  readonly enum?: readonly string[];
  /** Value used when a create or full update leaves the field out. */
  readonly default?: unknown;
}

/** A reference to other records through a uuid (or uuid[]) field, expandable and filterable. */
export interface TsmRelationDef {
  /** Name in filter paths (`register.code`) and of the expanded member (`register`). */
  readonly name: string;
  /** The stored reference field (`registerId`, `roleIds`). */
  readonly field: string;
  readonly entity: string;
  readonly many: boolean;
  /** The `expand` value that inlines it (`REGISTER`, `ROLES`). */
  readonly expand: string;
}

export interface TsmEntityDef {
  /** Module whose base path serves it: `/{module}/api/v2/{name}`. */
  readonly module: string;
  readonly name: string;
  /** Whether records have a unique `code` (addressable as {idOrCode}). */
  readonly code: 'required' | 'optional' | 'none';
  readonly fields: readonly TsmFieldDef[];
  readonly relations: readonly TsmRelationDef[];
  /** What the workload's "soft delete" sets; absent: the workload updates instead. */
  readonly softDelete?: Readonly<Record<string, unknown>>;
}

const CUSTOMER_STATUS = ['NEW', 'ACTIVE', 'INACTIVE', 'DELETED'] as const;
const TICKET_STATUS = ['NEW', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'CANCELED'] as const;
const PRIORITY = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

const table: readonly TsmEntityDef[] = [
  {
    module: 'tsm-customer',
    name: 'customers',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'status', type: 'string', enum: CUSTOMER_STATUS, default: 'ACTIVE' },
      { name: 'active', type: 'boolean', default: true },
      { name: 'customerType', type: 'string' },
      { name: 'email', type: 'string' },
      { name: 'revenue', type: 'number' },
      { name: 'description', type: 'text' },
      { name: 'remarks', type: 'text' },
      { name: 'validFrom', type: 'datetime' },
      { name: 'tags', type: 'string[]' },
      { name: 'chars', type: 'object' },
    ],
    relations: [],
    softDelete: { status: 'DELETED', active: false },
  },
  {
    module: 'tsm-ticket',
    name: 'tickets',
    code: 'optional',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'text' },
      { name: 'status', type: 'string', enum: TICKET_STATUS, default: 'NEW' },
      { name: 'priority', type: 'string', enum: PRIORITY, default: 'MEDIUM' },
      { name: 'assignee', type: 'string' },
      { name: 'customerId', type: 'uuid' },
      { name: 'estimatedHours', type: 'number' },
      { name: 'dueDate', type: 'datetime' },
      { name: 'tags', type: 'string[]' },
      { name: 'chars', type: 'object' },
    ],
    relations: [
      {
        name: 'customer',
        field: 'customerId',
        entity: 'customers',
        many: false,
        expand: 'CUSTOMER',
      },
    ],
    softDelete: { status: 'CANCELED' },
  },
  {
    module: 'tsm-user-management',
    name: 'users',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'email', type: 'string' },
      { name: 'active', type: 'boolean', default: true },
      { name: 'roleIds', type: 'uuid[]' },
      { name: 'groupIds', type: 'uuid[]' },
    ],
    relations: [
      { name: 'roles', field: 'roleIds', entity: 'roles', many: true, expand: 'ROLES' },
      { name: 'groups', field: 'groupIds', entity: 'groups', many: true, expand: 'GROUPS' },
    ],
    softDelete: { active: false },
  },
  {
    module: 'tsm-user-management',
    name: 'roles',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'text' },
    ],
    relations: [],
  },
  {
    module: 'tsm-user-management',
    name: 'groups',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'text' },
    ],
    relations: [],
  },
  {
    module: 'tsm-config-form',
    name: 'registers',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'text' },
    ],
    relations: [],
  },
  {
    module: 'tsm-config-form',
    name: 'register-values',
    code: 'required',
    fields: [
      { name: 'registerId', type: 'uuid', required: true },
      { name: 'name', type: 'string' },
      { name: 'value', type: 'string', required: true },
      { name: 'order', type: 'integer' },
      { name: 'active', type: 'boolean', default: true },
      { name: 'validFrom', type: 'datetime' },
    ],
    relations: [
      {
        name: 'register',
        field: 'registerId',
        entity: 'registers',
        many: false,
        expand: 'REGISTER',
      },
    ],
    softDelete: { active: false },
  },
  {
    module: 'tsm-catalog',
    name: 'entity-catalogs',
    code: 'required',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'active', type: 'boolean', default: true },
      { name: 'description', type: 'text' },
      { name: 'validFrom', type: 'datetime' },
      { name: 'chars', type: 'object' },
    ],
    relations: [],
    softDelete: { active: false },
  },
];

/** Every entity by name (names are unique across modules). */
export const tsmEntities: ReadonlyMap<string, TsmEntityDef> = new Map(
  table.map((def) => [def.name, def]),
);

/** The served modules (first path segment). */
export const tsmModules: ReadonlySet<string> = new Set(table.map((def) => def.module));

/** The entity `name` of `module`, or undefined (also when it belongs to another module). */
export function tsmEntityDef(module: string, name: string): TsmEntityDef | undefined {
  const def = tsmEntities.get(name);
  return def?.module === module ? def : undefined;
}

export function fieldOf(def: TsmEntityDef, name: string): TsmFieldDef | undefined {
  return def.fields.find((field) => field.name === name);
}

/** Members of `auditInfo`, in wire order. */
export const AUDIT_FIELDS: readonly TsmFieldDef[] = [
  { name: 'version', type: 'integer' },
  { name: 'whoInserted', type: 'string' },
  { name: 'whenInserted', type: 'datetime' },
  { name: 'whoEdited', type: 'string' },
  { name: 'whenEdited', type: 'datetime' },
];
