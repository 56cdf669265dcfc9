import type { KeyBound } from '../core/ordered-index.js';
import type { TsmFieldType } from './schema.js';

/**
 * The tSM filter language of the Public API v2 guide: query parameters `field__operator=value`,
 * all combined with AND, plus Spring Data's `sort=field,ASC|DESC`. Pure: a `FieldResolver`
 * tells which paths exist, their types and how to read them from a record.
 */
export const filterOperators = [
  'eq',
  'noteq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'contains',
  'notcontains',
  'startswith',
  'endswith',
  'in',
  'notin',
  'empty',
  'notempty',
  'btw',
  'btwr',
  'gtr',
  'ltr',
] as const;
export type FilterOperator = (typeof filterOperators)[number];

/** A filter or sort problem; the API answers 400 with `message`. */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** One `field__op=value` parameter, syntax only. */
export interface FilterCondition {
  path: string;
  op: FilterOperator;
  value: string;
}

/** The type of a filterable path; `any` for members of free objects (compared by value). */
export type PathType = TsmFieldType | 'any';

export interface FieldResolver {
  /** Type of a path, or undefined when the entity has no such field. */
  typeOf(path: string): PathType | undefined;
  /** Value at the path; an array for multi-valued paths; undefined/null when absent. */
  get(record: Record<string, unknown>, path: string): unknown;
}

const OPERATOR_SET: ReadonlySet<string> = new Set(filterOperators);

/**
 * Picks the filter parameters out of a query string. `field__op=value` is a condition; a bare
 * `field=value` means `field__eq=value`; `reserved` names (page, size, sort, expand) are not
 * filters. Unknown operators are a FilterError.
 */
export function parseFilterParams(
  params: URLSearchParams,
  reserved: ReadonlySet<string>,
): FilterCondition[] {
  const out: FilterCondition[] = [];
  for (const [key, value] of params) {
    if (reserved.has(key)) continue;
    const at = key.lastIndexOf('__');
    if (at <= 0) {
      out.push({ path: key, op: 'eq', value });
      continue;
    }
    const op = key.slice(at + 2).toLowerCase();
    if (!OPERATOR_SET.has(op)) throw new FilterError(`Unknown filter operator '${op}'`);
    out.push({ path: key.slice(0, at), op: op as FilterOperator, value });
  }
  return out;
}

type Scalar = string | number | boolean;
type Kind = 'string' | 'number' | 'boolean' | 'datetime' | 'any';

function kindOf(type: PathType): Kind | 'object' {
  switch (type) {
    case 'string':
    case 'text':
    case 'uuid':
    case 'string[]':
    case 'uuid[]':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime';
    case 'any':
      return 'any';
    case 'object':
      return 'object';
  }
}

/** A compiled condition: the predicate plus what the planner needs. */
export interface CompiledCondition {
  path: string;
  op: FilterOperator;
  test(record: Record<string, unknown>): boolean;
  /** For datetime conditions that bound the value: the bound in Unix ms. */
  range?: { from?: KeyBound; to?: KeyBound };
}

/**
 * Checks every condition against the resolver (unknown field → FilterError "Unknown filter
 * field 'x'", as in the guide's error example) and compiles it. `nowMs` anchors `gtr`/`ltr`.
 */
export function compileFilter(
  conditions: readonly FilterCondition[],
  resolver: FieldResolver,
  nowMs: number,
): CompiledCondition[] {
  return conditions.map((condition) => compileCondition(condition, resolver, nowMs));
}

/** True when the record passes every condition (AND). */
export function matchesAll(
  compiled: readonly CompiledCondition[],
  record: Record<string, unknown>,
): boolean {
  for (const condition of compiled) if (!condition.test(record)) return false;
  return true;
}

