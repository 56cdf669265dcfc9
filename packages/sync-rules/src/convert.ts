/**
 * Value conversions between the systems' formats: ZeyOS Unix seconds, tSM ISO 8601 UTC, PeakTMS
 * zoned date-times as Java's ZonedDateTime prints them (`2026-11-23T10:15:30.123+01:00[Europe/Berlin]`).
 * Each throws a MappingError for a value it cannot convert, so the event is dead-lettered with
 * the reason instead of writing a wrong value.
 */
import type { JsonValue } from '@tidemark/events';
import type { Conversion } from './schema.js';

/** A value a mapping cannot turn into its target value. Not retryable: the event is the problem. */
export class MappingError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'MappingError';
  }
}

/** ISO 8601 with a `[Zone]` suffix, as Java prints a ZonedDateTime; the suffix is optional. */
const ZONED =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))(?:\[([^\]]+)\])?$/;

export function convert(
  value: JsonValue,
  conversion: Conversion,
  field: string,
  zone = 'UTC',
): JsonValue {
  const fail = (what: string): never => {
    throw new MappingError(`${field}: ${what} (${conversion})`, field);
  };
  switch (conversion) {
    case 'unix-seconds-to-iso':
      return new Date(unixSeconds(value, fail) * 1000).toISOString();
    case 'iso-to-unix-seconds':
      return Math.floor(isoMs(value, fail) / 1000);
    case 'zoned-to-iso':
      return new Date(zonedMs(value, fail)).toISOString();
    case 'iso-to-zoned':
      return toZoned(isoMs(value, fail), zone);
    case 'zoned-to-unix-seconds':
      return Math.floor(zonedMs(value, fail) / 1000);
    case 'unix-seconds-to-zoned':
      return toZoned(unixSeconds(value, fail) * 1000, zone);
    case 'to-string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'to-number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      return Number.isFinite(n) && !(typeof value === 'string' && value.trim() === '')
        ? n
        : fail('not a number');
    }
    case 'to-boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      return fail('not a boolean');
  }
}

function unixSeconds(value: JsonValue, fail: (what: string) => never): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return fail('not Unix seconds');
}

function isoMs(value: JsonValue, fail: (what: string) => never): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T|$)/.test(value)) {
    return fail('not an ISO 8601 date-time');
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fail('not an ISO 8601 date-time') : ms;
}

function zonedMs(value: JsonValue, fail: (what: string) => never): number {
  const match = typeof value === 'string' ? ZONED.exec(value) : null;
  if (match?.[1] === undefined) return fail('not a zoned date-time');
  const ms = Date.parse(match[1]);
  return Number.isNaN(ms) ? fail('not a zoned date-time') : ms;
}

/** Java's ZonedDateTime.toString() form of an instant in `zone`, to the millisecond. */
export function toZoned(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '00';
  const local = `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
  const millis = ((ms % 1000) + 1000) % 1000;
  const wall = Date.parse(`${local}Z`) + millis;
  const offsetMinutes = Math.round((wall - ms) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset =
    offsetMinutes === 0
      ? 'Z'
      : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`;
  return `${local}${fraction}${offset}[${zone}]`;
}
