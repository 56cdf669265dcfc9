import { z } from 'zod';
import { canonicalJson, stateHash } from '../core/canonical.js';
import type { SimClock } from '../core/clock.js';
import type { Journal } from '../core/journal.js';
import type { Rng } from '../core/prng.js';
import { isUuid, validateAttribute, type AttributeContext } from './attributes.js';
import {
  dataTypes,
  defaultDataPools,
  defaultLocations,
  defaultTypes,
  defaultUsers,
  defaultValueLists,
  objectKinds,
  type DataType,
  type ObjectKind,
  type PeakUser,
  type TypeDef,
} from './catalogue.js';
import {
  PeakError,
  badRequest,
  conflict,
  notFound,
  unprocessable,
  type FieldError,
} from './errors.js';
import { formatZoned, parseZoned } from './zoned.js';

/** A stored object in wire form, exactly as GET returns it. */
export type PeakRecord = Readonly<Record<string, unknown>>;

/** One typed attribute as records carry it. */
export interface WireAttribute {
  name: string;
  dataType: DataType;
  value: unknown;
}

const changeSources = ['api', 'workload', 'admin', 'seed'] as const;
export type PeakChangeSource = (typeof changeSources)[number];

export interface PeakChangeContext {
  /** Login name of who changes (createdBy/modifiedBy, the history log's `user`). */
  user: string;
  source: PeakChangeSource;
}

/** One ground-truth journal entry of the PeakTMS simulator. */
export const peaktmsJournalEntrySchema = z.object({
  kind: z.enum(objectKinds),
  /** The object's type name. */
  type: z.string(),
  id: z.string(),
  op: z.enum(['create', 'update', 'delete']),
  /** The history-log entry written for this change; null when the type's logging is off. */
  historyEntryId: z.number().nullable(),
  /** `modified` after the change; for delete the time of deletion. */
  modified: z.string(),
  /** stateHash of the record as GET returns it; null for delete. */
  hash: z.string().nullable(),
  source: z.enum(changeSources),
});
export type PeaktmsJournalEntry = z.infer<typeof peaktmsJournalEntrySchema>;

export interface HistoryChange {
  /** A record member (`name`, `begin`, `projectId`, …) or an attribute's name. */
  attribute: string;
  /** The attribute's data type; null for record members. */
  dataType: DataType | null;
  oldValue: unknown;
  newValue: unknown;
}

/** One entry of `/{kind}/historylog`. */
export interface HistoryEntry {
  /** Increasing over the whole simulator (gaps within one kind). */
  entryId: number;
  time: string;
  user: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  objectId: string;
  type: string;
  dataPool: string;
  changes: HistoryChange[];
}

/** A file inside a FILE_MANAGEMENT container. */
export interface StoredFile {
  fileId: string;
  filesId: string;
  name: string;
  contentType: string;
  size: number;
  created: string;
  createdBy: string;
  content: Buffer;
}

interface FilesContainer {
  filesId: string;
  kind: ObjectKind;
  objectId: string;
  attribute: string;
}

/** Record members compared for the history log, in wire order. */
const MEMBERS = [
  'name',
  'dataPool',
  'location',
  'begin',
  'end',
  'projectId',
  'seriesId',
  'resources',
] as const;

/** A value for an error message (JSON for anything but a string). */
function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function attributesOf(record: PeakRecord): WireAttribute[] {
  return (record.attributes ?? []) as WireAttribute[];
}

export function attributeValue(record: PeakRecord, name: string): unknown {
  return attributesOf(record).find((attribute) => attribute.name === name)?.value ?? null;
}

