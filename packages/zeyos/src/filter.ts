/**
 * A typed builder for ZeyOS list filters, compiled to the JSON shape the API reference
 * documents ("Filters" in the ZeyOS Standard REST API reference):
 *
 *   {
 *     "field": "value",                        // equality shorthand
 *     "field2": {"=": "value"},
 *     "field3": {"<": "value1", ">": "value2"},  // several operators on one field are ANDed
 *     "field4": {"IN": ["value1", "value2"]},
 *     2: ["AND/OR/NOT", {...}, {...}]          // a numbered group of filter objects
 *   }
 *
 * Members of one filter object are ANDed. A group's key is its position among the object's
 * members (the reference's example puts its OR group third, under key 2); its operands are
 * filter objects in turn, so groups nest.
 */

/** Operators for any field type. */
export const comparisonOperators = ['=', '!=', '<>', '<', '<=', '>', '>='] as const;
/** Set membership: the operand is an array. */
export const setOperators = ['IN', '!IN'] as const;
/** Regular expressions (`~`) and LIKE patterns (`~~`) on string fields; `*` = case-insensitive. */
export const stringOperators = ['~', '~*', '!~', '!~*', '~~', '~~*', '!~~', '!~~*'] as const;
/** Every documented filter operator. */
export const filterOperators = [
  ...comparisonOperators,
  ...setOperators,
  ...stringOperators,
] as const;

export type ComparisonOperator = (typeof comparisonOperators)[number];
export type SetOperator = (typeof setOperators)[number];
export type StringOperator = (typeof stringOperators)[number];
export type FilterOperator = (typeof filterOperators)[number];

/** A value compared with a field; `null` with `=` / `!=` tests for NULL. */
export type FilterScalar = string | number | boolean | null;

/** The JSON sent as `filters`: field conditions and numbered groups. */
export type FilterJson = { [key: string]: FilterScalar | FilterOperands | FilterGroupJson };
export type FilterOperands = { [operator: string]: FilterScalar | readonly FilterScalar[] };
export type FilterGroupJson = [GroupOperator, ...FilterJson[]];
export type GroupOperator = 'AND' | 'OR' | 'NOT';

/** One condition on one field. */
export interface FilterCondition {
  readonly kind: 'condition';
  readonly field: string;
  readonly operator: FilterOperator;
  readonly value: FilterScalar | readonly FilterScalar[];
}

/** AND, OR or NOT over filters (NOT over several operands negates their AND). */
export interface FilterGroup {
  readonly kind: 'group';
  readonly operator: GroupOperator;
  readonly operands: readonly Filter[];
}

/** A filter built with `where`; compile it with `compileFilter`. */
export type Filter = FilterCondition | FilterGroup;

function condition(
  field: string,
  operator: FilterOperator,
  value: FilterScalar | readonly FilterScalar[],
): FilterCondition {
  if (field === '') throw new TypeError('a filter field must not be empty');
  const isSet = (setOperators as readonly string[]).includes(operator);
  if (isSet !== Array.isArray(value)) {
    throw new TypeError(
      `filter operator ${operator} on ${field} needs ${isSet ? 'an array' : 'a single value'}`,
    );
  }
  return { kind: 'condition', field, operator, value };
}

function group(operator: GroupOperator, operands: readonly Filter[]): FilterGroup {
  if (operands.length === 0) throw new TypeError(`a filter ${operator} group needs an operand`);
  return { kind: 'group', operator, operands };
}

/**
 * The filter builder. Field names are plain (`lastname`), joined through a first-degree
 * relation (`contact.country`) or extension data (`extdata.nickname`).
 *
 * @example
 * where.and(
 *   where.eq('visibility', 0),
 *   where.in('contact.country', ['DE', 'AT', 'GB']),
 *   where.or(where.gt('lastmodified', 1524472045), where.gt('contact.lastmodified', 1524472045)),
 * )
 */
export const where = {
  /** `field = value` (`null`: IS NULL). */
  eq: (field: string, value: FilterScalar) => condition(field, '=', value),
  /** `field != value` (`null`: IS NOT NULL). */
  ne: (field: string, value: FilterScalar) => condition(field, '!=', value),
  lt: (field: string, value: FilterScalar) => condition(field, '<', value),
  le: (field: string, value: FilterScalar) => condition(field, '<=', value),
  gt: (field: string, value: FilterScalar) => condition(field, '>', value),
  ge: (field: string, value: FilterScalar) => condition(field, '>=', value),
  in: (field: string, values: readonly FilterScalar[]) => condition(field, 'IN', values),
  notIn: (field: string, values: readonly FilterScalar[]) => condition(field, '!IN', values),
  /** Regular expression match (`~`); `caseInsensitive` gives `~*`. */
  matches: (field: string, pattern: string, caseInsensitive = false) =>
    condition(field, caseInsensitive ? '~*' : '~', pattern),
  notMatches: (field: string, pattern: string, caseInsensitive = false) =>
    condition(field, caseInsensitive ? '!~*' : '!~', pattern),
  /** SQL LIKE (`~~`, `%` and `_` wildcards); `caseInsensitive` gives `~~*`. */
  like: (field: string, pattern: string, caseInsensitive = false) =>
    condition(field, caseInsensitive ? '~~*' : '~~', pattern),
  notLike: (field: string, pattern: string, caseInsensitive = false) =>
    condition(field, caseInsensitive ? '!~~*' : '!~~', pattern),
  /** Any operator by its documented symbol. */
  op: condition,
  and: (...operands: Filter[]) => group('AND', operands),
  or: (...operands: Filter[]) => group('OR', operands),
  not: (...operands: Filter[]) => group('NOT', operands),
} as const;

function isPlainOperands(value: unknown): value is FilterOperands {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds `filter` to the AND of `target`, choosing the documented shorthand where it is exact. */
function addTo(target: FilterJson, filter: Filter): void {
  if (filter.kind === 'group') {
    if (filter.operator === 'AND') {
      for (const operand of filter.operands) addTo(target, operand);
      return;
    }
    target[String(Object.keys(target).length)] = [
      filter.operator,
      ...filter.operands.map((operand) => compileFilter(operand)),
    ];
    return;
  }
  const { field, operator, value } = filter;
  const existing = target[field];
  if (existing === undefined) {
    // `"field": value` is the documented equality shorthand; arrays always take the object form.
    target[field] =
      operator === '=' && !Array.isArray(value) ? (value as FilterScalar) : { [operator]: value };
    return;
  }
  if (isPlainOperands(existing) && !(operator in existing)) {
    // `{"<": a, ">": b}`: several operators on one field, ANDed.
    existing[operator] = value;
    return;
  }
  // The field is taken by a condition this one cannot merge with: a one-operand AND group.
  target[String(Object.keys(target).length)] = ['AND', { [field]: { [operator]: value } }];
}

/** Compiles a filter to the JSON object ZeyOS expects in `filters`. */
export function compileFilter(filter: Filter): FilterJson {
  const out: FilterJson = {};
  addTo(out, filter);
  return out;
}

/** Whether `value` was made by `where` (rather than being raw filter JSON). */
export function isFilter(value: unknown): value is Filter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const kind = (value as { kind?: unknown }).kind;
  return (
    (kind === 'condition' && typeof (value as { field?: unknown }).field === 'string') ||
    (kind === 'group' && Array.isArray((value as { operands?: unknown }).operands))
  );
}
