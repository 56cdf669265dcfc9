import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, stateHash } from '../core/canonical.js';
import type { SimClock } from '../core/clock.js';
import { Collection } from '../core/collection.js';
import type { Journal } from '../core/journal.js';
import { HttpError } from '../core/router.js';
import { entityDef, type EntityDef } from './schema.js';
import { acceptValue, badRequest, defaultValue, type BinfileInput } from './values.js';

/** One stored ZeyOS record. Immutable: a change stores a new row. */
export interface ZeyosRow {
  /** Schema fields in document order, in wire form (see values.ts). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Custom field values by name, or null when none were ever set. */
  readonly extdata: Readonly<Record<string, unknown>> | null;
  /** Tags, sorted and unique, or null when none were ever set. */
  readonly tags: readonly string[] | null;
}

const changeSources = ['api', 'workload', 'admin', 'seed'] as const;
export type ChangeSource = (typeof changeSources)[number];

/** One ground-truth journal entry of the ZeyOS simulator (see the README for the fields). */
export const zeyosJournalEntrySchema = z.object({
  instance: z.string(),
  entity: z.string(),
  id: z.number(),
  /** Soft deletion is an update that sets visibility to 2; delete is permanent. */
  op: z.enum(['create', 'update', 'delete']),
  /** lastmodified after the change (null for delete and entities without the field). */
  lastmodified: z.number().nullable(),
  /** visibility after the change (null for delete and entities without the field). */
  visibility: z.number().nullable(),
  /** stateHash of the record as GET /{entity}/{ID} returns it; null for delete. */
  hash: z.string().nullable(),
  /** stateHash of the record as GET /{entity}/{ID}?extdata=1&tags=1 returns it; null for delete. */
  fullHash: z.string().nullable(),
  source: z.enum(changeSources),
});
export type ZeyosJournalEntry = z.infer<typeof zeyosJournalEntrySchema>;

export interface ChangeContext {
  /** The authenticated user (creator default). */
  userId: number | null;
  source: ChangeSource;
}

export interface DbBehaviour {
  /**
   * Whether a change of only extdata or tags resets lastmodified. The documents are silent;
   * default true. Either way the change is journaled (with an unchanged lastmodified if false).
   */
  metaEditsTouchLastmodified: boolean;
}

/** The record as GET returns it, with extdata and tags when asked for. */
export function wireRecord(
  row: ZeyosRow,
  options: { extdata?: boolean; tags?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row.data };
  if (options.extdata === true) out.extdata = { ...(row.extdata ?? {}) };
  if (options.tags === true) out.tags = [...(row.tags ?? [])];
  return out;
}

const etags = new WeakMap<ZeyosRow, string>();

/**
 * Entity tag of a row: MD5 (hex, 32 digits, as in the vendor's examples) of the canonical
 * JSON of its fields, extdata and tags, quoted. Any change of the stored state changes it.
 */
export function etagOf(row: ZeyosRow): string {
  let tag = etags.get(row);
  if (tag === undefined) {
    const state = canonicalJson({
      data: row.data,
      extdata: row.extdata ?? {},
      tags: row.tags ?? [],
    });
    tag = `"${createHash('md5').update(state).digest('hex')}"`;
    etags.set(row, tag);
  }
  return tag;
}

function hashes(def: EntityDef, row: ZeyosRow): { hash: string; fullHash: string } {
  return {
    hash: stateHash(row.data),
    fullHash: stateHash(wireRecord(row, { extdata: def.extdata.read, tags: def.tags.read })),
  };
}

const META_KEYS = ['extdata', 'tags', '+tags', '-tags'] as const;

function sortedTags(tags: Iterable<string>): string[] {
  return [...new Set(tags)].sort();
}

function tagList(value: unknown, key: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    !list.every((tag) => typeof tag === 'string' || typeof tag === 'number')
  ) {
    throw badRequest(`Invalid value for field ${key}`);
  }
  return list.map((tag) => String(tag));
}

/** The stored data of one ZeyOS instance, and the only place its records change. */
export class ZeyosInstanceDb {
  private readonly collections = new Map<string, Collection<ZeyosRow>>();
  private readonly binfileContent = new Map<number, Buffer>();

  constructor(
    readonly instance: string,
    private readonly clock: SimClock,
    private readonly journal: Journal<ZeyosJournalEntry>,
    private readonly behaviour: DbBehaviour,
  ) {}

  /** Simulated now in Unix seconds (the unit of every ZeyOS timestamp). */
  clockSeconds(): number {
    return this.clock.nowSeconds();
  }

  /** The collection of an entity of the table; throws for unknown names. */
  collection(entity: string): Collection<ZeyosRow> {
    let collection = this.collections.get(entity);
    if (collection === undefined) {
      const def = entityDef(entity);
      if (def === undefined) throw new Error(`unknown ZeyOS entity ${entity}`);
      collection = new Collection<ZeyosRow>({
        idOf: (row) => row.data.ID as number,
        orderKeyOf: def.lastmodified ? (row) => row.data.lastmodified as number : undefined,
      });
      this.collections.set(entity, collection);
    }
    return collection;
  }

