/**
 * History-log entries → changes, pure. One entry is one change and becomes exactly one event;
 * its version (and so its event id) is the entry id, unique per change by construction.
 *
 * The log names the changed members and attributes with old and new values, but not the whole
 * record. The record after an entry `e` is rebuilt from what one poll knows of its object: the
 * record as GET returned it (read after the page) and every log entry of the object from the
 * page on, including those written after the page (read after the GET). For each field, the
 * value right after `e` is the OLD value of the first later entry that changed it; a field no
 * later entry changed still has the value GET returned. This holds whichever entries happened
 * after the GET, so it is exact for every entry, not only an object's newest. Without a record
 * (the object is gone: 404), the fields come from the log alone (the DELETE entry lists every
 * non-empty field with its old value), so only fields that were empty and `created` are missing.
 */
import { TidemarkError } from '@tidemark/errors';
import { JsonObjectSchema, type Change, type ChangeOp, type JsonObject } from '@tidemark/events';
import type { PeaktmsHistoryChange, PeaktmsHistoryEntry, ZonedDateTime } from '@tidemark/peaktms';
import type { SourceItem } from '@tidemark/poller';

export interface HistorySettings {
  instance: string;
  /** The object kind, e.g. `activities`: the entity type of the events. */
  kind: string;
}

/** What GET said of an object after the page was read. */
export type CurrentRecord =
  | { status: 'found'; record: Readonly<Record<string, unknown>> }
  /** 404: deleted since (its DELETE entry is in the log after the page). */
  | { status: 'gone' }
  /** The record fails its schema: every entry of it is dead-lettered with this error. */
  | { status: 'invalid'; error: unknown };

/** Record members the log may name with `dataType: null` when the record is not at hand. */
const KNOWN_MEMBERS = new Set([
  'type',
  'name',
  'dataPool',
  'location',
  'begin',
  'end',
  'projectId',
  'seriesId',
  'resources',
]);

/** `attr:Cost` or `member:name`: attributes and record members live in different places. */
type FieldKey = `attr:${string}` | `member:${string}`;

interface FieldValue {
  value: unknown;
  dataType: string | null;
}

const CREATE_OPERATIONS = new Set(['CREATE', 'CREATED', 'INSERT']);
const DELETE_OPERATIONS = new Set(['DELETE', 'DELETED', 'REMOVE']);

/** The operations the log is known to use (upper-cased by the client); anything else updates. */
export function opOf(operation: string | undefined): Exclude<ChangeOp, 'snapshot'> {
  if (operation === undefined) return 'update';
  if (CREATE_OPERATIONS.has(operation)) return 'create';
  if (DELETE_OPERATIONS.has(operation)) return 'delete';
  return 'update';
}

