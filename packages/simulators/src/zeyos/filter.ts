import type { KeyBound } from '../core/ordered-index.js';

/**
 * The ZeyOS filter language (zeyos-rest-api-v1.txt, "Filters"), as a parser to a small tree,
 * a compiler to a row predicate, and the range a filter implies for one field (which lets the
 * list endpoint walk the lastmodified index instead of every record).
 *
 *   {"field": value, "field2": {"op": operand, ...}, "2": ["OR", {...}, [...]]}
 *
 * Semantics follow SQL, which the vendor's filters are translated to: comparisons with NULL are
 * unknown, AND/OR/NOT use three-valued logic, and a row is returned only when the whole filter
 * is true. `"field": null` means IS NULL and `{"!=": null}` means IS NOT NULL.
 */

export const filterOperators = [
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  'IN',
  '!IN',
  '~',
  '~*',
  '!~',
  '!~*',
  '~~',
  '~~*',
  '!~~',
  '!~~*',
] as const;
export type FilterOperator = (typeof filterOperators)[number];

const stringOperators = ['~', '~*', '!~', '!~*', '~~', '~~*', '!~~', '!~~*'] as const;
type StringOperator = (typeof stringOperators)[number];

function isStringOperator(op: FilterOperator): op is StringOperator {
  return (stringOperators as readonly string[]).includes(op);
}

export type FilterNode =
  | { kind: 'condition'; field: string; operator: FilterOperator; operand: unknown }
  | { kind: 'and' | 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode };

/** A filter the API rejects with 400; the message is the part after "Bad Request: ". */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeOperator(raw: string): FilterOperator {
  const upper = raw.trim().toUpperCase();
  const found = filterOperators.find((op) => op === upper);
  if (found === undefined) throw new FilterError(`Invalid filter operator ${JSON.stringify(raw)}`);
  return found;
}

/** Parses the `filter` (or `filters`) member of a list request; null when there is none. */
export function parseFilter(raw: unknown): FilterNode | null {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) return parseGroup(raw);
  if (!isPlainObject(raw)) throw new FilterError('Invalid filter');
  const node = parseObject(raw);
  return node;
}