  /** Entities that hold at least one record (or ever allocated an ID). */
  entities(): string[] {
    return [...this.collections.keys()].sort();
  }

  get(entity: string, id: number): ZeyosRow | undefined {
    return this.collection(entity).get(id);
  }

  binfile(id: number): Buffer | undefined {
    return this.binfileContent.get(id);
  }

  /** Creates a record from an API body; 400 on bad input, 409 when the body carries an ID. */
  create(entity: string, body: Record<string, unknown>, context: ChangeContext): ZeyosRow {
    const def = this.def(entity);
    if (body.ID !== undefined && body.ID !== null) throw new HttpError(409, 'Conflict: ID present');
    this.checkKeys(def, body);
    const now = this.clock.nowSeconds();
    const collection = this.collection(entity);
    const data: Record<string, unknown> = {};
    for (const field of def.fields.values()) {
      if (field.name === 'ID') continue;
      if (field.name === 'lastmodified') {
        data.lastmodified = now;
        continue;
      }
      const given = body[field.name];
      if (given === undefined || (field.readOnly && field.type !== 'binfile')) {
        if (field.required) throw badRequest(`Missing value for field ${field.name}`);
        data[field.name] = defaultValue(field, now, context.userId);
        continue;
      }
      const value = acceptValue(field, given);
      if (field.required && (value === null || value === '')) {
        throw badRequest(`Missing value for field ${field.name}`);
      }
      data[field.name] =
        field.type === 'binfile' && value !== null
          ? this.storeBinfile(value as BinfileInput, context)
          : value;
    }
    const id = collection.allocateId();
    const ordered: Record<string, unknown> = { ID: id, ...data };
    const { extdata, tags } = this.applyMeta(def, null, null, body);
    const row: ZeyosRow = { data: ordered, extdata, tags };
    collection.insert(row);
    this.record(def, 'create', row, context.source);
    return row;
  }

  /**
   * Applies a partial update. A body without any field or extdata/tags member changes
   * nothing; otherwise lastmodified is reset, even if every value stayed the same.
   */
  update(
    entity: string,
    id: number,
    body: Record<string, unknown>,
    context: ChangeContext,
  ): ZeyosRow {
    const def = this.def(entity);
    const collection = this.collection(entity);
    const previous = collection.get(id);
    if (previous === undefined) throw new HttpError(404, 'Not Found');
    if (body.ID !== undefined && body.ID !== null && Number(body.ID) !== id) {
      throw new HttpError(409, 'Conflict: Non-matching ID');
    }
    this.checkKeys(def, body);
    const data: Record<string, unknown> = { ...previous.data };
    let fieldsChanged = false;
    for (const [key, given] of Object.entries(body)) {
      const field = def.fields.get(key);
      if (field === undefined || key === 'ID' || key === 'lastmodified' || given === undefined)
        continue;
      const value = acceptValue(field, given);
      if (field.required && (value === null || value === '')) {
        throw badRequest(`Missing value for field ${field.name}`);
      }
      data[key] =
        field.type === 'binfile' && value !== null
          ? this.storeBinfile(value as BinfileInput, context)
          : value;
      fieldsChanged = true;
    }
    const metaGiven = META_KEYS.some((key) => body[key] !== undefined);
    if (!fieldsChanged && !metaGiven) return previous;
    const { extdata, tags } = this.applyMeta(def, previous.extdata, previous.tags, body);
    if (def.lastmodified && (fieldsChanged || this.behaviour.metaEditsTouchLastmodified)) {
      data.lastmodified = this.clock.nowSeconds();
    }
    const row: ZeyosRow = { data, extdata, tags };
    collection.replace(row);
    this.record(def, 'update', row, context.source);
    return row;
  }

  /** Deletes permanently; returns the removed row, or undefined when there was none. */
  remove(entity: string, id: number, context: ChangeContext): ZeyosRow | undefined {
    const def = this.def(entity);
    const removed = this.collection(entity).delete(id);
    if (removed === undefined) return undefined;
    this.journal.append({
      instance: this.instance,
      entity: def.name,
      id,
      op: 'delete',
      lastmodified: null,
      visibility: null,
      hash: null,
      fullHash: null,
      source: context.source,
    });
    return removed;
  }