function compileCondition(
  condition: FilterCondition,
  resolver: FieldResolver,
  nowMs: number,
): CompiledCondition {
  const { path, op, value } = condition;
  const type = resolver.typeOf(path);
  if (type === undefined) throw new FilterError(`Unknown filter field '${path}'`);
  const kind = kindOf(type);
  if (kind === 'object') throw new FilterError(`Field '${path}' is not filterable`);
  const get = (record: Record<string, unknown>) => resolver.get(record, path);
  const base = { path, op };
  const unsupported = () =>
    new FilterError(`Operator '${op}' is not supported for field '${path}'`);

  /** Positive test over every value of the path (any element of an array). */
  const any =
    (test: (v: Scalar) => boolean) =>
    (record: Record<string, unknown>): boolean =>
      values(get(record)).some(test);
  /** Negative test: holds when no value matches; absent values never match (SQL NULL). */
  const none =
    (test: (v: Scalar) => boolean) =>
    (record: Record<string, unknown>): boolean => {
      const all = values(get(record));
      return all.length > 0 && !all.some(test);
    };

  switch (op) {
    case 'eq':
    case 'noteq': {
      const operand = parseOperand(value, kind, path);
      const test = (v: Scalar) => equals(v, operand, kind);
      return { ...base, test: op === 'eq' ? any(test) : none(test), ...eqRange(kind, operand, op) };
    }
    case 'in':
    case 'notin': {
      const operands = splitList(value).map((item) => parseOperand(item, kind, path));
      const test = (v: Scalar) => operands.some((operand) => equals(v, operand, kind));
      return { ...base, test: op === 'in' ? any(test) : none(test) };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (kind === 'boolean') throw unsupported();
      const operand = parseOperand(value, kind, path);
      return { ...base, test: any(comparison(op, operand, kind)), ...bound(kind, op, operand) };
    }
    case 'btw':
    case 'btwr': {
      if (kind === 'boolean') throw unsupported();
      const parts = splitList(value);
      if (parts.length !== 2)
        throw new FilterError(`Filter '${path}__${op}' needs two comma-separated values`);
      const lo = parseOperand(parts[0] as string, kind, path);
      const hi = parseOperand(parts[1] as string, kind, path);
      const inside = (v: Scalar) =>
        comparison('gte', lo, kind)(v) && comparison('lte', hi, kind)(v);
      if (op === 'btwr') return { ...base, test: any((v) => !inside(v)) };
      const from = bound(kind, 'gte', lo).range?.from;
      const to = bound(kind, 'lte', hi).range?.to;
      return {
        ...base,
        test: any(inside),
        ...(kind === 'datetime' ? { range: { ...(from && { from }), ...(to && { to }) } } : {}),
      };
    }
    case 'gtr':
    case 'ltr': {
      if (kind !== 'datetime') throw unsupported();
      const duration = parseDuration(value);
      if (duration === null)
        throw new FilterError(`Invalid ISO 8601 duration '${value}' for field '${path}'`);
      const threshold = addDuration(nowMs, duration);
      const cmp = op === 'gtr' ? 'gt' : 'lt';
      return {
        ...base,
        test: any(comparison(cmp, threshold, kind)),
        ...bound(kind, cmp, threshold),
      };
    }
    case 'like':
    case 'contains':
    case 'notcontains':
    case 'startswith':
    case 'endswith': {
      if (kind !== 'string' && kind !== 'any') throw unsupported();
      const pattern =
        op === 'like'
          ? likeToRegExp(value)
          : new RegExp(
              op === 'startswith'
                ? `^${escapeRegExp(value)}`
                : op === 'endswith'
                  ? `${escapeRegExp(value)}$`
                  : escapeRegExp(value),
              'iu',
            );
      const test = (v: Scalar) => pattern.test(String(v));
      return { ...base, test: op === 'notcontains' ? none(test) : any(test) };
    }
    case 'empty':
    case 'notempty': {
      const flag = value.trim().toLowerCase();
      if (flag !== '' && flag !== 'true' && flag !== 'false')
        throw new FilterError(`Filter '${path}__${op}' takes true or false`);
      const wantEmpty = (op === 'empty') === (flag !== 'false');
      return { ...base, test: (record) => isEmpty(get(record)) === wantEmpty };
    }
  }
}

function values(value: unknown): Scalar[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(values);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return [value];
  return [];
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

/** Parses a query value for a path of `kind`: numbers, true/false, ISO 8601 dates (→ ms). */
function parseOperand(text: string, kind: Kind, path: string): Scalar {
  switch (kind) {
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new FilterError(`Invalid number '${text}' for field '${path}'`);
      return n;
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (lower !== 'true' && lower !== 'false')
        throw new FilterError(`Invalid boolean '${text}' for field '${path}'`);
      return lower === 'true';
    }
    case 'datetime': {
      const ms = parseInstant(text);
      if (ms === null) throw new FilterError(`Invalid date-time '${text}' for field '${path}'`);
      return ms;
    }
    case 'string':
    case 'any':
      return text;
  }
}