function parseObject(raw: Record<string, unknown>): FilterNode | null {
  const parts: FilterNode[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (/^\d+$/.test(key)) {
      // A numbered entry holds a group or a nested filter object.
      if (Array.isArray(value)) parts.push(parseGroup(value));
      else if (isPlainObject(value)) {
        const nested = parseObject(value);
        if (nested !== null) parts.push(nested);
      } else throw new FilterError('Invalid filter group');
      continue;
    }
    parts.push(...parseField(key, value));
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? (parts[0] as FilterNode) : { kind: 'and', children: parts };
}

function parseField(field: string, value: unknown): FilterNode[] {
  if (value === null || typeof value !== 'object') {
    return [{ kind: 'condition', field, operator: '=', operand: value }];
  }
  if (Array.isArray(value)) throw new FilterError(`Invalid filter value for ${field}`);
  const conditions = Object.entries(value).map(([op, operand]): FilterNode => ({
    kind: 'condition',
    field,
    operator: normalizeOperator(op),
    operand,
  }));
  if (conditions.length === 0) throw new FilterError(`Invalid filter value for ${field}`);
  return conditions;
}

function parseGroup(raw: unknown[]): FilterNode {
  let logic = 'AND';
  let operands = raw;
  if (typeof raw[0] === 'string') {
    logic = raw[0].trim().toUpperCase();
    operands = raw.slice(1);
    if (logic !== 'AND' && logic !== 'OR' && logic !== 'NOT') {
      throw new FilterError(`Invalid filter group ${JSON.stringify(raw[0])}`);
    }
  }
  const children: FilterNode[] = [];
  for (const operand of operands) {
    if (Array.isArray(operand)) children.push(parseGroup(operand));
    else if (isPlainObject(operand)) {
      const node = parseObject(operand);
      if (node !== null) children.push(node);
    } else throw new FilterError('Invalid filter group');
  }
  if (children.length === 0) throw new FilterError('Invalid filter group');
  if (logic === 'NOT') {
    // NOT over several operands negates their conjunction.
    return {
      kind: 'not',
      child: children.length === 1 ? (children[0] as FilterNode) : { kind: 'and', children },
    };
  }
  if (children.length === 1) return children[0] as FilterNode;
  return { kind: logic === 'OR' ? 'or' : 'and', children };
}

/** How the compiler reads one field (own, joined or extdata) from a row. */
export interface FieldAccessor<R> {
  /** `dynamic`: no declared type (extdata, composites); compared by value. */
  type: 'integer' | 'number' | 'string' | 'boolean' | 'dynamic';
  get: (row: R) => unknown;
}

export type FieldResolver<R> = (field: string) => FieldAccessor<R> | undefined;

type Truth = boolean | null;
type Evaluate<R> = (row: R) => Truth;

/** Compiles a filter tree into a predicate; unknown fields and bad operands throw FilterError. */
export function compileFilter<R>(
  node: FilterNode | null,
  resolve: FieldResolver<R>,
): (row: R) => boolean {
  if (node === null) return () => true;
  const evaluate = compileNode(node, resolve);
  return (row) => evaluate(row) === true;
}

function compileNode<R>(node: FilterNode, resolve: FieldResolver<R>): Evaluate<R> {
  switch (node.kind) {
    case 'and': {
      const parts = node.children.map((child) => compileNode(child, resolve));
      return (row) => {
        let result: Truth = true;
        for (const part of parts) {
          const value = part(row);
          if (value === false) return false;
          if (value === null) result = null;
        }
        return result;
      };
    }
    case 'or': {
      const parts = node.children.map((child) => compileNode(child, resolve));
      return (row) => {
        let result: Truth = false;
        for (const part of parts) {
          const value = part(row);
          if (value === true) return true;
          if (value === null) result = null;
        }
        return result;
      };
    }
    case 'not': {
      const inner = compileNode(node.child, resolve);
      return (row) => {
        const value = inner(row);
        return value === null ? null : !value;
      };
    }
    case 'condition':
      return compileCondition(node, resolve);
  }
}

/** Converts an operand to the field's type, or throws when it cannot be one. */
function coerce(type: FieldAccessor<unknown>['type'], value: unknown, field: string): unknown {
  if (value === null) return null;
  switch (type) {
    case 'integer':
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return Number(value);
      }
      throw new FilterError(`Invalid filter value for ${field}`);
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new FilterError(`Invalid filter value for ${field}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true' || value === 't') return true;
      if (value === 0 || value === '0' || value === 'false' || value === 'f') return false;
      throw new FilterError(`Invalid filter value for ${field}`);
    case 'dynamic':
      if (typeof value === 'object') throw new FilterError(`Invalid filter value for ${field}`);
      return value;
  }
}

/** Orders two non-null values: numerically when both are numbers (or numeric), else as text. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isFinite(x) && Number.isFinite(y) && a !== '' && b !== '') return x - y;
  }
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Translates a LIKE pattern (% any run, _ one character, backslash escapes) to a RegExp. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i] as string);
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function compileCondition<R>(
  node: Extract<FilterNode, { kind: 'condition' }>,
  resolve: FieldResolver<R>,
): Evaluate<R> {
  const accessor = resolve(node.field);
  if (accessor === undefined)
    throw new FilterError(`Invalid filter field ${JSON.stringify(node.field)}`);
  const { get, type } = accessor;
  const op = node.operator;

  if (isStringOperator(op)) {
    if (type !== 'string' && type !== 'dynamic') {
      throw new FilterError(`Invalid filter operator ${op} for ${node.field}`);
    }
    if (typeof node.operand !== 'string' && typeof node.operand !== 'number') {
      throw new FilterError(`Invalid filter value for ${node.field}`);
    }
    const text = String(node.operand);
    const insensitive = op.endsWith('*');
    const negate = op.startsWith('!');
    let regexp: RegExp;
    try {
      regexp = op.includes('~~')
        ? likeToRegExp(text, insensitive)
        : new RegExp(text, insensitive ? 'i' : '');
    } catch {
      throw new FilterError(`Invalid regular expression for ${node.field}`);
    }
    return (row) => {
      const value = get(row);
      if (value === null || value === undefined) return null;
      const matched = regexp.test(asText(value));
      return negate ? !matched : matched;
    };
  }

  if (op === 'IN' || op === '!IN') {
    if (!Array.isArray(node.operand))
      throw new FilterError(`Invalid filter value for ${node.field}`);
    const list = node.operand.map((item) => coerce(type, item, node.field));
    const hasNull = list.includes(null);
    const values = list.filter((item) => item !== null);
    const negate = op === '!IN';
    return (row) => {
      const value = get(row);
      if (value === null || value === undefined) return null;
      let found: Truth = values.some((item) => compareValues(value, item) === 0);
      if (!found && hasNull) found = null;
      if (found === null) return null;
      return negate ? !found : found;
    };
  }

  const operand = coerce(type, node.operand, node.field);
  if (operand === null) {
    // SQL: "= NULL" is written IS NULL here, "!= NULL" IS NOT NULL; an ordering is unknown.
    if (op === '=') return (row) => get(row) === null || get(row) === undefined;
    if (op === '!=' || op === '<>') return (row) => get(row) !== null && get(row) !== undefined;
    return () => null;
  }
  const test = comparison(op);
  return (row) => {
    const value = get(row);
    if (value === null || value === undefined) return null;
    return test(compareValues(value, operand));
  };
}

/** The text form of a stored value, for pattern matching. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

type OrderingOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';

function comparison(op: OrderingOperator): (order: number) => boolean {
  switch (op) {
    case '=':
      return (c) => c === 0;
    case '!=':
    case '<>':
      return (c) => c !== 0;
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    case '>':
      return (c) => c > 0;
    case '>=':
      return (c) => c >= 0;
  }
}

/** The values of one field that a filter can be true for: a (possibly empty) interval. */
export interface KeyRange {
  from: KeyBound | undefined;
  to: KeyBound | undefined;
  empty: boolean;
}

const unbounded: KeyRange = { from: undefined, to: undefined, empty: false };
const emptyRange: KeyRange = { from: undefined, to: undefined, empty: true };

/**
 * The interval of `field` outside of which `node` cannot be true (conservative: unbounded
 * when unsure). AND intersects its children's intervals, OR takes their hull, NOT gives up.
 * Only numeric operands narrow the interval.
 */
export function impliedRange(node: FilterNode | null, field: string): KeyRange {
  if (node === null) return unbounded;
  switch (node.kind) {
    case 'and':
      return node.children.map((child) => impliedRange(child, field)).reduce(intersect, unbounded);
    case 'or': {
      const ranges = node.children.map((child) => impliedRange(child, field));
      return ranges.reduce(hull, emptyRange);
    }
    case 'not':
      return unbounded;
    case 'condition': {
      if (node.field !== field) return unbounded;
      const asNumber = (value: unknown): number | undefined => {
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
          return Number(value);
        return undefined;
      };
      if (node.operator === 'IN') {
        if (!Array.isArray(node.operand)) return unbounded;
        const values = node.operand.map(asNumber);
        if (values.some((v) => v === undefined)) return unbounded;
        const numbers = values as number[];
        if (numbers.length === 0) return emptyRange;
        return {
          from: { value: Math.min(...numbers), inclusive: true },
          to: { value: Math.max(...numbers), inclusive: true },
          empty: false,
        };
      }
      const value = asNumber(node.operand);
      if (value === undefined) return unbounded;
      switch (node.operator) {
        case '=':
          return { from: { value, inclusive: true }, to: { value, inclusive: true }, empty: false };
        case '>':
          return { from: { value, inclusive: false }, to: undefined, empty: false };
        case '>=':
          return { from: { value, inclusive: true }, to: undefined, empty: false };
        case '<':
          return { from: undefined, to: { value, inclusive: false }, empty: false };
        case '<=':
          return { from: undefined, to: { value, inclusive: true }, empty: false };
        case '!=':
        case '<>':
        case '!IN':
        case '~':
        case '~*':
        case '!~':
        case '!~*':
        case '~~':
        case '~~*':
        case '!~~':
        case '!~~*':
          return unbounded;
      }
    }
  }
}

function laterFrom(a: KeyBound | undefined, b: KeyBound | undefined): KeyBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.value !== b.value) return a.value > b.value ? a : b;
  return a.inclusive ? b : a;
}

function earlierTo(a: KeyBound | undefined, b: KeyBound | undefined): KeyBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.value !== b.value) return a.value < b.value ? a : b;
  return a.inclusive ? b : a;
}

function intersect(a: KeyRange, b: KeyRange): KeyRange {
  if (a.empty || b.empty) return emptyRange;
  const from = laterFrom(a.from, b.from);
  const to = earlierTo(a.to, b.to);
  if (from !== undefined && to !== undefined) {
    if (from.value > to.value) return emptyRange;
    if (from.value === to.value && (!from.inclusive || !to.inclusive)) return emptyRange;
  }
  return { from, to, empty: false };
}

function hull(a: KeyRange, b: KeyRange): KeyRange {
  if (a.empty) return b;
  if (b.empty) return a;
  const from =
    a.from === undefined || b.from === undefined
      ? undefined
      : a.from.value !== b.from.value
        ? a.from.value < b.from.value
          ? a.from
          : b.from
        : { value: a.from.value, inclusive: a.from.inclusive || b.from.inclusive };
  const to =
    a.to === undefined || b.to === undefined
      ? undefined
      : a.to.value !== b.to.value
        ? a.to.value > b.to.value
          ? a.to
          : b.to
        : { value: a.to.value, inclusive: a.to.inclusive || b.to.inclusive };
  return { from, to, empty: false };
}