/** RFC 3339 with the source's own offset (the `[Zone]` suffix is not RFC 3339). */
export function rfc3339(time: ZonedDateTime): string {
  return `${time.local}${time.offset}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributesOf(record: Readonly<Record<string, unknown>> | undefined): unknown[] {
  const attributes = record?.['attributes'];
  return Array.isArray(attributes) ? (attributes as unknown[]) : [];
}

function hasAttribute(record: Readonly<Record<string, unknown>> | undefined, name: string) {
  return attributesOf(record).some((a) => isRecord(a) && a['name'] === name);
}

/**
 * Where a change lives. A data type marks an attribute (the simulator and, by the overview's
 * typed attributes, PeakTMS); without one it is a record member unless the record has an
 * attribute of that name and no member.
 */
export function fieldKey(
  change: PeaktmsHistoryChange,
  record: Readonly<Record<string, unknown>> | undefined,
): FieldKey | undefined {
  const name = change.attribute;
  if (typeof name !== 'string' || name === '') return undefined;
  if (typeof change.dataType === 'string' && change.dataType !== '') return `attr:${name}`;
  const member = record === undefined ? KNOWN_MEMBERS.has(name) : name in record;
  if (!member && (record === undefined || hasAttribute(record, name))) return `attr:${name}`;
  return `member:${name}`;
}

function setField(
  record: Record<string, unknown>,
  key: FieldKey,
  field: FieldValue,
  attributes: unknown[],
): void {
  if (key.startsWith('member:')) {
    record[key.slice('member:'.length)] = field.value;
    return;
  }
  const name = key.slice('attr:'.length);
  const index = attributes.findIndex((a) => isRecord(a) && a['name'] === name);
  const existing = attributes[index];
  if (index >= 0 && isRecord(existing)) attributes[index] = { ...existing, value: field.value };
  else attributes.push({ name, dataType: field.dataType, value: field.value });
}

/**
 * The record right after `entries[index]`: see the module comment. `entries` are the object's
 * entries known to this poll, oldest first; `current` what GET returned (undefined: gone).
 */
export function recordAfter(
  entries: readonly PeaktmsHistoryEntry[],
  index: number,
  current: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const entry = entries[index];
  if (entry === undefined) throw new RangeError('no entry at this index');
  const fields = new Map<FieldKey, FieldValue>();
  if (current === undefined) {
    // No record: the newest value each field got up to this entry.
    for (const earlier of entries.slice(0, index + 1)) {
      for (const change of earlier.changes) {
        const key = fieldKey(change, undefined);
        if (key !== undefined)
          fields.set(key, { value: change.newValue ?? null, dataType: change.dataType ?? null });
      }
    }
  }
  // A later change's old value is what the field held right after this entry; the first wins.
  const decided = new Set<FieldKey>();
  for (const later of entries.slice(index + 1)) {
    for (const change of later.changes) {
      const key = fieldKey(change, current);
      if (key === undefined || decided.has(key)) continue;
      decided.add(key);
      fields.set(key, { value: change.oldValue ?? null, dataType: change.dataType ?? null });
    }
  }

  const record: Record<string, unknown> =
    current === undefined
      ? {
          id: entry.objectId,
          ...(entry.type === undefined ? {} : { type: entry.type }),
          ...createdOf(entries),
        }
      : { ...current };
  const attributes = attributesOf(current).slice();
  for (const [key, field] of fields) setField(record, key, field, attributes);
  if (current !== undefined || attributes.length > 0) record['attributes'] = attributes;
  if (entry.time !== undefined) record['modified'] = entry.time;
  if (entry.user !== undefined) record['modifiedBy'] = entry.user;
  return record;
}

/** `created` and `createdBy` from the object's CREATE entry, when this poll has it. */
function createdOf(entries: readonly PeaktmsHistoryEntry[]): Record<string, string> {
  const create = entries.find((e) => opOf(e.operation) === 'create');
  if (create === undefined) return {};
  return {
    ...(create.time === undefined ? {} : { created: create.time }),
    ...(create.user === undefined ? {} : { createdBy: create.user }),
  };
}

/**
 * The record before an entry as far as the log tells: id and type plus the changed members and
 * attributes with their old values. Together with `after` and `changedFields` it carries every
 * changed attribute's old and new value.
 */
export function recordBefore(
  entry: PeaktmsHistoryEntry,
  current: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id: entry.objectId,
    ...(entry.type === undefined ? {} : { type: entry.type }),
  };
  const attributes: unknown[] = [];
  for (const change of entry.changes) {
    const key = fieldKey(change, current);
    if (key === undefined) continue;
    setField(
      record,
      key,
      { value: change.oldValue ?? null, dataType: change.dataType ?? null },
      attributes,
    );
  }
  if (attributes.length > 0) record['attributes'] = attributes;
  return record;
}

function changedFields(entry: PeaktmsHistoryEntry): string[] {
  const names = entry.changes
    .map((change) => change.attribute)
    .filter((name): name is string => typeof name === 'string' && name !== '');
  return [...new Set(names)];
}

function invalid(entry: PeaktmsHistoryEntry, reason: string, cause?: unknown): SourceItem {
  return {
    kind: 'invalid',
    entityId: entry.objectId,
    raw: entry.raw,
    error: new TidemarkError('EVENT_INVALID', reason, {
      retryable: false,
      ...(cause === undefined ? {} : { cause }),
    }),
  };
}

function json(value: Record<string, unknown>): JsonObject | undefined {
  const parsed = JsonObjectSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * One page of entries → one item per entry, in log order. `later` holds the entries after the
 * page (of the page's objects); `current` what GET returned per object id.
 */
export function entriesToItems(
  page: readonly PeaktmsHistoryEntry[],
  later: readonly PeaktmsHistoryEntry[],
  current: ReadonlyMap<string, CurrentRecord>,
  settings: HistorySettings,
): SourceItem[] {
  const byObject = new Map<string, PeaktmsHistoryEntry[]>();
  for (const entry of [...page, ...later]) {
    if (entry.objectId === undefined) continue;
    const list = byObject.get(entry.objectId) ?? [];
    list.push(entry);
    byObject.set(entry.objectId, list);
  }
  return page.map((entry) => {
    const objectId = entry.objectId;
    if (objectId === undefined) return invalid(entry, 'history entry without an object id');
    if (entry.zonedTime === undefined)
      return invalid(entry, 'history entry without a zoned date-time');
    const state = current.get(objectId) ?? { status: 'gone' };
    if (state.status === 'invalid')
      return invalid(entry, `${settings.kind} ${objectId} does not match its schema`, state.error);
    const record = state.status === 'found' ? state.record : undefined;
    const history = byObject.get(objectId) ?? [entry];
    const op = opOf(entry.operation);
    const after =
      op === 'delete' ? null : json(recordAfter(history, history.indexOf(entry), record));
    const before = op === 'create' ? undefined : json(recordBefore(entry, record));
    if (after === undefined || (op !== 'create' && before === undefined))
      return invalid(entry, 'history entry values are not JSON');
    const change: Change = {
      op,
      system: 'peaktms',
      instance: settings.instance,
      entityType: settings.kind,
      entityId: objectId,
      after,
      ...(before === undefined ? {} : { before }),
      changedFields: changedFields(entry),
      ...(entry.user === undefined ? {} : { changedBy: entry.user }),
      changedAt: rfc3339(entry.zonedTime),
      version: String(entry.entryId),
      sequence: String(entry.entryId),
    };
    return { kind: 'change', change };
  });
}

/** Newest entry time of a page (Unix ms), for the lag metric. */
export function newestChangeMs(entries: readonly PeaktmsHistoryEntry[]): number | undefined {
  let newest: number | undefined;
  for (const entry of entries) {
    const ms = entry.zonedTime?.epochMs;
    if (ms !== undefined) newest = Math.max(newest ?? ms, ms);
  }
  return newest;
}
