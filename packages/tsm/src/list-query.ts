/**
 * Query strings of `/page`, `/search`, `/log`, detail reads and bulk reads, exactly as the guide
 * writes them: filters as `field__op=value`, `page`, `size`, repeated `sort=field,ASC|DESC`,
 * repeated `expand=REL`, repeated `idOrCodes=…`. Pure.
 */
import { TidemarkError } from '@tidemark/errors';
import { filterParams, type TsmFilterCondition } from './filter.js';

/** Spring Data's default page size. */
export const DEFAULT_PAGE_SIZE = 20;

/** A sort key: `'name'`, `'name,DESC'`, or `{ field, direction }`. */
export type TsmSort =
  string | { readonly field: string; readonly direction?: 'ASC' | 'DESC' | 'asc' | 'desc' };

export interface TsmListQuery {
  /** Conditions, combined with AND. */
  filter?: readonly TsmFilterCondition[];
  /** Sort keys, most significant first; each becomes one `sort=` parameter. */
  sort?: readonly TsmSort[];
  /** Relations to inline (`ROLES`, `GROUPS`, `REGISTER`); one `expand=` each. */
  expand?: readonly string[];
  /** Extra parameters a module documents (sent as given, repeated for arrays). */
  params?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

export interface TsmPageQuery extends TsmListQuery {
  /** Zero-based page number. Default 0. */
  page?: number;
  /** Items per page. Default: the server's (Spring Data: 20). */
  size?: number;
}

export interface TsmSearchQuery extends TsmListQuery {
  /** The most items to return. Default: the server's. */
  size?: number;
}

const SORT_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function invalid(message: string): TidemarkError {
  return new TidemarkError('INPUT_INVALID', `tSM query: ${message}`);
}

/** One `sort` value: `field,ASC` / `field,DESC`, or the bare field (server's default order). */
export function sortParam(sort: TsmSort): string {
  if (typeof sort === 'string') {
    const [field = '', direction, ...rest] = sort.split(',');
    if (!SORT_FIELD.test(field) || rest.length > 0) throw invalid(`bad sort key ${sort}`);
    if (direction === undefined) return field;
    return sortParam({ field, direction: direction.trim().toUpperCase() as 'ASC' });
  }
  if (!SORT_FIELD.test(sort.field)) throw invalid(`bad sort field ${sort.field}`);
  if (sort.direction === undefined) return sort.field;
  const direction = sort.direction.toUpperCase();
  if (direction !== 'ASC' && direction !== 'DESC')
    throw invalid(`sort direction is ASC or DESC, not ${sort.direction}`);
  return `${sort.field},${direction}`;
}

function checkInt(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min)
    throw invalid(`${name} must be an integer ≥ ${min}`);
  return value;
}

/**
 * Encodes one key or value of a query string. Like `encodeURIComponent`, but `,`, `:` and `@`
 * stay literal as in the guide's examples (`status__in=ACTIVE,PENDING`,
 * `createdAt__btw=2025-09-25T00:56:37.851Z,…`, `email__endswith=@domain.com`); `%` becomes `%25`
 * as the guide requires for `like`, and `+` becomes `%2B` so it is never read as a space.
 */
export function encodeQueryComponent(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/** `key=value&…` from pairs, in order. Empty string for no pairs. */
export function encodeQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([key, value]) => `${encodeQueryComponent(key)}=${encodeQueryComponent(value)}`)
    .join('&');
}

/** The parameter pairs of a list query: filters, then sort, expand and extra parameters. */
export function listParams(query: TsmListQuery): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [...filterParams(query.filter ?? [])];
  for (const sort of query.sort ?? []) pairs.push(['sort', sortParam(sort)]);
  for (const expand of query.expand ?? []) pairs.push(['expand', expand]);
  for (const [key, value] of Object.entries(query.params ?? {})) {
    const values = Array.isArray(value) ? (value as readonly string[]) : [String(value)];
    for (const item of values) pairs.push([key, item]);
  }
  return pairs;
}

/** The query string of `GET /{entity}/page` (no leading `?`). */
export function pageQueryString(query: TsmPageQuery = {}): string {
  const pairs = listParams(query);
  const page = checkInt('page', query.page ?? 0, 0);
  const size = checkInt('size', query.size, 1);
  pairs.push(['page', String(page)]);
  if (size !== undefined) pairs.push(['size', String(size)]);
  return encodeQuery(pairs);
}

/** The query string of `GET /{entity}/search` (no leading `?`). */
export function searchQueryString(query: TsmSearchQuery = {}): string {
  const pairs = listParams(query);
  const size = checkInt('size', query.size, 1);
  if (size !== undefined) pairs.push(['size', String(size)]);
  return encodeQuery(pairs);
}

/** `expand=A&expand=B` for detail reads. */
export function expandQueryString(expand: readonly string[] = []): string {
  return encodeQuery(expand.map((value) => ['expand', value] as const));
}

/** `idOrCodes=a&idOrCodes=b` for bulk reads and deletes (the guide repeats the parameter). */
export function idOrCodesQueryString(
  idOrCodes: readonly string[],
  expand: readonly string[] = [],
): string {
  if (idOrCodes.length === 0) throw invalid('a bulk request needs at least one id or code');
  return encodeQuery([
    ...idOrCodes.map((key) => ['idOrCodes', key] as const),
    ...expand.map((value) => ['expand', value] as const),
  ]);
}

/** `path?query`, or `path` when the query is empty. */
export function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}
