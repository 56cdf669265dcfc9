/**
 * Typed access to attribute values. Objects carry attributes `{name, dataType, value}`; the
 * getters find one by name and read its value as the data type says. Unset (absent, `null`)
 * is `undefined`; a value of the wrong shape is INPUT_INVALID naming the attribute (never its
 * value). Where a value could plausibly come in two shapes (a number as a string, a user as
 * `{loginName}`), both are read.
 */
import { TidemarkError } from '@tidemark/errors';
import type { PeaktmsAttribute } from './schemas.js';
import { tryParseZonedDateTime, type ZonedDateTime } from './zoned.js';

/** Anything with attributes: a record as parsed by `peaktmsRecordSchema`. */
export interface WithAttributes {
  attributes?: readonly PeaktmsAttribute[] | undefined;
}

/** An APPROVE value: `{state: PENDING|APPROVED|REJECTED, user?, time?}`. */
export interface PeaktmsApproval {
  state: string;
  user: string | undefined;
  time: string | undefined;
  [key: string]: unknown;
}

/** A FILE_MANAGEMENT value: the container id and its files. */
export interface PeaktmsFileRef {
  filesId: string | undefined;
  files: { fileId: string; name: string | undefined; [key: string]: unknown }[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The attribute called `name` (exact match first, then case-insensitive). */
export function findAttribute(record: WithAttributes, name: string): PeaktmsAttribute | undefined {
  const list = record.attributes ?? [];
  return (
    list.find((a) => a.name === name) ??
    list.find((a) => a.name.toLowerCase() === name.toLowerCase())
  );
}

/** The raw value of an attribute; `undefined` when absent or `null`. */
export function getValue(record: WithAttributes, name: string): unknown {
  const value = findAttribute(record, name)?.value;
  return value === null ? undefined : value;
}

function wrong(name: string, expected: string): TidemarkError {
  return new TidemarkError('INPUT_INVALID', `PeakTMS attribute '${name}' is not ${expected}`, {
    details: { attribute: name, expected },
  });
}

function read<T>(
  record: WithAttributes,
  name: string,
  expected: string,
  convert: (value: unknown) => T | undefined,
): T | undefined {
  const value = getValue(record, name);
  if (value === undefined) return undefined;
  const converted = convert(value);
  if (converted === undefined) throw wrong(name, expected);
  return converted;
}

const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** A string, or the first string member of an object among `keys`. */
function stringOrMember(keys: readonly string[]) {
  return (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (!isObject(value)) return undefined;
    for (const key of keys) if (typeof value[key] === 'string') return value[key];
    return undefined;
  };
}

/** TEXT, TEXT_LONG and IDGENERATOR values. */
export function getText(record: WithAttributes, name: string): string | undefined {
  return read(record, name, 'text', asString);
}

/** NUMBER: an integer (a numeric string is read too). */
export function getNumber(record: WithAttributes, name: string): number | undefined {
  return read(record, name, 'an integer', (v) => {
    const n = asNumber(v);
    return n !== undefined && Number.isInteger(n) ? n : undefined;
  });
}

/** DECIMAL: any finite number (a numeric string is read too). */
export function getDecimal(record: WithAttributes, name: string): number | undefined {
  return read(record, name, 'a number', asNumber);
}

/** BOOLEAN (`"true"`/`"false"` read too). */
export function getBoolean(record: WithAttributes, name: string): boolean | undefined {
  return read(record, name, 'a boolean', (v) =>
    typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined,
  );
}

/** DATE: a zoned date-time, offset and zone kept. */
export function getDate(record: WithAttributes, name: string): ZonedDateTime | undefined {
  return read(record, name, 'a zoned date-time', (v) =>
    typeof v === 'string' ? tryParseZonedDateTime(v) : undefined,
  );
}

/** VALUELIST: one value (`{value}` or `{name}` objects read too). */
export function getValueListValue(record: WithAttributes, name: string): string | undefined {
  return read(record, name, 'a value-list value', stringOrMember(['value', 'name']));
}

/** MULTISELECTLIST: the values chosen (a single value reads as one). */
export function getMultiSelect(record: WithAttributes, name: string): string[] | undefined {
  const one = stringOrMember(['value', 'name']);
  return read(record, name, 'a list of values', (v) => {
    const items = Array.isArray(v) ? v : [v];
    const values = items.map(one);
    return values.every((x): x is string => x !== undefined) ? values : undefined;
  });
}

/** USER: the login name (`{loginName}` objects read too). */
export function getUser(record: WithAttributes, name: string): string | undefined {
  return read(record, name, 'a user', stringOrMember(['loginName', 'login', 'name']));
}

/** RESOURCE: the resource's id (`{id}` objects read too). */
export function getResource(record: WithAttributes, name: string): string | undefined {
  return read(record, name, 'a resource reference', stringOrMember(['id', 'resourceId']));
}

/** STATUS_ENGINE: the current state (`{state}`/`{name}`/`{status}` objects read too). */
export function getStatus(record: WithAttributes, name: string): string | undefined {
  return read(record, name, 'a status', stringOrMember(['state', 'status', 'name', 'value']));
}

/** APPROVE: `{state, user?, time?}` (a bare state string reads too). */
export function getApproval(record: WithAttributes, name: string): PeaktmsApproval | undefined {
  return read(record, name, 'an approval', (v) => {
    if (typeof v === 'string') return { state: v, user: undefined, time: undefined };
    if (!isObject(v) || typeof v['state'] !== 'string') return undefined;
    return {
      ...v,
      state: v['state'],
      user: asString(v['user']),
      time: asString(v['time']),
    };
  });
}

/** FILE_MANAGEMENT: the container id and files (a bare files id reads as an empty container). */
export function getFiles(record: WithAttributes, name: string): PeaktmsFileRef | undefined {
  return read(record, name, 'a file container', (v) => {
    if (typeof v === 'string') return { filesId: v, files: [] };
    if (!isObject(v)) return undefined;
    const files = Array.isArray(v['files']) ? v['files'] : [];
    const parsed = files.flatMap((file: unknown) => {
      if (!isObject(file)) return [];
      const fileId = asString(file['fileId']) ?? asString(file['id']);
      return fileId === undefined ? [] : [{ ...file, fileId, name: asString(file['name']) }];
    });
    return { filesId: asString(v['filesId']) ?? asString(v['id']), files: parsed };
  });
}

/** An attribute for a create/patch body: `{ name, value }` (the server knows the data type). */
export function attributeValue(name: string, value: unknown): { name: string; value: unknown } {
  return { name, value: value === undefined ? null : value };
}
