import { z } from 'zod';
import { canonicalJson, stateHash } from '../core/canonical.js';
import type { SimClock } from '../core/clock.js';
import { Collection } from '../core/collection.js';
import type { Journal } from '../core/journal.js';
import type { Rng } from '../core/prng.js';
import {
  TsmError,
  badRequest,
  conflict,
  notFound,
  unprocessable,
  type FieldError,
} from './errors.js';
import { parseInstant } from './filter.js';
import { isObject, mergePatch } from './merge-patch.js';
import { tsmEntities, type TsmEntityDef, type TsmFieldDef } from './schema.js';

/** A stored record in wire form: `id`, `code`, the fields (null members left out), `auditInfo`. */
export type TsmRecord = Readonly<Record<string, unknown>>;

export interface AuditInfo {
  version: number;
  whoInserted: string;
  whenInserted: string;
  whoEdited: string;
  whenEdited: string;
}

const changeSources = ['api', 'workload', 'admin', 'seed'] as const;
export type TsmChangeSource = (typeof changeSources)[number];

export interface TsmChangeContext {
  /** Who changes (auditInfo.whoInserted/whoEdited, the log's `who`). */
  user: string;
  source: TsmChangeSource;
}

/** One ground-truth journal entry of the tSM simulator. */
export const tsmJournalEntrySchema = z.object({
  module: z.string(),
  entity: z.string(),
  id: z.string(),
  code: z.string().nullable(),
  op: z.enum(['create', 'update', 'delete']),
  /** auditInfo.version after the change; for delete the version the record had. */
  version: z.number(),
  /** auditInfo.whenEdited after the change; for delete the time of deletion. */
  whenEdited: z.string(),
  /** stateHash of the record as GET returns it (no expand); null for delete. */
  hash: z.string().nullable(),
  source: z.enum(changeSources),
});
export type TsmJournalEntry = z.infer<typeof tsmJournalEntrySchema>;

