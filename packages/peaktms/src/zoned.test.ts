import { describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import {
  formatZonedDateTime,
  parseZonedDateTime,
  toPeaktmsDateTime,
  tryParseZonedDateTime,
} from './zoned.js';

describe('zoned date-times', () => {
  it.each([
    [
      '2026-11-23T10:15:30.123+01:00[Europe/Berlin]',
      Date.UTC(2026, 10, 23, 9, 15, 30, 123),
      '+01:00',
      60,
      'Europe/Berlin',
    ],
    ['2026-11-23T09:15:30Z', Date.UTC(2026, 10, 23, 9, 15, 30), 'Z', 0, undefined],
    ['2026-11-23T09:15Z[UTC]', Date.UTC(2026, 10, 23, 9, 15), 'Z', 0, 'UTC'],
    [
      '2026-07-01T12:00:00.123456789-0430',
      Date.UTC(2026, 6, 1, 16, 30, 0, 123),
      '-04:30',
      -270,
      undefined,
    ],
  ])('%s keeps its offset and zone', (text, epochMs, offset, offsetMinutes, zone) => {
    const parsed = parseZonedDateTime(text);
    expect(parsed).toMatchObject({ text, epochMs, offset, offsetMinutes, zone });
  });

  it('refuses text without an offset', () => {
    expect(tryParseZonedDateTime('2026-11-23T10:15:30')).toBeUndefined();
    expect(tryParseZonedDateTime('yesterday')).toBeUndefined();
    let caught: unknown;
    try {
      parseZonedDateTime('2026-11-23');
    } catch (error) {
      caught = error;
    }
    expect((caught as TidemarkError).code).toBe('INPUT_INVALID');
  });

  it('formats at an offset and round-trips', () => {
    const ms = Date.UTC(2026, 10, 23, 9, 15, 30, 123);
    const text = formatZonedDateTime(ms, { offsetMinutes: 60, zone: 'Europe/Berlin' });
    expect(text).toBe('2026-11-23T10:15:30.123+01:00[Europe/Berlin]');
    expect(parseZonedDateTime(text).epochMs).toBe(ms);
    expect(formatZonedDateTime(ms)).toBe('2026-11-23T09:15:30.123Z');
    expect(toPeaktmsDateTime(new Date(ms))).toBe('2026-11-23T09:15:30.123Z');
    expect(toPeaktmsDateTime(parseZonedDateTime(text))).toBe(text);
  });
});
