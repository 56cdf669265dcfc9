/**
 * Zoned date-times as Java's `ZonedDateTime.toString()` writes them and Jackson reads them:
 * `2026-11-23T10:15:30.123+01:00[Europe/Berlin]`. The simulator writes every date-time in its
 * configured zone with milliseconds; it reads that form, a plain offset (`+01:00`) or `Z`.
 */

const ZONED =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})(?:\[([A-Za-z0-9_+\-/]+)\])?$/;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  return format;
}

/** Whether `zone` is an IANA zone id this runtime knows. */
export function isKnownZone(zone: string): boolean {
  try {
    formatFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at the instant `ms`, in minutes ("GMT+01:00" → 60). */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const name = formatFor(zone)
    .formatToParts(ms)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** `ms` in `zone`, e.g. `2026-11-23T10:15:30.123+01:00[Europe/Berlin]` (`Z` for offset 0). */
export function formatZoned(ms: number, zone: string): string {
  const offset = zoneOffsetMinutes(ms, zone);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offset);
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offset === 0 ? 'Z' : `${sign}${hh}:${mm}`}[${zone}]`;
}

/**
 * Unix ms of a zoned or offset date-time, or null when the text is not one (a local date-time
 * without offset, an impossible date, an unknown zone id).
 */
export function parseZoned(text: string): number | null {
  const match = ZONED.exec(text);
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, frac, offset, zone] = match;
  if (zone !== undefined && !isKnownZone(zone)) return null;
  const fields = [y, mo, d, h, mi, s ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = fields;
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return null;
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  }
  return utc - offsetMinutes * 60_000;
}