/** One field change in a /log entry. */
export interface TsmLogChange {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

/** One entry of an entity's change trail, as GET …/log returns it. */
export interface TsmLogEntry {
  /** Increasing over all entities of the simulator (gaps within one entity type). */
  seq: number;
  id: string;
  entityType: string;
  entityId: string;
  entityCode: string | null;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  version: number;
  who: string;
  when: string;
  changes: TsmLogChange[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** The records, code index, id list (for random picks) and change trail of one entity. */
export class EntityStore {
  readonly rows = new Collection<TsmRecord>({
    idOf: (row) => row.id as string,
    orderKeyOf: (row) => Date.parse(auditOf(row).whenEdited),
  });
  readonly byCode = new Map<string, string>();
  readonly log: TsmLogEntry[] = [];
  readonly logByRecord = new Map<string, TsmLogEntry[]>();
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();

  constructor(readonly def: TsmEntityDef) {}

  get size(): number {
    return this.rows.size;
  }

  /** A uniformly chosen live id, or undefined when empty. */
  randomId(rng: Rng): string | undefined {
    return this.ids.length === 0 ? undefined : this.ids[rng.int(0, this.ids.length - 1)];
  }

  insert(row: TsmRecord): void {
    this.rows.insert(row);
    const id = row.id as string;
    if (typeof row.code === 'string') this.byCode.set(row.code, id);
    this.positions.set(id, this.ids.length);
    this.ids.push(id);
  }

  replace(row: TsmRecord): TsmRecord {
    const previous = this.rows.replace(row);
    if (previous.code !== row.code) {
      if (typeof previous.code === 'string') this.byCode.delete(previous.code);
      if (typeof row.code === 'string') this.byCode.set(row.code, row.id as string);
    }
    return previous;
  }

  delete(id: string): TsmRecord | undefined {
    const previous = this.rows.delete(id);
    if (previous === undefined) return undefined;
    if (typeof previous.code === 'string') this.byCode.delete(previous.code);
    const at = this.positions.get(id);
    if (at !== undefined) {
      const last = this.ids.pop() as string;
      if (last !== id) {
        this.ids[at] = last;
        this.positions.set(last, at);
      }
      this.positions.delete(id);
    }
    return previous;
  }

  /** Fills an empty store at once (far faster than inserting one by one). */
  load(rows: Iterable<TsmRecord>): void {
    if (this.size > 0) throw new Error(`${this.def.name} is not empty`);
    const list = [...rows];
    this.rows.load(list);
    for (const row of list) {
      const id = row.id as string;
      if (typeof row.code === 'string') this.byCode.set(row.code, id);
      this.positions.set(id, this.ids.length);
      this.ids.push(id);
    }
  }

  /** By id (a UUID, case-insensitive) first, then by code. */
  find(idOrCode: string): TsmRecord | undefined {
    if (isUuid(idOrCode)) {
      const row = this.rows.get(idOrCode.toLowerCase());
      if (row !== undefined) return row;
    }
    const id = this.byCode.get(idOrCode);
    return id === undefined ? undefined : this.rows.get(id);
  }

  appendLog(entry: TsmLogEntry): void {
    this.log.push(entry);
    let list = this.logByRecord.get(entry.entityId);
    if (list === undefined) this.logByRecord.set(entry.entityId, (list = []));
    list.push(entry);
  }
}

export function auditOf(row: TsmRecord): AuditInfo {
  return row.auditInfo as AuditInfo;
}

/** Which part of a write a normalisation serves. */
type Mode = 'create' | 'put' | 'patch';

/**
 * The data of the tSM simulator: one EntityStore per entity of the table, every change
 * stamped with auditInfo, appended to the entity's /log trail and to the ground-truth journal.
 */
export class TsmDb {
  private readonly stores = new Map<string, EntityStore>();
  private logSeq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly journal: Journal<TsmJournalEntry>,
    private readonly idRng: Rng,
  ) {
    for (const def of tsmEntities.values()) this.stores.set(def.name, new EntityStore(def));
  }

  store(entity: string): EntityStore {
    const store = this.stores.get(entity);
    if (store === undefined) throw new Error(`unknown tSM entity ${entity}`);
    return store;
  }

  entities(): string[] {
    return [...this.stores.keys()];
  }

  get lastLogSeq(): number {
    return this.logSeq;
  }

  /**
   * A new id: a UUID version 7 (time-ordered, like the guide's example ids) from the simulated
   * clock and the seeded generator, so a seed reproduces the ids of a run.
   */
  newId(): string {
    const ms = Math.floor(this.clock.nowMs()).toString(16).padStart(12, '0').slice(-12);
    const rand = this.idRng.hex(20);
    const variant = ((parseInt(rand.slice(3, 4), 16) & 0x3) | 0x8).toString(16);
    return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${rand.slice(0, 3)}-${variant}${rand.slice(4, 7)}-${rand.slice(7, 19)}`;
  }

  find(entity: string, idOrCode: string): TsmRecord | undefined {
    return this.store(entity).find(idOrCode);
  }

  get(entity: string, idOrCode: string): TsmRecord {
    const row = this.find(entity, idOrCode);
    if (row === undefined) throw notFound(`${entity} '${idOrCode}' not found`);
    return row;
  }

  /** POST: a new record; the client may give `id`. 409 on a taken id or code, 422 on bad fields. */
  create(def: TsmEntityDef, body: unknown, context: TsmChangeContext): TsmRecord {
    if (!isObject(body)) throw badRequest('Request body must be a JSON object');
    const store = this.store(def.name);
    let id: string;
    if (body.id === undefined || body.id === null) id = this.newId();
    else if (typeof body.id !== 'string' || !isUuid(body.id))
      throw unprocessable([{ field: 'id', message: 'must be a valid UUID' }]);
    else id = body.id.toLowerCase();
    if (store.rows.has(id)) throw conflict(`${def.name} with id '${id}' already exists`);
    const values = this.normalize(def, body, 'create');
    this.checkCodeFree(store, values.code, null);
    const when = this.nowIso();
    const audit: AuditInfo = {
      version: 0,
      whoInserted: context.user,
      whenInserted: when,
      whoEdited: context.user,
      whenEdited: when,
    };
    const row = assemble(def, id, values, audit);
    store.insert(row);
    this.record(store, null, row, context);
    return row;
  }

  /** PUT: replaces every field; 404 when absent; 409 on a stale auditInfo.version. */
  replace(
    def: TsmEntityDef,
    idOrCode: string,
    body: unknown,
    context: TsmChangeContext,
  ): TsmRecord {
    if (!isObject(body)) throw badRequest('Request body must be a JSON object');
    const store = this.store(def.name);
    const current = this.get(def.name, idOrCode);
    checkBodyId(body, current);
    checkVersion(body, current);
    const values = this.normalize(def, body, 'put', current);
    return this.commit(store, current, values, context);
  }

  /** PATCH: JSON Merge Patch (RFC 7396) over the record; same checks as PUT. */
  patch(def: TsmEntityDef, idOrCode: string, patch: unknown, context: TsmChangeContext): TsmRecord {
    if (!isObject(patch)) throw badRequest('A merge patch must be a JSON object');
    const store = this.store(def.name);
    const current = this.get(def.name, idOrCode);
    checkBodyId(patch, current);
    checkVersion(patch, current);
    const { id: _id, auditInfo: _audit, ...changes } = patch;
    const { id: _cid, auditInfo: _caudit, ...base } = current;
    const merged = mergePatch(base, changes) as Record<string, unknown>;
    const values = this.normalize(def, merged, 'patch', current);
    return this.commit(store, current, values, context);
  }

  /**
   * save-diff: an upsert by differences. The body names the record by `id` or `code`; when it
   * exists the body is merged into it (as a merge patch), otherwise it is created.
   */
  saveDiff(
    def: TsmEntityDef,
    body: unknown,
    context: TsmChangeContext,
  ): { record: TsmRecord; created: boolean } {
    if (!isObject(body)) throw badRequest('Request body must be a JSON object');
    const key =
      typeof body.id === 'string' ? body.id : typeof body.code === 'string' ? body.code : null;
    const existing = key === null ? undefined : this.find(def.name, key);
    if (existing === undefined) return { record: this.create(def, body, context), created: true };
    return { record: this.patch(def, existing.id as string, body, context), created: false };
  }

  /** DELETE: permanent; 404 when absent. */
  remove(def: TsmEntityDef, idOrCode: string, context: TsmChangeContext): TsmRecord {
    const store = this.store(def.name);
    const current = this.get(def.name, idOrCode);
    store.delete(current.id as string);
    this.record(store, current, null, context);
    return current;
  }

  /** Loads records into an empty entity at once, without log or journal (benchmarks). */
  load(entity: string, rows: Iterable<TsmRecord>): void {
    this.store(entity).load(rows);
  }

  private commit(
    store: EntityStore,
    current: TsmRecord,
    values: Record<string, unknown>,
    context: TsmChangeContext,
  ): TsmRecord {
    this.checkCodeFree(store, values.code, current.id as string);
    const { id: _id, auditInfo: _audit, ...before } = current;
    // Like JPA dirty checking: an update that changes nothing writes nothing (no new version).
    if (canonicalJson(before) === canonicalJson(values)) return current;
    const previous = auditOf(current);
    const audit: AuditInfo = {
      ...previous,
      version: previous.version + 1,
      whoEdited: context.user,
      whenEdited: this.nowIso(),
    };
    const row = assemble(store.def, current.id as string, values, audit);
    store.replace(row);
    this.record(store, current, row, context);
    return row;
  }

  private checkCodeFree(store: EntityStore, code: unknown, selfId: string | null) {
    if (typeof code !== 'string') return;
    const holder = store.byCode.get(code);
    if (holder !== undefined && holder !== selfId)
      throw conflict(`${store.def.name} with code '${code}' already exists`);
  }

  /** Appends the /log entry and the journal entry of one change. */
  private record(
    store: EntityStore,
    before: TsmRecord | null,
    after: TsmRecord | null,
    context: TsmChangeContext,
  ) {
    const row = (after ?? before) as TsmRecord;
    const op = before === null ? 'create' : after === null ? 'delete' : 'update';
    const audit = auditOf(row);
    const when = after === null ? this.nowIso() : audit.whenEdited;
    this.logSeq += 1;
    store.appendLog({
      seq: this.logSeq,
      id: this.newId(),
      entityType: store.def.name,
      entityId: row.id as string,
      entityCode: typeof row.code === 'string' ? row.code : null,
      operation: op === 'create' ? 'CREATE' : op === 'update' ? 'UPDATE' : 'DELETE',
      version: audit.version,
      who: context.user,
      when,
      changes: diff(store.def, before, after),
    });
    this.journal.append({
      module: store.def.module,
      entity: store.def.name,
      id: row.id as string,
      code: typeof row.code === 'string' ? row.code : null,
      op,
      version: audit.version,
      whenEdited: when,
      hash: after === null ? null : stateHash(after),
      source: context.source,
    });
  }

  private nowIso(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }

  /**
   * Checks and normalises the writable members of a body (code and the declared fields;
   * `id`, `auditInfo` and unknown members are not part of it): types, enums, required
   * fields, references. Null means absent. Collects every problem into one 422.
   */
  normalize(
    def: TsmEntityDef,
    body: Record<string, unknown>,
    mode: Mode,
    current?: TsmRecord,
  ): Record<string, unknown> {
    const errors: FieldError[] = [];
    const out: Record<string, unknown> = {};
    if (def.code !== 'none') {
      const code = body.code;
      if (code === undefined || code === null) {
        if (def.code === 'required') errors.push({ field: 'code', message: 'must not be blank' });
      } else if (typeof code !== 'string') {
        errors.push({ field: 'code', message: 'must be a string' });
      } else if (code.trim() === '') {
        errors.push({ field: 'code', message: 'must not be blank' });
      } else if (code.length > 255) {
        errors.push({ field: 'code', message: 'size must be between 0 and 255' });
      } else out.code = code;
    }
    for (const field of def.fields) {
      let value = body[field.name];
      if (
        (value === undefined || value === null) &&
        mode !== 'patch' &&
        field.default !== undefined
      )
        value = field.default;
      if (value === undefined || value === null) {
        if (field.required === true)
          errors.push({ field: field.name, message: 'must not be null' });
        continue;
      }
      const checked = checkValue(field, value);
      if (typeof checked === 'object' && checked !== null && 'error' in checked) {
        errors.push({ field: field.name, message: checked.error });
        continue;
      }
      out[field.name] = checked.value;
    }
    for (const relation of def.relations) {
      const value = out[relation.field];
      const ids = Array.isArray(value)
        ? (value as string[])
        : value === undefined
          ? []
          : [value as string];
      const target = this.store(relation.entity);
      // Only references that change are checked: a record whose target was deleted later
      // (there is no referential integrity on delete) stays editable.
      const before = current?.[relation.field];
      const kept = new Set(
        Array.isArray(before) ? (before as string[]) : typeof before === 'string' ? [before] : [],
      );
      const missing = ids.filter((id) => !kept.has(id) && !target.rows.has(id));
      if (missing.length > 0)
        errors.push({
          field: relation.field,
          message: `referenced ${relation.entity} not found: ${missing.join(', ')}`,
        });
    }
    if (errors.length > 0) throw unprocessable(errors);
    return out;
  }
}

/** Checks one non-null value against its field; returns the normalised value or an error. */
function checkValue(field: TsmFieldDef, value: unknown): { value: unknown } | { error: string } {
  switch (field.type) {
    case 'string':
    case 'text': {
      if (typeof value !== 'string') return { error: 'must be a string' };
      if (field.required === true && value.trim() === '') return { error: 'must not be blank' };
      if (field.type === 'string' && value.length > 255)
        return { error: 'size must be between 0 and 255' };
      if (field.enum !== undefined && !field.enum.includes(value))
        return { error: `must be one of [${field.enum.join(', ')}]` };
      return { value };
    }
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? { value }
        : { error: 'must be an integer' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { value }
        : { error: 'must be a number' };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: 'must be a boolean' };
    case 'uuid':
      return typeof value === 'string' && isUuid(value)
        ? { value: value.toLowerCase() }
        : { error: 'must be a valid UUID' };
    case 'datetime': {
      const ms = typeof value === 'string' ? parseInstant(value) : null;
      return ms === null
        ? { error: 'must be an ISO 8601 date-time' }
        : { value: new Date(ms).toISOString() };
    }
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? { value: [...value] }
        : { error: 'must be an array of strings' };
    case 'uuid[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string' && isUuid(item))
        ? { value: (value as string[]).map((item) => item.toLowerCase()) }
        : { error: 'must be an array of UUIDs' };
    case 'object':
      return isObject(value) ? { value: dropNulls(value) } : { error: 'must be an object' };
  }
}

/** Null members of nested objects are absent, as after a merge patch. */
function dropNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null) continue;
    out[key] = isObject(member) ? dropNulls(member) : member;
  }
  return out;
}

function checkBodyId(body: Record<string, unknown>, current: TsmRecord) {
  const id = body.id;
  if (id === undefined || id === null) return;
  if (typeof id !== 'string' || id.toLowerCase() !== current.id)
    throw badRequest(
      `Body id ${JSON.stringify(id)} does not match the addressed record '${String(current.id)}'`,
    );
}

/** Optimistic locking: a body carrying auditInfo.version must carry the current one. */
function checkVersion(body: Record<string, unknown>, current: TsmRecord) {
  const audit = body.auditInfo;
  if (!isObject(audit) || audit.version === undefined || audit.version === null) return;
  if (typeof audit.version !== 'number' || !Number.isInteger(audit.version))
    throw unprocessable([{ field: 'auditInfo.version', message: 'must be an integer' }]);
  const version = auditOf(current).version;
  if (audit.version !== version)
    throw new TsmError(
      409,
      `Version conflict: ${String(current.id)} is at version ${version}, the request carries ${audit.version}`,
    );
}

/** The wire record: id, code, fields in table order, auditInfo. */
function assemble(
  def: TsmEntityDef,
  id: string,
  values: Record<string, unknown>,
  audit: AuditInfo,
): TsmRecord {
  const row: Record<string, unknown> = { id };
  if (values.code !== undefined) row.code = values.code;
  for (const field of def.fields) {
    const value = values[field.name];
    if (value !== undefined) row[field.name] = value;
  }
  row.auditInfo = audit;
  return Object.freeze(row);
}

function diff(
  def: TsmEntityDef,
  before: TsmRecord | null,
  after: TsmRecord | null,
): TsmLogChange[] {
  const names = [
    ...(def.code === 'none' ? [] : ['code']),
    ...def.fields.map((field) => field.name),
  ];
  const changes: TsmLogChange[] = [];
  for (const name of names) {
    const oldValue = before?.[name] ?? null;
    const newValue = after?.[name] ?? null;
    if (canonicalJson(oldValue) !== canonicalJson(newValue))
      changes.push({ field: name, oldValue, newValue });
  }
  return changes;
}
