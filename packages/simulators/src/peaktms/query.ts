import { z } from 'zod';
import { canonicalJson } from '../core/canonical.js';
import type { ObjectKind, TypeDef } from './catalogue.js';
import { attributesOf, type HistoryEntry, type PeakRecord } from './db.js';
import { badRequest } from './errors.js';
import { parseZoned } from './zoned.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export const attributeOperators = [
  'EQUALS',
  'NOT_EQUALS',
  'CONTAINS',
  'GREATER_THAN',
  'LESS_THAN',
  'IN',
  'IS_EMPTY',
  'IS_NOT_EMPTY',
] as const;

const zoned = z.string().refine((text) => parseZoned(text) !== null, 'not a zoned date-time');

/** The body of `POST /{kind}/query`; every member optional, all conditions ANDed. */
export const queryBodySchema = z
  .object({
    ids: z.array(z.string()).optional(),
    types: z.array(z.string()).optional(),
    dataPools: z.array(z.string()).optional(),
    locations: z.array(z.string()).optional(),
    /** Case-insensitive substring of the name. */
    name: z.string().optional(),
    projectId: z.string().optional(),
    seriesId: z.string().optional(),
    resourceId: z.string().optional(),
    /** `modified >= modifiedFrom` */
    modifiedFrom: zoned.optional(),
    /** `modified < modifiedTo` */
    modifiedTo: zoned.optional(),
    attributes: z
      .array(
        z
          .object({
            name: z.string(),
            operator: z.enum(attributeOperators).default('EQUALS'),
            value: z.unknown().optional(),
          })
          .strict(),
      )
      .optional(),
    /** 0-based. */
    page: z.number().int().min(0).default(0),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  })
  .strict();
export type QueryBody = z.infer<typeof queryBodySchema>;

export interface QueryPage {
  content: PeakRecord[];
  page: number;
  pageSize: number;
  totalElements: number;
  totalPages: number;
}

