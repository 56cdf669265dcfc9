/**
 * The filters of the tSM Public API v2 guide ("Filter operators"): `field__operator=value` query
 * parameters on nested paths (`register.code__eq=…`), all combined with AND. Pure: a condition
 * is data, `filterParams` turns conditions into query parameters.
 */
import { TidemarkError } from '@tidemark/errors';

/** Every operator the guide lists, in its order. */
export const tsmFilterOperators = [
  // Comparisons
  'eq',
  'noteq',
  'gt',
  'gte',
  'lt',
  'lte',
  // Text
  'like',
  'contains',
  'notcontains',
  'startswith',
  'endswith',
  // Lists and (non)emptiness
  'in',
  'notin',
  'empty',
  'notempty',
  // Ranges and relative time
  'btw',
  'btwr',
  'gtr',
  'ltr',
] as const;

export type TsmFilterOperator = (typeof tsmFilterOperators)[number];

/** A single filter value. Dates are sent as ISO 8601 UTC with milliseconds (`…T00:56:37.851Z`). */
export type TsmFilterScalar = string | number | boolean | Date;

/** One condition: `path__op=value`, with `value` already in its wire form. */
export interface TsmFilterCondition {
  /** A field or a dotted path into a related entity (`register.code`). */
  readonly path: string;
  readonly op: TsmFilterOperator;
  /** The value as sent, before URL encoding (e.g. `%Mgr%`, `ACTIVE,PENDING`, `-P7D`). */
  readonly value: string;
}

/** A field name, or a dotted path of them: letters, digits, `_` and `-`. */
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
/** ISO 8601 duration with an optional leading minus (the guide: `-P7D`, `PT2H30M`). */
const DURATION =
  /^[-+]?P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$/;

function invalid(message: string, details: Record<string, unknown> = {}): TidemarkError {
  return new TidemarkError('INPUT_INVALID', `tSM filter: ${message}`, { details });
}

function checkPath(path: string): string {
  if (!PATH.test(path)) throw invalid(`not a field path: ${JSON.stringify(path)}`);
  return path;
}

/** A scalar in its wire form. Dates become ISO 8601 UTC; non-finite numbers are refused. */
export function formatFilterValue(value: TsmFilterScalar): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid('an invalid Date');
    return value.toISOString();
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    throw invalid('a number must be finite');
  return String(value);
}

/** Members of a comma-separated list: the guide has no escape, so a comma inside one is refused. */
function listValue(path: string, op: TsmFilterOperator, values: readonly TsmFilterScalar[]) {
  if (values.length === 0) throw invalid(`${op} needs at least one value`, { path });
  const texts = values.map(formatFilterValue);
  if (texts.some((text) => text.includes(',')))
    throw invalid(`a value of ${op} cannot contain a comma (the list separator)`, { path });
  return texts.join(',');
}

function condition(path: string, op: TsmFilterOperator, value: string): TsmFilterCondition {
  return { path: checkPath(path), op, value };
}

function relative(path: string, op: 'gtr' | 'ltr', duration: string): TsmFilterCondition {
  if (!DURATION.test(duration))
    throw invalid(`${op} takes an ISO 8601 duration such as -P7D or PT2H30M`, { path });
  return condition(path, op, duration);
}

function between(
  path: string,
  op: 'btw' | 'btwr',
  from: TsmFilterScalar,
  to: TsmFilterScalar,
): TsmFilterCondition {
  return condition(path, op, listValue(path, op, [from, to]));
}

/**
 * Builds conditions, one function per operator of the guide. Every condition of a query
 * combines with AND (the guide's only combinator). Values are given unencoded: `like` takes
 * the `%` wildcards itself (`where.like('value', '%Mgr%')` → `value__like=%25Mgr%25`).
 */
export const where = {
  /** `path__eq=value` */
  eq: (path: string, value: TsmFilterScalar) => condition(path, 'eq', formatFilterValue(value)),
  /** `path__noteq=value` */
  noteq: (path: string, value: TsmFilterScalar) =>
    condition(path, 'noteq', formatFilterValue(value)),
  /** `path__gt=value` */
  gt: (path: string, value: TsmFilterScalar) => condition(path, 'gt', formatFilterValue(value)),
  /** `path__gte=value` */
  gte: (path: string, value: TsmFilterScalar) => condition(path, 'gte', formatFilterValue(value)),
  /** `path__lt=value` */
  lt: (path: string, value: TsmFilterScalar) => condition(path, 'lt', formatFilterValue(value)),
  /** `path__lte=value` */
  lte: (path: string, value: TsmFilterScalar) => condition(path, 'lte', formatFilterValue(value)),
  /** `path__like=pattern`; `%` is the wildcard and is sent as `%25`. */
  like: (path: string, pattern: string) => condition(path, 'like', pattern),
  /** `path__contains=text`: contains `text` anywhere. */
  contains: (path: string, text: string) => condition(path, 'contains', text),
  /** `path__notcontains=text` */
  notcontains: (path: string, text: string) => condition(path, 'notcontains', text),
  /** `path__startswith=text` */
  startswith: (path: string, text: string) => condition(path, 'startswith', text),
  /** `path__endswith=text` */
  endswith: (path: string, text: string) => condition(path, 'endswith', text),
  /** `path__in=a,b`: one of the values (no value may contain a comma). */
  in: (path: string, values: readonly TsmFilterScalar[]) =>
    condition(path, 'in', listValue(path, 'in', values)),
  /** `path__notin=a,b` */
  notin: (path: string, values: readonly TsmFilterScalar[]) =>
    condition(path, 'notin', listValue(path, 'notin', values)),
  /** `path__empty=true`: null or empty. */
  empty: (path: string) => condition(path, 'empty', 'true'),
  /** `path__notempty=true`: has a value. */
  notempty: (path: string) => condition(path, 'notempty', 'true'),
  /** `path__btw=from,to`: between two values or instants. */
  btw: (path: string, from: TsmFilterScalar, to: TsmFilterScalar) => between(path, 'btw', from, to),
  /** `path__btwr=from,to`: "between reversed"; the guide: only where the module supports it. */
  btwr: (path: string, from: TsmFilterScalar, to: TsmFilterScalar) =>
    between(path, 'btwr', from, to),
  /** `path__gtr=-P7D`: after now plus an ISO 8601 duration (negative: in the past). */
  gtr: (path: string, duration: string) => relative(path, 'gtr', duration),
  /** `path__ltr=-P7D`: before now plus an ISO 8601 duration. */
  ltr: (path: string, duration: string) => relative(path, 'ltr', duration),
  /** Any operator with a value already in wire form, for operators a module adds. */
  op: (path: string, op: TsmFilterOperator, value: string) => condition(path, op, value),
} as const;

/** The query parameters of conditions, in order: `[['status__eq', 'ACTIVE'], …]`. */
export function filterParams(
  conditions: readonly TsmFilterCondition[],
): Array<readonly [string, string]> {
  return conditions.map((c) => [`${checkPath(c.path)}__${c.op}`, c.value] as const);
}