/** ISO 8601 date or date-time; without a zone it is UTC (the guide: always UTC). */
export function parseInstant(text: string): number | null {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
      text.trim(),
    );
  if (match === null) return null;
  const zone = match[8] ?? 'Z';
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}${(match[7] ?? '').slice(0, 4)}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function comparable(v: Scalar, kind: Kind): Scalar | null {
  switch (kind) {
    case 'datetime':
      return typeof v === 'string' ? parseInstant(v) : typeof v === 'number' ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'any': {
      return v;
    }
    case 'boolean':
    case 'string':
      return v;
  }
}

function compareAny(a: Scalar, b: Scalar): number {
  const na = Number(a);
  const nb = Number(b);
  if (
    typeof a !== 'boolean' &&
    typeof b !== 'boolean' &&
    String(a).trim() !== '' &&
    String(b).trim() !== '' &&
    Number.isFinite(na) &&
    Number.isFinite(nb)
  )
    return na - nb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function equals(v: Scalar, operand: Scalar, kind: Kind): boolean {
  const left = comparable(v, kind);
  if (left === null) return false;
  if (kind === 'any') return compareAny(left, operand) === 0;
  // Strings compare case-sensitively for eq (codes, enums); uuids are stored lowercase.
  return left === operand;
}

function comparison(
  op: 'gt' | 'gte' | 'lt' | 'lte',
  operand: Scalar,
  kind: Kind,
): (v: Scalar) => boolean {
  return (v) => {
    const left = comparable(v, kind);
    if (left === null) return false;
    const c =
      kind === 'any' || typeof left !== typeof operand
        ? compareAny(left, operand)
        : left < operand
          ? -1
          : left > operand
            ? 1
            : 0;
    switch (op) {
      case 'gt':
        return c > 0;
      case 'gte':
        return c >= 0;
      case 'lt':
        return c < 0;
      case 'lte':
        return c <= 0;
    }
  };
}

function bound(
  kind: Kind,
  op: 'gt' | 'gte' | 'lt' | 'lte',
  operand: Scalar,
): { range?: { from?: KeyBound; to?: KeyBound } } {
  if (kind !== 'datetime' || typeof operand !== 'number') return {};
  const inclusive = op === 'gte' || op === 'lte';
  return op === 'gt' || op === 'gte'
    ? { range: { from: { value: operand, inclusive } } }
    : { range: { to: { value: operand, inclusive } } };
}

function eqRange(
  kind: Kind,
  operand: Scalar,
  op: 'eq' | 'noteq',
): { range?: { from?: KeyBound; to?: KeyBound } } {
  if (op !== 'eq' || kind !== 'datetime' || typeof operand !== 'number') return {};
  return {
    range: { from: { value: operand, inclusive: true }, to: { value: operand, inclusive: true } },
  };
}

/**
 * The interval of `path` (a datetime, in Unix ms) that the AND of the conditions implies, so
 * a scan of the (whenEdited, id) index can skip everything outside it.
 */
export function impliedRange(
  compiled: readonly CompiledCondition[],
  paths: readonly string[],
): { from?: KeyBound; to?: KeyBound } {
  let from: KeyBound | undefined;
  let to: KeyBound | undefined;
  for (const condition of compiled) {
    if (!paths.includes(condition.path) || condition.range === undefined) continue;
    const next = condition.range;
    if (next.from !== undefined && (from === undefined || tighterFrom(next.from, from)))
      from = next.from;
    if (next.to !== undefined && (to === undefined || tighterTo(next.to, to))) to = next.to;
  }
  return { ...(from && { from }), ...(to && { to }) };
}

function tighterFrom(a: KeyBound, b: KeyBound): boolean {
  return a.value > b.value || (a.value === b.value && !a.inclusive);
}

function tighterTo(a: KeyBound, b: KeyBound): boolean {
  return a.value < b.value || (a.value === b.value && !a.inclusive);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * SQL LIKE as a case-insensitive regular expression over the whole value: `%` any run of
 * characters, `_` one character, a backslash escapes the next character.
 */
export function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[i + 1] as string);
      i++;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'isu');
}