  /**
   * Inserts a record as given, bypassing the API's rules (IDs allowed, read-only entities such
   * as users writable). Missing fields get their defaults. For seeding and the admin API.
   */
  insertRaw(
    entity: string,
    values: Record<string, unknown>,
    context: ChangeContext,
    meta: { extdata?: Record<string, unknown>; tags?: string[] } = {},
  ): ZeyosRow {
    const def = this.def(entity);
    const collection = this.collection(entity);
    const now = this.clock.nowSeconds();
    const id = typeof values.ID === 'number' ? values.ID : collection.allocateId();
    if (collection.has(id)) throw new HttpError(409, 'Conflict: ID present');
    const data: Record<string, unknown> = {};
    for (const field of def.fields.values()) {
      if (field.name === 'ID') data.ID = id;
      else if (values[field.name] !== undefined)
        data[field.name] = acceptValue(field, values[field.name]);
      else if (field.name === 'lastmodified') data.lastmodified = now;
      else data[field.name] = defaultValue(field, now, context.userId);
    }
    const row: ZeyosRow = {
      data,
      extdata: meta.extdata === undefined ? null : { ...meta.extdata },
      tags: meta.tags === undefined ? null : sortedTags(meta.tags),
    };
    collection.insert(row);
    this.record(def, 'create', row, context.source);
    return row;
  }

  /**
   * Loads many ready-made records at once without journaling (benchmarks, snapshot restore).
   * `data` objects must hold every field of the entity in wire form.
   */
  load(entity: string, rows: Iterable<ZeyosRow>): void {
    this.collection(entity).load(rows);
  }

  /** Snapshot items of this instance. */
  *dump(): Generator<unknown, void, undefined> {
    for (const [entity, collection] of this.collections) {
      yield { k: 'collection', instance: this.instance, entity, watermark: collection.idWatermark };
      for (const row of collection.values()) {
        yield { k: 'row', instance: this.instance, entity, row };
      }
    }
    for (const [id, content] of this.binfileContent) {
      yield { k: 'binfile', instance: this.instance, id, content: content.toString('base64') };
    }
  }

  /** Restores one binfile's content from a snapshot. */
  restoreBinfile(id: number, base64: string): void {
    this.binfileContent.set(id, Buffer.from(base64, 'base64'));
  }

  private def(entity: string): EntityDef {
    const def = entityDef(entity);
    if (def === undefined) throw new HttpError(404, 'Not Found');
    return def;
  }

  private checkKeys(def: EntityDef, body: Record<string, unknown>) {
    for (const key of Object.keys(body)) {
      if (def.fields.has(key)) continue;
      if (key === 'extdata' && def.extdata.write) continue;
      if ((key === 'tags' || key === '+tags' || key === '-tags') && def.tags.write) continue;
      throw badRequest(`Invalid field ${key}`);
    }
  }

  private applyMeta(
    def: EntityDef,
    extdata: Readonly<Record<string, unknown>> | null,
    tags: readonly string[] | null,
    body: Record<string, unknown>,
  ): { extdata: Readonly<Record<string, unknown>> | null; tags: readonly string[] | null } {
    let nextExtdata = extdata;
    if (body.extdata !== undefined && def.extdata.write) {
      const given = body.extdata;
      if (typeof given !== 'object' || given === null || Array.isArray(given)) {
        throw badRequest('Invalid value for field extdata');
      }
      const merged: Record<string, unknown> = { ...(extdata ?? {}) };
      for (const [name, value] of Object.entries(given)) {
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw badRequest(`Invalid extdata field ${name}`);
        if (value === null) delete merged[name];
        else if (typeof value === 'object')
          throw badRequest(`Invalid value for extdata field ${name}`);
        else merged[name] = value;
      }
      nextExtdata = merged;
    }
    let nextTags = tags;
    if (def.tags.write) {
      if (body.tags !== undefined) nextTags = sortedTags(tagList(body.tags, 'tags'));
      if (body['+tags'] !== undefined)
        nextTags = sortedTags([...(nextTags ?? []), ...tagList(body['+tags'], '+tags')]);
      if (body['-tags'] !== undefined) {
        const remove = new Set(tagList(body['-tags'], '-tags'));
        nextTags = (nextTags ?? []).filter((tag) => !remove.has(tag));
      }
    }
    return { extdata: nextExtdata, tags: nextTags };
  }

  private storeBinfile(input: BinfileInput, context: ChangeContext): number {
    const binfiles = this.def('binfiles');
    const md5 = createHash('md5').update(input.content).digest('hex');
    const row = this.insertRaw(
      binfiles.name,
      { size: Math.max(1, input.content.length), hash: `\\x${md5}` },
      context,
    );
    const id = row.data.ID as number;
    this.binfileContent.set(id, input.content);
    return id;
  }

  private record(def: EntityDef, op: 'create' | 'update', row: ZeyosRow, source: ChangeSource) {
    const { hash, fullHash } = hashes(def, row);
    this.journal.append({
      instance: this.instance,
      entity: def.name,
      id: row.data.ID as number,
      op,
      lastmodified: def.lastmodified ? (row.data.lastmodified as number) : null,
      visibility: def.visibility ? (row.data.visibility as number) : null,
      hash,
      fullHash,
      source,
    });
  }
}