/** The objects, type catalogue, history logs, files, value lists and users of one simulator. */
export class PeakDb {
  readonly types: TypeDef[];
  readonly dataPools = new Set<string>(defaultDataPools);
  readonly locations = new Set<string>(defaultLocations);
  readonly valueLists = defaultValueLists();
  readonly users: PeakUser[];
  private readonly records = new Map<ObjectKind, Map<string, PeakRecord>>(
    objectKinds.map((kind) => [kind, new Map()]),
  );
  private readonly history = new Map<ObjectKind, HistoryEntry[]>(
    objectKinds.map((kind) => [kind, []]),
  );
  private entrySeq = 0;
  private readonly counters = new Map<string, number>();
  private readonly containers = new Map<string, FilesContainer>();
  readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly clock: SimClock,
    private readonly journal: Journal<PeaktmsJournalEntry>,
    private readonly idRng: Rng,
    readonly zone: string,
    demoLogin: string,
  ) {
    this.types = defaultTypes();
    this.users = defaultUsers(demoLogin);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  now(): string {
    return formatZoned(this.clock.nowMs(), this.zone);
  }

  /** A new UUID (version 4 layout) from the seeded generator, so a seed reproduces ids. */
  newId(): string {
    const h = this.idRng.hex(32);
    const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  typeDef(kind: ObjectKind, name: string): TypeDef | undefined {
    return this.types.find((type) => type.kind === kind && type.name === name);
  }

  typesOf(kind: ObjectKind): TypeDef[] {
    return this.types.filter((type) => type.kind === kind);
  }

  store(kind: ObjectKind): Map<string, PeakRecord> {
    return this.records.get(kind) as Map<string, PeakRecord>;
  }

  historyOf(kind: ObjectKind): readonly HistoryEntry[] {
    return this.history.get(kind) as HistoryEntry[];
  }

  get(kind: ObjectKind, id: string): PeakRecord {
    const row = isUuid(id) ? this.store(kind).get(id.toLowerCase()) : undefined;
    if (row === undefined) throw notFound(`${kind} '${id}' not found`);
    return row;
  }

  /** Which kind holds `id`, if any. */
  kindOf(id: string): ObjectKind | undefined {
    const key = id.toLowerCase();
    return objectKinds.find((kind) => this.store(kind).has(key));
  }

  create(kind: ObjectKind, body: unknown, context: PeakChangeContext): PeakRecord {
    if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object');
    let id: string;
    if (body.id === undefined || body.id === null) id = this.newId();
    else if (!isUuid(body.id)) throw badRequest('id must be a UUID');
    else id = body.id.toLowerCase();
    if (this.kindOf(id) !== undefined) throw conflict(`object '${id}' already exists`);
    const values = this.buildValues(kind, body, undefined, 'create', id, context);
    const now = this.now();
    const record = Object.freeze({
      id,
      ...values,
      created: now,
      createdBy: context.user,
      modified: now,
      modifiedBy: context.user,
    });
    this.store(kind).set(id, record);
    this.record(kind, 'create', undefined, record, context);
    return record;
  }

  /** PUT (`mode` 'put') or PATCH ('patch'); a change that changes nothing writes nothing. */
  update(
    kind: ObjectKind,
    id: string,
    body: unknown,
    mode: 'put' | 'patch',
    context: PeakChangeContext,
  ): PeakRecord {
    const current = this.get(kind, id);
    if (!isPlainObject(body)) throw badRequest('Request body must be a JSON object');
    if (body.id !== undefined && body.id !== null && show(body.id).toLowerCase() !== current.id)
      throw badRequest('id in the body does not match the path');
    const values = this.buildValues(kind, body, current, mode, current.id as string, context);
    return this.replace(kind, current, values, context);
  }

  remove(kind: ObjectKind, id: string, context: PeakChangeContext): void {
    const current = this.get(kind, id);
    const blocker = this.referencedBy(current.id as string);
    if (blocker !== undefined)
      throw conflict(`${kind} '${String(current.id)}' is still referenced by ${blocker}`);
    this.store(kind).delete(current.id as string);
    for (const attribute of attributesOf(current)) {
      if (attribute.dataType !== 'FILE_MANAGEMENT' || !isPlainObject(attribute.value)) continue;
      const filesId = String(attribute.value.filesId);
      this.containers.delete(filesId);
      for (const [fileId, file] of this.files)
        if (file.filesId === filesId) this.files.delete(fileId);
    }
    this.record(kind, 'delete', current, undefined, context);
  }

  /** Applies new values (everything but id and metadata) to a record, history and journal included. */
  private replace(
    kind: ObjectKind,
    current: PeakRecord,
    values: Record<string, unknown>,
    context: PeakChangeContext,
  ): PeakRecord {
    const { id, created, createdBy, modified, modifiedBy, ...before } = current;
    if (canonicalJson(before) === canonicalJson(values)) return current;
    void modified;
    void modifiedBy;
    const record = Object.freeze({
      id,
      ...values,
      created,
      createdBy,
      modified: this.now(),
      modifiedBy: context.user,
    });
    this.store(kind).set(id as string, record);
    this.record(kind, 'update', current, record, context);
    return record;
  }

  private record(
    kind: ObjectKind,
    op: 'create' | 'update' | 'delete',
    before: PeakRecord | undefined,
    after: PeakRecord | undefined,
    context: PeakChangeContext,
  ) {
    const subject = (after ?? before) as PeakRecord;
    const type = subject.type as string;
    const time = after === undefined ? this.now() : (after.modified as string);
    let historyEntryId: number | null = null;
    if (this.typeDef(kind, type)?.historyLog === true) {
      this.entrySeq += 1;
      historyEntryId = this.entrySeq;
      (this.history.get(kind) as HistoryEntry[]).push({
        entryId: historyEntryId,
        time,
        user: context.user,
        operation: op === 'create' ? 'CREATE' : op === 'update' ? 'UPDATE' : 'DELETE',
        objectId: subject.id as string,
        type,
        dataPool: subject.dataPool as string,
        changes: diff(before, after),
      });
    }
    this.journal.append({
      kind,
      type,
      id: subject.id as string,
      op,
      historyEntryId,
      modified: time,
      hash: after === undefined ? null : stateHash(after),
      source: context.source,
    });
  }

  /** What still points at `id` (an activity, a series), or undefined. */
  private referencedBy(id: string): string | undefined {
    for (const kind of ['activities', 'activityseries'] as const) {
      for (const row of this.store(kind).values()) {
        const uses =
          row.projectId === id ||
          row.seriesId === id ||
          (row.resources as string[] | undefined)?.includes(id) === true ||
          attributesOf(row).some((a) => a.dataType === 'RESOURCE' && a.value === id);
        if (uses) return `${kind} '${String(row.id)}'`;
      }
    }
    for (const kind of ['projects', 'resources'] as const) {
      for (const row of this.store(kind).values()) {
        if (attributesOf(row).some((a) => a.dataType === 'RESOURCE' && a.value === id))
          return `${kind} '${String(row.id)}'`;
      }
    }
    return undefined;
  }

  /**
   * Validates a create/PUT/PATCH body and returns the record's new values in wire order
   * (without id and metadata). Wrong JSON shapes are 400; values that break a rule are 422
   * with every problem listed.
   */
  private buildValues(
    kind: ObjectKind,
    body: Record<string, unknown>,
    current: PeakRecord | undefined,
    mode: 'create' | 'put' | 'patch',
    id: string,
    context: PeakChangeContext,
  ): Record<string, unknown> {
    checkShape(body);
    const problems: FieldError[] = [];
    const typeName = (body.type ?? current?.type) as string | undefined;
    if (typeName === undefined)
      throw unprocessable([{ field: 'type', message: 'must not be null' }]);
    if (current !== undefined && body.type !== undefined && body.type !== current.type)
      throw unprocessable([{ field: 'type', message: 'cannot be changed' }]);
    const type = this.typeDef(kind, typeName);
    if (type === undefined)
      throw unprocessable([{ field: 'type', message: `unknown ${kind} type '${typeName}'` }]);

    const pick = (key: string, fallback: unknown): unknown =>
      key in body ? body[key] : mode === 'patch' ? current?.[key] : fallback;

    const name = pick('name', null);
    if (typeof name !== 'string' || name.trim() === '')
      problems.push({ field: 'name', message: 'must not be blank' });
    else if (name.length > 255)
      problems.push({ field: 'name', message: 'size must be at most 255' });
    const dataPool = pick('dataPool', 'Default') ?? 'Default';
    if (!this.dataPools.has(dataPool as string))
      problems.push({ field: 'dataPool', message: `unknown data pool '${show(dataPool)}'` });
    const location = pick('location', null) ?? null;
    if (location !== null && !this.locations.has(location as string))
      problems.push({ field: 'location', message: `unknown location '${show(location)}'` });

    const values: Record<string, unknown> = { type: type.name, dataPool, name, location };
    if (type.hasPeriod) {
      const period: Record<'begin' | 'end', number | null> = { begin: null, end: null };
      for (const key of ['begin', 'end'] as const) {
        const raw = pick(key, null) ?? null;
        if (raw === null) {
          values[key] = null;
          continue;
        }
        const ms = parseZoned(raw as string);
        if (ms === null) {
          problems.push({ field: key, message: 'must be a date-time with offset or zone' });
          continue;
        }
        period[key] = ms;
        values[key] = formatZoned(ms, this.zone);
      }
      if (period.begin !== null && period.end !== null && period.end < period.begin)
        problems.push({ field: 'end', message: 'must not be before begin' });
    } else {
      for (const key of ['begin', 'end'] as const)
        if (body[key] !== undefined && body[key] !== null)
          problems.push({ field: key, message: `type '${type.name}' has no period` });
    }

    const reference = (key: string, target: ObjectKind) => {
      const raw = pick(key, null) ?? null;
      if (raw !== null && (!isUuid(raw) || !this.store(target).has(raw.toLowerCase())))
        problems.push({ field: key, message: `${target} '${show(raw)}' not found` });
      values[key] = typeof raw === 'string' ? raw.toLowerCase() : null;
    };
    if (kind === 'activities' || kind === 'activityseries') reference('projectId', 'projects');
    if (kind === 'activities') {
      reference('seriesId', 'activityseries');
      const raw = (pick('resources', []) ?? []) as unknown[];
      const resources: string[] = [];
      for (const item of raw) {
        if (!isUuid(item) || !this.store('resources').has(item.toLowerCase()))
          problems.push({ field: 'resources', message: `resources '${String(item)}' not found` });
        else if (!resources.includes(item.toLowerCase())) resources.push(item.toLowerCase());
      }
      values.resources = resources;
    }

    const given = new Map<string, unknown>();
    for (const item of (body.attributes ?? []) as Record<string, unknown>[]) {
      const attrName = item.name as string;
      const def = type.attributes.find((a) => a.name === attrName);
      if (def === undefined) {
        problems.push({
          field: `attributes.${attrName}`,
          message: `unknown attribute of type '${type.name}'`,
        });
        continue;
      }
      if (item.dataType !== undefined && item.dataType !== def.dataType)
        problems.push({ field: `attributes.${attrName}`, message: `data type is ${def.dataType}` });
      if (given.has(attrName))
        problems.push({ field: `attributes.${attrName}`, message: 'given twice' });
      given.set(attrName, item.value ?? null);
    }
    const attributeContext: AttributeContext = {
      valueList: (list) => this.valueLists.get(list),
      userExists: (login) => this.users.some((user) => user.loginName === login),
      resourceExists: (resourceId) => this.store('resources').has(resourceId),
      zone: this.zone,
      nowMs: this.clock.nowMs(),
      user: context.user,
    };
    const attributes: WireAttribute[] = [];
    for (const def of type.attributes) {
      const stored = current === undefined ? undefined : attributeValue(current, def.name);
      const managed = def.dataType === 'FILE_MANAGEMENT' || def.dataType === 'IDGENERATOR';
      let value: unknown;
      if (given.has(def.name)) {
        const result = validateAttribute(def, given.get(def.name), stored, attributeContext);
        if (!result.ok) {
          problems.push({ field: `attributes.${def.name}`, message: result.message });
          continue;
        }
        value = result.value;
      } else {
        value =
          mode === 'patch' || managed || def.dataType === 'STATUS_ENGINE' ? (stored ?? null) : null;
      }
      if (current === undefined) value = this.initialValue(def.dataType, def, value, id, kind);
      if (value === null && (def.required === true || def.dataType === 'STATUS_ENGINE'))
        problems.push({ field: `attributes.${def.name}`, message: 'must not be null' });
      attributes.push({ name: def.name, dataType: def.dataType, value });
    }
    values.attributes = attributes;
    if (problems.length > 0) throw unprocessable(problems);
    return values;
  }

  /** Server-made values on create: generated ids, empty file containers, initial status. */
  private initialValue(
    dataType: DataType,
    def: TypeDef['attributes'][number],
    value: unknown,
    objectId: string,
    kind: ObjectKind,
  ): unknown {
    if (dataType === 'IDGENERATOR') {
      const key = `${kind}/${def.name}/${def.prefix ?? ''}`;
      const n = (this.counters.get(key) ?? 0) + 1;
      this.counters.set(key, n);
      return `${def.prefix ?? ''}${String(n).padStart(6, '0')}`;
    }
    if (dataType === 'FILE_MANAGEMENT') {
      const filesId = this.newId();
      this.containers.set(filesId, { filesId, kind, objectId, attribute: def.name });
      return { filesId, files: [] };
    }
    if (dataType === 'STATUS_ENGINE')
      return value ?? Object.keys(def.statuses?.transitions ?? {})[0] ?? null;
    return value;
  }

  // ---- files ---------------------------------------------------------------------------

  container(filesId: string): {
    filesId: string;
    kind: ObjectKind;
    objectId: string;
    attribute: string;
    files: Omit<StoredFile, 'content'>[];
  } {
    const found = isUuid(filesId) ? this.containers.get(filesId.toLowerCase()) : undefined;
    if (found === undefined) throw notFound(`files '${filesId}' not found`);
    const files = [...this.files.values()]
      .filter((file) => file.filesId === found.filesId)
      .map(({ content, ...description }) => (void content, description));
    return { ...found, files };
  }

  file(fileId: string): StoredFile {
    const file = isUuid(fileId) ? this.files.get(fileId.toLowerCase()) : undefined;
    if (file === undefined) throw notFound(`file '${fileId}' not found`);
    return file;
  }

  /** Stores a file in the FILE_MANAGEMENT attribute `attribute` of object `objectId`. */
  upload(
    objectId: string,
    attribute: string,
    upload: { name: string; contentType: string; content: Buffer },
    context: PeakChangeContext,
  ): StoredFile {
    const kind = isUuid(objectId) ? this.kindOf(objectId) : undefined;
    if (kind === undefined) throw notFound(`object '${objectId}' not found`);
    const current = this.get(kind, objectId);
    const slot = attributesOf(current).find((a) => a.name === attribute);
    if (slot?.dataType !== 'FILE_MANAGEMENT' || !isPlainObject(slot.value))
      throw unprocessable([
        { field: 'attribute', message: `'${attribute}' is not a FILE_MANAGEMENT attribute` },
      ]);
    const filesId = String(slot.value.filesId);
    const file: StoredFile = {
      fileId: this.newId(),
      filesId,
      name: upload.name,
      contentType: upload.contentType,
      size: upload.content.length,
      created: this.now(),
      createdBy: context.user,
      content: upload.content,
    };
    this.files.set(file.fileId, file);
    this.refreshFiles(kind, current, attribute, filesId, context);
    return file;
  }

  deleteFile(fileId: string, context: PeakChangeContext): void {
    const file = this.file(fileId);
    this.files.delete(file.fileId);
    const container = this.containers.get(file.filesId);
    if (container === undefined) return;
    const current = this.get(container.kind, container.objectId);
    this.refreshFiles(container.kind, current, container.attribute, file.filesId, context);
  }

  /** Rewrites the attribute's file list: a change of the record like any other. */
  private refreshFiles(
    kind: ObjectKind,
    current: PeakRecord,
    attribute: string,
    filesId: string,
    context: PeakChangeContext,
  ) {
    const files = [...this.files.values()]
      .filter((file) => file.filesId === filesId)
      .map((file) => ({ fileId: file.fileId, name: file.name, size: file.size }));
    const { id, created, createdBy, modified, modifiedBy, ...rest } = current;
    void [id, created, createdBy, modified, modifiedBy];
    const values: Record<string, unknown> = {
      ...rest,
      attributes: attributesOf(current).map((a) =>
        a.name === attribute ? { ...a, value: { filesId, files } } : a,
      ),
    };
    this.replace(kind, current, values, context);
  }

  /** Ids of the activities assigned to a resource whose period overlaps [fromMs, toMs). */
  assignments(resourceId: string, fromMs: number, toMs: number): PeakRecord[] {
    const out: PeakRecord[] = [];
    for (const row of this.store('activities').values()) {
      if (!(row.resources as string[]).includes(resourceId)) continue;
      const begin = typeof row.begin === 'string' ? parseZoned(row.begin) : null;
      const end = typeof row.end === 'string' ? parseZoned(row.end) : null;
      if (begin === null) continue;
      if (begin < toMs && (end ?? begin) >= fromMs) out.push(row);
    }
    return out;
  }
}

/** 400 for members of the wrong JSON type (what Jackson would refuse to bind). */
function checkShape(body: Record<string, unknown>): void {
  const strings = ['type', 'dataPool', 'name', 'location', 'begin', 'end', 'projectId', 'seriesId'];
  for (const key of strings) {
    const value = body[key];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw new PeakError(400, `${key} must be a string`);
  }
  if (body.resources !== undefined && body.resources !== null) {
    if (!Array.isArray(body.resources) || !body.resources.every((r) => typeof r === 'string'))
      throw badRequest('resources must be an array of ids');
  }
  if (body.attributes !== undefined && body.attributes !== null) {
    if (!Array.isArray(body.attributes)) throw badRequest('attributes must be an array');
    for (const item of body.attributes) {
      if (!isPlainObject(item) || typeof item.name !== 'string')
        throw badRequest('each attribute must be an object with a name');
      if (item.dataType !== undefined && !(dataTypes as readonly unknown[]).includes(item.dataType))
        throw badRequest(`unknown data type '${show(item.dataType)}'`);
    }
  }
}

/** The history log's changes between two states (before undefined: create; after: delete). */
export function diff(
  before: PeakRecord | undefined,
  after: PeakRecord | undefined,
): HistoryChange[] {
  const changes: HistoryChange[] = [];
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
  const empty = (v: unknown) =>
    v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  for (const member of MEMBERS) {
    const oldValue = before?.[member];
    const newValue = after?.[member];
    if (empty(oldValue) && empty(newValue)) continue;
    if (!same(oldValue, newValue))
      changes.push({
        attribute: member,
        dataType: null,
        oldValue: oldValue ?? null,
        newValue: newValue ?? null,
      });
  }
  const defs = attributesOf((after ?? before) as PeakRecord);
  for (const def of defs) {
    const oldValue = before === undefined ? null : attributeValue(before, def.name);
    const newValue = after === undefined ? null : attributeValue(after, def.name);
    if (!same(oldValue, newValue))
      changes.push({ attribute: def.name, dataType: def.dataType, oldValue, newValue });
  }
  return changes;
}
