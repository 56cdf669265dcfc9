import { type EntityStore, type TsmDb, type TsmLogEntry, type TsmRecord } from './db.js';
import {
  FilterError,
  impliedRange,
  matchesAll,
  sortComparator,
  type CompiledCondition,
  type FieldResolver,
  type PathType,
  type SortKey,
} from './filter.js';
import { AUDIT_FIELDS, fieldOf, tsmEntities, type TsmEntityDef } from './schema.js';

/**
 * Listing for /page, /search and /log: the resolver that gives filter paths their types and
 * values, and the executor that picks the cheapest way through the data.
 */

interface Accessor {
  type: PathType;
  get(record: Record<string, unknown>): unknown;
}

const AUDIT_NAMES = new Set(AUDIT_FIELDS.map((field) => field.name));

/**
 * Paths of an entity: `id`, `code`, its fields, `auditInfo.*` (also written without the
 * prefix, as the guide's examples do: `whenInserted__btw`), members of object fields
 * (`chars.x`) and, through a relation, the related entity's paths (`register.code`).
 */
export function entityResolver(db: TsmDb, def: TsmEntityDef, depth = 0): FieldResolver {
  const cache = new Map<string, Accessor | null>();
  const related = new Map<string, FieldResolver>();

  function accessor(path: string): Accessor | null {
    if (path === 'id') return { type: 'uuid', get: (r) => r.id };
    if (path === 'code' && def.code !== 'none') return { type: 'string', get: (r) => r.code };
    const field = fieldOf(def, path);
    if (field !== undefined) return { type: field.type, get: (r) => r[path] };
    const auditName = path.startsWith('auditInfo.') ? path.slice('auditInfo.'.length) : path;
    const audit = AUDIT_FIELDS.find((f) => f.name === auditName);
    if (audit !== undefined && AUDIT_NAMES.has(auditName))
      return {
        type: audit.type,
        get: (r) => (r.auditInfo as Record<string, unknown> | undefined)?.[auditName],
      };
    const dot = path.indexOf('.');
    if (dot <= 0) return null;
    const head = path.slice(0, dot);
    const rest = path.slice(dot + 1);
    const objectField = fieldOf(def, head);
    if (objectField?.type === 'object') {
      const parts = rest.split('.');
      return {
        type: 'any',
        get: (r) => {
          let value: unknown = r[head];
          for (const part of parts) {
            if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
            value = (value as Record<string, unknown>)[part];
          }
          return value;
        },
      };
    }
    const relation = def.relations.find((rel) => rel.name === head);
    const target = relation === undefined ? undefined : tsmEntities.get(relation.entity);
    if (relation === undefined || target === undefined || depth > 0) return null;
    let inner = related.get(head);
    if (inner === undefined) related.set(head, (inner = entityResolver(db, target, depth + 1)));
    const type = inner.typeOf(rest);
    if (type === undefined || type === 'object') return null;
    const store = db.store(target.name);
    const innerResolver = inner;
    return {
      type: relation.many && !type.endsWith('[]') ? 'string[]' : type,
      get: (r) => {
        const ref = r[relation.field];
        if (Array.isArray(ref)) {
          return ref
            .map((id) => store.rows.get(id as string))
            .filter((row) => row !== undefined)
            .map((row) => innerResolver.get(row, rest));
        }
        const row = typeof ref === 'string' ? store.rows.get(ref) : undefined;
        return row === undefined ? null : innerResolver.get(row, rest);
      },
    };
  }

  function cached(path: string): Accessor | null {
    let found = cache.get(path);
    if (found === undefined) cache.set(path, (found = accessor(path)));
    return found;
  }

  return {
    typeOf: (path) => cached(path)?.type,
    get: (record, path) => cached(path)?.get(record),
  };
}

/** Paths that mean auditInfo.whenEdited, the key of every entity's ordered index. */
const WHEN_EDITED = ['auditInfo.whenEdited', 'whenEdited'];

export interface ListQuery {
  conditions: readonly CompiledCondition[];
  sort: readonly SortKey[];
  offset: number;
  limit: number;
  /** Whether to count every match (/page) or stop once the slice is full (/search). */
  countTotal: boolean;
}

export interface ListResult<R> {
  rows: R[];
  /** Number of matches, or null when not counted. */
  total: number | null;
}

/**
 * Runs a list query over an entity. When the sort is `auditInfo.whenEdited` (optionally then
 * `id`, same direction) it walks the (whenEdited, id) index within the range the filters
 * imply, in order, and (without a total) stops after offset + limit matches. Otherwise it
 * filters, sorts in memory and slices.
 */
