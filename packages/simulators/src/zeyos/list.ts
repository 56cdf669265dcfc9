import type { ZeyosInstanceDb, ZeyosRow } from './db.js';
import {
  FilterError,
  compareValues,
  compileFilter,
  impliedRange,
  parseFilter,
  type FieldAccessor,
  type FilterNode,
} from './filter.js';
import { entityDef, type EntityDef, type FieldDef } from './schema.js';
import { badRequest, decodePgArray } from './values.js';

/**
 * POST /{entity}: the list request (zeyos-rest-api-v1.txt "Data Retrieval" and the
 * request-list schema of api.json) parsed into a plan and run against one instance's data.
 */

export interface ListRequest {
  /** Selected fields as (output key, field path); null selects every field of the entity. */
  fields: { key: string; path: string }[] | null;
  filter: FilterNode | null;
  query: string | null;
  sort: { path: string; descending: boolean }[];
  limit: number;
  offset: number;
  count: boolean;
  distinct: boolean;
  expand: ReadonlySet<string>;
  export: boolean;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;

function decodeJsonText(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    throw badRequest(`Invalid ${name}`);
  }
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false' || value === '')
    return false;
  throw badRequest(`Invalid ${name}`);
}

function integer(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw badRequest(`Invalid ${name}`);
  return n;
}

function stringList(value: unknown, name: string): string[] {
  const decoded = decodeJsonText(value, name);
  if (decoded === undefined || decoded === null) return [];
  if (typeof decoded === 'string') return decoded === '' ? [] : [decoded];
  if (Array.isArray(decoded) && decoded.every((item) => typeof item === 'string')) return decoded;
  if (typeof decoded === 'object' && !Array.isArray(decoded)) {
    const values = Object.values(decoded);
    if (values.every((item) => typeof item === 'string')) return values;
  }
  throw badRequest(`Invalid ${name}`);
}

/** Parses the body of a list request; 400 on anything malformed. Unknown members are ignored. */
export function parseListRequest(body: Record<string, unknown>): ListRequest {
  let fields: ListRequest['fields'] = null;
  const rawFields = decodeJsonText(body.fields, 'selection');
  if (rawFields !== undefined && rawFields !== null && rawFields !== '') {
    if (typeof rawFields === 'string') fields = [{ key: rawFields, path: rawFields }];
    else if (Array.isArray(rawFields)) {
      fields = rawFields.map((path) => {
        if (typeof path !== 'string') throw badRequest('Invalid selection field');
        return { key: path, path };
      });
    } else if (typeof rawFields === 'object') {
      fields = Object.entries(rawFields).map(([key, path]) => {
        if (typeof path !== 'string') throw badRequest('Invalid selection field');
        // Numeric keys are positions, not aliases ({"0": "ID", "Name": "lastname"}).
        return { key: /^\d+$/.test(key) ? path : key, path };
      });
    } else throw badRequest('Invalid selection field');
    if (fields.length === 0) fields = null;
  }

  let filter: FilterNode | null;
  try {
    const parts = [body.filter, body.filters]
      .map((raw) => parseFilter(decodeJsonText(raw, 'filter')))
      .filter((node): node is FilterNode => node !== null);
    filter =
      parts.length === 0
        ? null
        : parts.length === 1
          ? (parts[0] as FilterNode)
          : { kind: 'and', children: parts };
  } catch (error) {
    if (error instanceof FilterError) throw badRequest(error.message);
    throw error;
  }

  let query: string | null = null;
  if (body.query !== undefined && body.query !== null) {
    if (typeof body.query !== 'string' && typeof body.query !== 'number')
      throw badRequest('Invalid query');
    query = String(body.query).trim() === '' ? null : String(body.query);
  }

  const sort = stringList(body.sort, 'sort').flatMap((entry) =>
    entry
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const descending = part.startsWith('-');
        const path = part.startsWith('-') || part.startsWith('+') ? part.slice(1).trim() : part;
        if (path === '') throw badRequest('Invalid sort field');
        return { path, descending };
      }),
  );

  const limit = integer(body.limit, 'limit', DEFAULT_LIMIT);
  if (limit < 1 || limit > MAX_LIMIT) throw badRequest('Invalid limit');
  const offset = integer(body.offset, 'offset', 0);
  if (offset < 0) throw badRequest('Invalid offset');

  return {
    fields,
    filter,
    query,
    sort,
    limit,
    offset,
    count: flag(body.count, 'count'),
    distinct: flag(body.distinct, 'distinct'),
    expand: new Set(stringList(body.expand, 'expand')),
    export: flag(body.export, 'export'),
  };
}