/** An ISO 8601 duration, signed as a whole ("-P7D" is seven days back). */
export interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Parses `[+-]P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]` (also with the typographic minus); null if invalid. */
export function parseDuration(text: string): Duration | null {
  const match =
    /^([+\-\u2212\u2013])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i.exec(
      text.trim(),
    );
  if (match === null) return null;
  const [, sign, y, mo, w, d, h, mi, s] = match;
  if ([y, mo, w, d, h, mi, s].every((part) => part === undefined)) return null;
  if (/T$/i.test(text.trim())) return null;
  return {
    sign: sign === undefined || sign === '+' ? 1 : -1,
    years: Number(y ?? 0),
    months: Number(mo ?? 0),
    weeks: Number(w ?? 0),
    days: Number(d ?? 0),
    hours: Number(h ?? 0),
    minutes: Number(mi ?? 0),
    seconds: Number((s ?? '0').replace(',', '.')),
  };
}

/** `ms` plus the duration, years and months in calendar terms (UTC), the rest exactly. */
export function addDuration(ms: number, duration: Duration): number {
  const date = new Date(ms);
  const k = duration.sign;
  if (duration.years !== 0 || duration.months !== 0) {
    date.setUTCMonth(date.getUTCMonth() + k * (duration.years * 12 + duration.months));
  }
  const exact =
    ((duration.weeks * 7 + duration.days) * 86_400 +
      duration.hours * 3600 +
      duration.minutes * 60 +
      duration.seconds) *
    1000;
  return date.getTime() + k * exact;
}

/** One `sort` key. */
export interface SortKey {
  path: string;
  descending: boolean;
}

/**
 * Spring Data's `sort` parameters: each is `property[,property…][,ASC|DESC]` (direction
 * case-insensitive, ASC by default); repeated parameters add keys in order. Unknown or
 * unsortable properties are a FilterError.
 */
export function parseSort(values: readonly string[], resolver: FieldResolver): SortKey[] {
  const keys: SortKey[] = [];
  for (const value of values) {
    const parts = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (parts.length === 0) continue;
    const last = (parts[parts.length - 1] as string).toLowerCase();
    const direction = last === 'asc' || last === 'desc' ? last : null;
    const properties = direction === null ? parts : parts.slice(0, -1);
    if (properties.length === 0) throw new FilterError(`Invalid sort '${value}'`);
    for (const path of properties) {
      const type = resolver.typeOf(path);
      if (type === undefined) throw new FilterError(`Unknown sort field '${path}'`);
      if (type === 'object' || type.endsWith('[]'))
        throw new FilterError(`Field '${path}' is not sortable`);
      keys.push({ path, descending: direction === 'desc' });
    }
  }
  return keys;
}

/**
 * A comparator for the sort keys; ties end on `id` ascending so order is stable. NULLs sort
 * last ascending and first descending (PostgreSQL's default).
 */
export function sortComparator(
  keys: readonly SortKey[],
  resolver: FieldResolver,
): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const kinds = keys.map((key) => kindOf(resolver.typeOf(key.path) ?? 'any'));
  return (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as SortKey;
      const kind = kinds[i] as Kind;
      const va = scalarOrNull(resolver.get(a, key.path), kind);
      const vb = scalarOrNull(resolver.get(b, key.path), kind);
      let c: number;
      if (va === null && vb === null) c = 0;
      else if (va === null) c = 1;
      else if (vb === null) c = -1;
      else if (kind === 'any') c = compareAny(va, vb);
      else c = va < vb ? -1 : va > vb ? 1 : 0;
      if (c !== 0) return key.descending ? -c : c;
    }
    const ia = String(a.id);
    const ib = String(b.id);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
}

function scalarOrNull(value: unknown, kind: Kind | 'object'): Scalar | null {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return null;
  if (kind === 'datetime') return comparable(value, 'datetime');
  if (kind === 'boolean') return value === true ? 1 : 0;
  return value;
}