export function executeList(
  store: EntityStore,
  resolver: FieldResolver,
  query: ListQuery,
): ListResult<TsmRecord> {
  const { conditions, sort, offset, limit, countTotal } = query;
  const end = offset + limit;
  const first = sort[0];
  const indexed =
    first !== undefined &&
    WHEN_EDITED.includes(first.path) &&
    (sort.length === 1 ||
      (sort.length === 2 && sort[1]?.path === 'id' && sort[1].descending === first.descending));
  const range = impliedRange(conditions, WHEN_EDITED);
  if (indexed || (sort.length === 0 && (range.from !== undefined || range.to !== undefined))) {
    if (!indexed) return inMemory(store.rows.scanByKey(range.from, range.to), resolver, query);
    const rows: TsmRecord[] = [];
    let total = 0;
    for (const row of store.rows.scanByKey(range.from, range.to, first.descending)) {
      if (!matchesAll(conditions, row)) continue;
      if (total >= offset && total < end) rows.push(row);
      total += 1;
      if (!countTotal && total >= end) break;
    }
    return { rows, total: countTotal ? total : null };
  }
  return inMemory(store.rows.values(), resolver, query);
}

function inMemory(
  source: Iterable<TsmRecord>,
  resolver: FieldResolver,
  query: ListQuery,
): ListResult<TsmRecord> {
  const { conditions, sort, offset, limit, countTotal } = query;
  const matches: TsmRecord[] = [];
  for (const row of source) if (matchesAll(conditions, row)) matches.push(row);
  // No sort: id order (the collection yields ids in order when they only grew).
  matches.sort(sortComparator(sort, resolver));
  return {
    rows: matches.slice(offset, offset + limit),
    total: countTotal ? matches.length : null,
  };
}

/** The filterable paths of /log entries. */
const LOG_PATHS: Readonly<Record<string, PathType>> = {
  seq: 'integer',
  id: 'uuid',
  entityType: 'string',
  entityId: 'uuid',
  entityCode: 'string',
  operation: 'string',
  version: 'integer',
  who: 'string',
  when: 'datetime',
};

export const logResolver: FieldResolver = {
  typeOf: (path) => LOG_PATHS[path],
  get: (record, path) => record[path],
};

/**
 * Lists /log entries (already in seq order). A lower bound on `seq` is found by binary
 * search, so a poller's `seq__gt=N` costs only what follows N.
 */
export function executeLogList(
  entries: readonly TsmLogEntry[],
  query: ListQuery,
): ListResult<TsmLogEntry> {
  const { conditions, sort, offset, limit, countTotal } = query;
  let start = 0;
  for (const condition of conditions) {
    if (condition.path !== 'seq' || (condition.op !== 'gt' && condition.op !== 'gte')) continue;
    start = Math.max(start, lowerBound(entries, condition));
  }
  const bySeq =
    sort.length === 0 || (sort.length === 1 && sort[0]?.path === 'seq' && !sort[0].descending);
  const matches: TsmLogEntry[] = [];
  let total = 0;
  const end = offset + limit;
  for (let i = start; i < entries.length; i++) {
    const entry = entries[i] as TsmLogEntry;
    if (!matchesAll(conditions, entry as unknown as Record<string, unknown>)) continue;
    if (!bySeq || (total >= offset && total < end)) matches.push(entry);
    total += 1;
    if (bySeq && !countTotal && total >= end) break;
  }
  if (bySeq) return { rows: matches, total: countTotal ? total : null };
  const compare = sortComparator(sort, logResolver);
  matches.sort((a, b) =>
    compare(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>),
  );
  return { rows: matches.slice(offset, end), total: countTotal ? matches.length : null };
}

function lowerBound(entries: readonly TsmLogEntry[], condition: CompiledCondition): number {
  // The first entry that passes a seq > / >= condition; entries are sorted by seq.
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (condition.test(entries[mid] as unknown as Record<string, unknown>)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `expand` values of an entity, uppercase; unknown ones are a FilterError (400). */
export function parseExpand(def: TsmEntityDef, values: readonly string[]): string[] {
  const wanted = values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().toUpperCase())
    .filter((value) => value !== '');
  for (const value of wanted) {
    if (!def.relations.some((relation) => relation.expand === value))
      throw new FilterError(`Unknown expand '${value}' for ${def.name}`);
  }
  return [...new Set(wanted)];
}

/** The record with the wanted relations inlined (`register`, `roles`, …). */
export function expandRecord(
  db: TsmDb,
  def: TsmEntityDef,
  row: TsmRecord,
  expand: readonly string[],
): TsmRecord {
  if (expand.length === 0) return row;
  const out: Record<string, unknown> = { ...row };
  const audit = out.auditInfo;
  delete out.auditInfo;
  for (const relation of def.relations) {
    if (!expand.includes(relation.expand)) continue;
    const store = db.store(relation.entity);
    const ref = row[relation.field];
    if (relation.many) {
      out[relation.name] = (Array.isArray(ref) ? (ref as string[]) : [])
        .map((id) => store.rows.get(id))
        .filter((related) => related !== undefined);
    } else {
      out[relation.name] = typeof ref === 'string' ? (store.rows.get(ref) ?? null) : null;
    }
  }
  out.auditInfo = audit;
  return out;
}