/** A field path resolved against an entity: how to read it and how to print it. */
interface ResolvedField extends FieldAccessor<ZeyosRow> {
  /** The own composite field, for `expand`. */
  composite: FieldDef | undefined;
}

function accessorType(field: FieldDef): FieldAccessor<ZeyosRow>['type'] {
  switch (field.type) {
    case 'integer':
    case 'binfile':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'object':
    case 'array':
    case 'json':
    case 'pgarray':
      return 'dynamic';
  }
}

/**
 * Resolves "field", "relation.field" (first-degree joins through a foreign key) and
 * "extdata.name". Joined rows that do not exist read as null, like a LEFT JOIN.
 */
export function resolveField(
  db: ZeyosInstanceDb,
  def: EntityDef,
  path: string,
): ResolvedField | undefined {
  const own = def.fields.get(path);
  if (own !== undefined) {
    const name = own.name;
    return {
      type: accessorType(own),
      get: (row) => row.data[name] ?? null,
      composite: own.composite ? own : undefined,
    };
  }
  const dot = path.indexOf('.');
  if (dot <= 0) return undefined;
  const head = path.slice(0, dot);
  const tail = path.slice(dot + 1);
  if (head === 'extdata') {
    if (!def.extdata.read || tail === '') return undefined;
    return { type: 'dynamic', get: (row) => row.extdata?.[tail] ?? null, composite: undefined };
  }
  const relation = def.fields.get(head);
  if (relation?.ref === undefined) return undefined;
  const target = entityDef(relation.ref);
  const targetField = target?.fields.get(tail);
  if (target === undefined || targetField === undefined) return undefined;
  const targetRows = db.collection(target.name);
  return {
    type: accessorType(targetField),
    get: (row) => {
      const id = row.data[head];
      if (typeof id !== 'number') return null;
      return targetRows.get(id)?.data[tail] ?? null;
    },
    composite: undefined,
  };
}

export type ListResult =
  | { kind: 'count'; count: number }
  | { kind: 'rows'; rows: Readonly<Record<string, unknown>>[] }
  | { kind: 'csv'; text: string };

/** Runs a parsed list request against one entity of one instance. */
export function executeList(db: ZeyosInstanceDb, def: EntityDef, request: ListRequest): ListResult {
  const resolve = (path: string) => resolveField(db, def, path);

  // Selection.
  const selection = (
    request.fields ?? def.fieldNames.map((name) => ({ key: name, path: name }))
  ).map(({ key, path }) => {
    const field = resolve(path);
    if (field === undefined) throw badRequest('Invalid selection field');
    return { key, path, field };
  });
  for (const name of request.expand) {
    if (def.fields.get(name)?.composite !== true) throw badRequest('Invalid expand field');
  }

  // Predicate: filter AND query.
  let predicate: (row: ZeyosRow) => boolean;
  try {
    predicate = compileFilter(request.filter, resolve);
  } catch (error) {
    if (error instanceof FilterError) throw badRequest(error.message);
    throw error;
  }
  const search = searchPredicate(def, request.query);
  const matches = search === null ? predicate : (row: ZeyosRow) => predicate(row) && search(row);

  // Sort keys; an alias of the selection may stand for its field.
  const aliases = new Map(selection.map((s) => [s.key, s.path]));
  const sortKeys = request.sort.map(({ path: given, descending }) => {
    let path = given;
    let field = resolve(path);
    const aliased = aliases.get(given);
    if (field === undefined && aliased !== undefined) {
      path = aliased;
      field = resolve(path);
    }
    if (field === undefined) throw badRequest('Invalid sort field');
    return { path, descending, field };
  });

  const collection = db.collection(def.name);
  const range = def.lastmodified ? impliedRange(request.filter, 'lastmodified') : undefined;
  if (range?.empty === true) {
    return request.count ? { kind: 'count', count: 0 } : { kind: 'rows', rows: [] };
  }
  const indexOrder = indexSortDirection(sortKeys);
  const useIndex =
    collection.indexed &&
    range !== undefined &&
    (range.from !== undefined || range.to !== undefined || indexOrder !== null);
  const scanDescending = useIndex && indexOrder === 'desc';
  const candidates = (): Iterable<ZeyosRow> =>
    useIndex ? collection.scanByKey(range?.from, range?.to, scanDescending) : collection.values();

  if (request.count) {
    let count = 0;
    for (const row of candidates()) if (matches(row)) count++;
    return { kind: 'count', count };
  }

  // Every field, nothing expanded: the stored data is already the answer (rows are immutable).
  const wholeRows = request.fields === null && request.expand.size === 0;
  const project = (row: ZeyosRow): Readonly<Record<string, unknown>> => {
    if (wholeRows) return row.data;
    const out: Record<string, unknown> = {};
    for (const { key, path, field } of selection) {
      const value = field.get(row);
      out[key] =
        field.composite !== undefined && request.expand.has(path)
          ? expandValue(db, field.composite, value)
          : value;
    }
    return out;
  };

  // Candidates already come in the requested order when the sort is the index order, or when
  // no sort (or ID ascending) is asked for and rows come in ID order: stream and stop early.
  const ordered = useIndex ? indexOrder !== null : isIdOrder(sortKeys);
  const limit = request.export ? Number.POSITIVE_INFINITY : request.limit;
  const seen = request.distinct ? new Set<string>() : null;
  const out: Readonly<Record<string, unknown>>[] = [];
  let skipped = 0;
  const accept = (row: ZeyosRow): boolean => {
    const projected = project(row);
    if (seen !== null) {
      const key = JSON.stringify(Object.values(projected));
      if (seen.has(key)) return true;
      seen.add(key);
    }
    if (skipped < request.offset) {
      skipped++;
      return true;
    }
    out.push(projected);
    return out.length < limit;
  };

  if (ordered) {
    for (const row of candidates()) {
      if (matches(row) && !accept(row)) break;
    }
  } else {
    const rows: ZeyosRow[] = [];
    for (const row of candidates()) if (matches(row)) rows.push(row);
    rows.sort(rowComparator(sortKeys));
    for (const row of rows) if (!accept(row)) break;
  }

  if (request.export)
    return {
      kind: 'csv',
      text: toCsv(
        selection.map((s) => s.key),
        out,
      ),
    };
  return { kind: 'rows', rows: out };
}

