/**
 * The body of `POST /{entity}` (list and count), built from a typed query. Pure.
 *
 * Names follow api.json's `request-list` schema (`fields`, `query`, `sort`, `limit`,
 * `offset`, `expand`, `distinct`, `count`), except the filter: api.json names it `filter`, the
 * prose reference's examples and the vendor's own client send `filters`; we send `filters`.
 */
import { TidemarkError } from '@tidemark/errors';
import { compileFilter, isFilter, type Filter, type FilterJson } from './filter.js';

/** Largest `limit` the API accepts (api.json: 1 ≤ limit ≤ 10000). */
export const MAX_LIMIT = 10_000;
/** The API's default `limit` when none is sent. */
export const DEFAULT_LIMIT = 1000;

/** Field selection: names, or `{ alias: field }` to rename in the result. */
export type FieldSelection = readonly string[] | Readonly<Record<string, string>>;

/** `'+field'` / `'field'` ascending, `'-field'` descending, or an explicit direction. */
export type SortKey = string | { field: string; direction: 'asc' | 'desc' };

export interface ListQuery {
  /** Default: every field of the entity (the API's choice). */
  fields?: FieldSelection;
  /** A filter from `where`, or raw filter JSON as the reference documents it. */
  filter?: Filter | FilterJson;
  /** Search string applied to all searchable string fields (`query`). */
  search?: string;
  sort?: readonly SortKey[];
  /** 1…10000; the API's default is 1000. */
  limit?: number;
  /** Default 0. */
  offset?: number;
  /** Return distinct rows. */
  distinct?: boolean;
  /** Composite fields (json, array, binfile) to load in full. */
  expand?: readonly string[];
}

/** What is sent as the JSON body of `POST /{entity}`. */
export interface ListBody {
  fields?: readonly string[] | Readonly<Record<string, string>>;
  filters?: FilterJson;
  query?: string;
  sort?: string[];
  limit?: number;
  offset?: number;
  distinct?: true;
  expand?: readonly string[];
  count?: true;
}

function invalid(message: string): TidemarkError {
  return new TidemarkError('INPUT_INVALID', `ZeyOS list query: ${message}`);
}

/** `'+f'` / `'-f'` for a sort key; a bare name stays bare (ascending, the API's default). */
export function sortToken(key: SortKey): string {
  if (typeof key === 'string') {
    if (key.replace(/^[+-]/, '') === '') throw invalid('empty sort field');
    return key;
  }
  if (key.field === '') throw invalid('empty sort field');
  return `${key.direction === 'desc' ? '-' : '+'}${key.field}`;
}

/** The filter JSON of a query, compiled when it was built with `where`. */
export function filterJson(filter: Filter | FilterJson | undefined): FilterJson | undefined {
  if (filter === undefined) return undefined;
  return isFilter(filter) ? compileFilter(filter) : filter;
}

/** Builds the list body; INPUT_INVALID for a limit or offset the API would refuse. */
export function buildListBody(query: ListQuery = {}): ListBody {
  const body: ListBody = {};
  if (query.fields !== undefined) {
    const count = Array.isArray(query.fields)
      ? query.fields.length
      : Object.keys(query.fields).length;
    if (count === 0) throw invalid('an empty field selection selects nothing');
    body.fields = query.fields;
  }
  const filters = filterJson(query.filter);
  if (filters !== undefined) body.filters = filters;
  if (query.search !== undefined) body.query = query.search;
  if (query.sort !== undefined && query.sort.length > 0) body.sort = query.sort.map(sortToken);
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT) {
      throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
    body.limit = query.limit;
  }
  if (query.offset !== undefined) {
    if (!Number.isInteger(query.offset) || query.offset < 0) {
      throw invalid('offset must be a non-negative integer');
    }
    body.offset = query.offset;
  }
  if (query.distinct === true) body.distinct = true;
  if (query.expand !== undefined && query.expand.length > 0) body.expand = query.expand;
  return body;
}

/** The body of a count request: only the filter, search and distinct matter. */
export function buildCountBody(
  query: Pick<ListQuery, 'filter' | 'search' | 'distinct'> = {},
): ListBody {
  const body: ListBody = { count: true };
  const filters = filterJson(query.filter);
  if (filters !== undefined) body.filters = filters;
  if (query.search !== undefined) body.query = query.search;
  if (query.distinct === true) body.distinct = true;
  return body;
}
