/**
 * PeakTMS date-times are zoned (Java's `ZonedDateTime.toString()`):
 * `2026-11-23T10:15:30.123+01:00[Europe/Berlin]`. Parsing keeps the offset and the zone id so a
 * value can be written back as it came; the instant is exact to the millisecond.
 */
import { TidemarkError } from '@tidemark/errors';

export interface ZonedDateTime {
  /** The text as received. */
  readonly text: string;
  /** The instant, epoch milliseconds (fractions below a millisecond dropped). */
  readonly epochMs: number;
  /** Wall-clock time without offset: `2026-11-23T10:15:30.123`. */
  readonly local: string;
  /** `+01:00`, or `Z` for UTC. */
  readonly offset: string;
  /** Minutes east of UTC. */
  readonly offsetMinutes: number;
  /** The IANA zone id in brackets, when present (`Europe/Berlin`). */
  readonly zone: string | undefined;
}

// Date, time (seconds and fraction optional), offset (Z, ±hh:mm, ±hhmm, ±hh), optional [zone].
const ZONED =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)(?:\[([^\]\s]+)\])?$/;

/** Parses a zoned date-time; `undefined` when `text` is not one (an offset is required). */
export function tryParseZonedDateTime(text: string): ZonedDateTime | undefined {
  const match = ZONED.exec(text.trim());
  if (match === null) return undefined;
  const [, date = '', hm = '', seconds = '00', fraction, rawOffset = 'Z', zone] = match;
  const millis = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  const local = `${date}T${hm}:${seconds}${fraction === undefined ? '' : `.${millis}`}`;
  let offset = 'Z';
  let offsetMinutes = 0;
  if (rawOffset !== 'Z') {
    const digits = rawOffset.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4) || '0');
    const sign = rawOffset.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (hours * 60 + minutes);
    offset = `${rawOffset[0] ?? '+'}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
  }
  const utcMs = Date.parse(`${date}T${hm}:${seconds}.${millis}Z`);
  if (Number.isNaN(utcMs)) return undefined;
  return {
    text,
    epochMs: utcMs - offsetMinutes * 60_000,
    local,
    offset,
    offsetMinutes,
    zone,
  };
}

/** Parses a zoned date-time; INPUT_INVALID when `text` is not one. */
export function parseZonedDateTime(text: string): ZonedDateTime {
  const parsed = tryParseZonedDateTime(text);
  if (parsed === undefined)
    throw new TidemarkError('INPUT_INVALID', 'not a zoned date-time (an offset is required)', {
      details: { text: text.slice(0, 64) },
    });
  return parsed;
}

/** The same instant as a `Date`. */
export function zonedToDate(value: ZonedDateTime): Date {
  return new Date(value.epochMs);
}

/**
 * Writes an instant at a fixed offset, with milliseconds and an optional zone id:
 * `formatZonedDateTime(ms, { offsetMinutes: 60, zone: 'Europe/Berlin' })` →
 * `2026-11-23T10:15:30.123+01:00[Europe/Berlin]`. Default offset: UTC (`Z`).
 */
export function formatZonedDateTime(
  epochMs: number,
  options: { offsetMinutes?: number; zone?: string } = {},
): string {
  const offsetMinutes = options.offsetMinutes ?? 0;
  const wall = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMinutes);
  const offset =
    offsetMinutes === 0 && options.zone === undefined
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wall}${offset}${options.zone === undefined ? '' : `[${options.zone}]`}`;
}

/** A date-time for a request: a `Date` or epoch ms as UTC ISO 8601, a zoned value as received. */
export type PeaktmsDateTimeInput = Date | number | string | ZonedDateTime;

export function toPeaktmsDateTime(value: PeaktmsDateTimeInput): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return new Date(value).toISOString();
  if (value instanceof Date) return value.toISOString();
  return value.text;
}