/** asc/desc when the sort is exactly the (lastmodified, ID) index order, else null. */
function indexSortDirection(keys: { path: string; descending: boolean }[]): 'asc' | 'desc' | null {
  const [first, second, ...rest] = keys;
  if (first?.path !== 'lastmodified' || rest.length > 0) return null;
  if (second !== undefined && (second.path !== 'ID' || second.descending !== first.descending))
    return null;
  return first.descending ? 'desc' : 'asc';
}

function isIdOrder(keys: { path: string; descending: boolean }[]): boolean {
  return keys.length === 0 || (keys[0]?.path === 'ID' && !keys[0].descending);
}

/**
 * PostgreSQL's default: NULLs sort last ascending and first descending. Ties end on ID
 * ascending, so equal keys come back in a stable, documented order.
 */
function rowComparator(keys: { descending: boolean; field: FieldAccessor<ZeyosRow> }[]) {
  return (a: ZeyosRow, b: ZeyosRow): number => {
    for (const { descending, field } of keys) {
      const x = field.get(a);
      const y = field.get(b);
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      let order: number;
      if (xNull || yNull) order = xNull === yNull ? 0 : xNull ? 1 : -1;
      else order = compareValues(x, y);
      if (order !== 0) return descending ? -order : order;
    }
    return (a.data.ID as number) - (b.data.ID as number);
  };
}

/**
 * `query`: every whitespace-separated term must occur (case-insensitively) in at least one of
 * the entity's searchable string fields.
 */
function searchPredicate(
  def: EntityDef,
  query: string | null,
): ((row: ZeyosRow) => boolean) | null {
  if (query === null) return null;
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '');
  const fields = def.searchable;
  return (row) =>
    terms.every((term) =>
      fields.some((name) => {
        const value = row.data[name];
        return typeof value === 'string' && value.toLowerCase().includes(term);
      }),
    );
}

/** The expanded form of a composite value: decoded JSON, an array, or binfile content. */
export function expandValue(db: ZeyosInstanceDb, field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    case 'pgarray':
      return typeof value === 'string' ? (decodePgArray(value) ?? value) : value;
    case 'binfile': {
      const content = typeof value === 'number' ? db.binfile(value) : undefined;
      return content === undefined ? null : { content: content.toString('base64') };
    }
    case 'integer':
    case 'number':
    case 'string':
    case 'boolean':
    case 'object':
    case 'array':
      return value;
  }
}

function toCsv(columns: string[], rows: Readonly<Record<string, unknown>>[]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.map(cell).join(';')];
  for (const row of rows) lines.push(columns.map((column) => cell(row[column])).join(';'));
  return `${lines.join('\r\n')}\r\n`;
}