export function parseQueryBody(raw: unknown): QueryBody {
  const parsed = queryBodySchema.safeParse(raw);
  if (!parsed.success) throw badRequest(`Invalid query: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function matchAttribute(
  value: unknown,
  operator: (typeof attributeOperators)[number],
  wanted: unknown,
): boolean {
  const empty =
    value === null || value === undefined || (Array.isArray(value) && value.length === 0);
  const scalar = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && 'state' in v ? v.state : v;
  const actual = scalar(value);
  const numberOrTime = (v: unknown): number | null =>
    typeof v === 'number' ? v : typeof v === 'string' ? parseZoned(v) : null;
  switch (operator) {
    case 'IS_EMPTY':
      return empty;
    case 'IS_NOT_EMPTY':
      return !empty;
    case 'EQUALS':
      return (
        canonicalJson(actual ?? null) === canonicalJson(wanted ?? null) ||
        (Array.isArray(actual) && actual.includes(wanted))
      );
    case 'NOT_EQUALS':
      return (
        !empty &&
        canonicalJson(actual) !== canonicalJson(wanted ?? null) &&
        !(Array.isArray(actual) && actual.includes(wanted))
      );
    case 'CONTAINS': {
      if (typeof wanted !== 'string') return false;
      if (Array.isArray(actual)) return actual.includes(wanted);
      return typeof actual === 'string' && actual.toLowerCase().includes(wanted.toLowerCase());
    }
    case 'IN':
      return (
        Array.isArray(wanted) &&
        wanted.some((w) => canonicalJson(w) === canonicalJson(actual ?? null))
      );
    case 'GREATER_THAN':
    case 'LESS_THAN': {
      const a = numberOrTime(actual);
      const b = numberOrTime(wanted);
      if (a === null || b === null) return false;
      return operator === 'GREATER_THAN' ? a > b : a < b;
    }
  }
}

/**
 * Runs a query over one kind's records: filters, then orders by (modified, id) ascending so
 * pages are stable while nothing changes, then cuts the page.
 */
export function executeQuery(
  rows: Iterable<PeakRecord>,
  types: readonly TypeDef[],
  kind: ObjectKind,
  query: QueryBody,
): QueryPage {
  const known = new Set(types.flatMap((type) => type.attributes.map((a) => a.name)));
  for (const condition of query.attributes ?? []) {
    if (!known.has(condition.name))
      throw badRequest(`Unknown attribute '${condition.name}' for ${kind}`);
  }
  const ids =
    query.ids === undefined ? undefined : new Set(query.ids.map((id) => id.toLowerCase()));
  const from =
    query.modifiedFrom === undefined ? undefined : (parseZoned(query.modifiedFrom) as number);
  const to = query.modifiedTo === undefined ? undefined : (parseZoned(query.modifiedTo) as number);
  const name = query.name?.toLowerCase();
  const matches: { row: PeakRecord; modifiedMs: number }[] = [];
  for (const row of rows) {
    if (ids !== undefined && !ids.has(row.id as string)) continue;
    if (query.types !== undefined && !query.types.includes(row.type as string)) continue;
    if (query.dataPools !== undefined && !query.dataPools.includes(row.dataPool as string))
      continue;
    if (query.locations !== undefined && !query.locations.includes(row.location as string))
      continue;
    if (name !== undefined && !(row.name as string).toLowerCase().includes(name)) continue;
    if (query.projectId !== undefined && row.projectId !== query.projectId.toLowerCase()) continue;
    if (query.seriesId !== undefined && row.seriesId !== query.seriesId.toLowerCase()) continue;
    if (
      query.resourceId !== undefined &&
      !((row.resources as string[] | undefined) ?? []).includes(query.resourceId.toLowerCase())
    )
      continue;
    const modifiedMs = parseZoned(row.modified as string) ?? 0;
    if (from !== undefined && modifiedMs < from) continue;
    if (to !== undefined && modifiedMs >= to) continue;
    const attributes = attributesOf(row);
    const ok = (query.attributes ?? []).every((condition) => {
      const attribute = attributes.find((a) => a.name === condition.name);
      return (
        attribute !== undefined &&
        matchAttribute(attribute.value, condition.operator, condition.value)
      );
    });
    if (ok) matches.push({ row, modifiedMs });
  }
  matches.sort(
    (a, b) => a.modifiedMs - b.modifiedMs || ((a.row.id as string) < (b.row.id as string) ? -1 : 1),
  );
  const start = query.page * query.pageSize;
  return {
    content: matches.slice(start, start + query.pageSize).map((match) => match.row),
    page: query.page,
    pageSize: query.pageSize,
    totalElements: matches.length,
    totalPages: Math.ceil(matches.length / query.pageSize),
  };
}

export interface HistoryQuery {
  /** Entries with `entryId > sinceEntryId`. Default 0. */
  sinceEntryId: number;
  /** Entries with `time >= since` (Unix ms). */
  sinceMs: number | undefined;
  /** Only entries of these types (all logged when undefined). */
  types: ReadonlySet<string>;
  objectId: string | undefined;
  pageSize: number;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Entry id of the last entry in this page (or the given sinceEntryId when empty). */
  lastEntryId: number;
  /** More matching entries follow. */
  hasMore: boolean;
}

/** A page of a kind's history log, oldest first; binary search finds the start. */
export function readHistory(log: readonly HistoryEntry[], query: HistoryQuery): HistoryPage {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((log[mid] as HistoryEntry).entryId <= query.sinceEntryId) low = mid + 1;
    else high = mid;
  }
  const entries: HistoryEntry[] = [];
  let hasMore = false;
  for (let i = low; i < log.length; i++) {
    const entry = log[i] as HistoryEntry;
    if (!query.types.has(entry.type)) continue;
    if (query.objectId !== undefined && entry.objectId !== query.objectId) continue;
    if (query.sinceMs !== undefined && (parseZoned(entry.time) ?? 0) < query.sinceMs) continue;
    if (entries.length === query.pageSize) {
      hasMore = true;
      break;
    }
    entries.push(entry);
  }
  return {
    entries,
    lastEntryId: entries.at(-1)?.entryId ?? query.sinceEntryId,
    hasMore,
  };
}
