/**
 * The history log of a type: its parameters and record shape are not public. This reads the
 * plausible shapes into one: the entries under `entries`, `content`, `items`, `data`,
 * `historyLog` or `logEntries` (or a bare array); each entry's id from `entryId`, `id`,
 * `logId`, `historyEntryId`, `historyId` or `sequence`; the continuation from `lastEntryId` /
 * `nextEntryId` / `cursor`, else the last entry's id; "more to come" from `hasMore`, `more`,
 * `last: false`, `next`, page totals, else a full page.
 */
import { z } from 'zod';
import { tryParseZonedDateTime, type ZonedDateTime } from './zoned.js';

export const HISTORY_ENTRY_ARRAY_KEYS = [
  'entries',
  'content',
  'items',
  'data',
  'historyLog',
  'historylog',
  'logEntries',
  'results',
] as const;
export const HISTORY_ENTRY_ID_KEYS = [
  'entryId',
  'id',
  'logId',
  'historyEntryId',
  'historyId',
  'sequence',
  'seq',
] as const;
const TIME_KEYS = ['time', 'timestamp', 'changedAt', 'date', 'created'] as const;
const OBJECT_ID_KEYS = ['objectId', 'recordId', 'elementId'] as const;
const OPERATION_KEYS = ['operation', 'action', 'changeType', 'op'] as const;

/** An entry id as sent (numbers stay numbers). */
export type PeaktmsEntryId = string | number;

const entryIdSchema = z.union([z.number().int(), z.string().min(1)]);

/** One change of one attribute or member. */
export const peaktmsHistoryChangeSchema = z.looseObject({
  attribute: z.string().nullish(),
  dataType: z.string().nullish(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
});
export type PeaktmsHistoryChange = z.output<typeof peaktmsHistoryChangeSchema>;

export interface PeaktmsHistoryEntry {
  /** The entry's id (the cursor: the next read asks for entries after it). */
  entryId: PeaktmsEntryId;
  /** When, as sent (zoned date-time) and parsed; `undefined` when absent or unreadable. */
  time: string | undefined;
  zonedTime: ZonedDateTime | undefined;
  objectId: string | undefined;
  /** `CREATE`, `UPDATE`, `DELETE`, … upper-cased; `undefined` when absent. */
  operation: string | undefined;
  user: string | undefined;
  type: string | undefined;
  changes: PeaktmsHistoryChange[];
  /** The entry as received, every member kept. */
  raw: Readonly<Record<string, unknown>>;
}

export interface PeaktmsHistoryPage {
  entries: PeaktmsHistoryEntry[];
  /** Where to continue: the server's cursor, else the last entry's id, else the one asked with. */
  lastEntryId: PeaktmsEntryId | undefined;
  /** Whether another read may return more; see `readHistoryPage`. */
  hasMore: boolean;
}

export type HistoryRead = { ok: true; page: PeaktmsHistoryPage } | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function first(record: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (record[key] !== undefined && record[key] !== null) return record[key];
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function entryArray(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body as unknown[];
  if (!isObject(body)) return undefined;
  for (const key of HISTORY_ENTRY_ARRAY_KEYS) {
    const value = body[key];
    if (Array.isArray(value)) return value as unknown[];
  }
  return undefined;
}

function readEntry(raw: unknown, index: number): PeaktmsHistoryEntry | string {
  if (!isObject(raw)) return `entry ${index} is not an object`;
  const id = entryIdSchema.safeParse(first(raw, HISTORY_ENTRY_ID_KEYS));
  if (!id.success) return `entry ${index} has no entry id`;
  const time = text(first(raw, TIME_KEYS));
  const rawChanges = first(raw, ['changes', 'attributes', 'diff']);
  const changes = z.array(peaktmsHistoryChangeSchema).safeParse(rawChanges ?? []);
  const operation = text(first(raw, OPERATION_KEYS));
  return {
    entryId: id.data,
    time,
    zonedTime: time === undefined ? undefined : tryParseZonedDateTime(time),
    objectId: text(first(raw, OBJECT_ID_KEYS)),
    operation: operation?.toUpperCase(),
    user: text(first(raw, ['user', 'userName', 'modifiedBy', 'changedBy'])),
    type: text(first(raw, ['type', 'typeName'])),
    changes: changes.success ? changes.data : [],
    raw,
  };
}

function hasMoreOf(
  body: unknown,
  entries: number,
  pageSize: number | undefined,
): boolean | undefined {
  const fullPage = pageSize === undefined ? undefined : entries >= pageSize;
  if (!isObject(body)) return fullPage;
  for (const key of ['hasMore', 'more', 'hasNext']) {
    const value = body[key];
    if (typeof value === 'boolean') return value;
  }
  if (typeof body['last'] === 'boolean') return !body['last'];
  if (body['next'] !== undefined) return body['next'] !== null && body['next'] !== '';
  const page = body['page'] ?? body['number'];
  const totalPages = body['totalPages'];
  if (typeof page === 'number' && typeof totalPages === 'number') return page + 1 < totalPages;
  return fullPage;
}

/**
 * Reads one history page in any of the accepted shapes. Entries are put in ascending id
 * order when every id is a number (the server is believed to send them oldest first).
 * Without a "more" marker, a full page (`entries >= pageSize`) means "read again".
 */
export function readHistoryPage(
  body: unknown,
  asked: { sinceEntryId?: PeaktmsEntryId | undefined; pageSize?: number | undefined } = {},
): HistoryRead {
  const array = entryArray(body);
  if (array === undefined) return { ok: false, reason: 'no array of history entries' };
  const entries: PeaktmsHistoryEntry[] = [];
  for (const [index, raw] of array.entries()) {
    const entry = readEntry(raw, index);
    if (typeof entry === 'string') return { ok: false, reason: entry };
    entries.push(entry);
  }
  if (entries.every((e) => typeof e.entryId === 'number'))
    entries.sort((a, b) => Number(a.entryId) - Number(b.entryId));
  const cursor = isObject(body)
    ? entryIdSchema.safeParse(first(body, ['lastEntryId', 'nextEntryId', 'cursor']))
    : undefined;
  const lastEntryId =
    (cursor?.success === true ? cursor.data : undefined) ??
    entries.at(-1)?.entryId ??
    asked.sinceEntryId;
  const hasMore = hasMoreOf(body, entries.length, asked.pageSize) ?? false;
  return { ok: true, page: { entries, lastEntryId, hasMore } };
}
