import { describe, expect, it } from 'vitest';
import { MappingError, convert, toZoned } from './convert.js';

describe('convert', () => {
  it('turns Unix seconds into ISO 8601 UTC and back', () => {
    expect(convert(1_795_428_212, 'unix-seconds-to-iso', 'f')).toBe('2026-11-23T10:03:32.000Z');
    expect(convert('1795428212', 'unix-seconds-to-iso', 'f')).toBe('2026-11-23T10:03:32.000Z');
    expect(convert('2026-11-23T11:03:32.900+01:00', 'iso-to-unix-seconds', 'f')).toBe(
      1_795_428_212,
    );
  });

  it('reads PeakTMS zoned date-times, with or without the zone suffix', () => {
    expect(convert('2026-11-23T10:15:30.123+01:00[Europe/Berlin]', 'zoned-to-iso', 'f')).toBe(
      '2026-11-23T09:15:30.123Z',
    );
    expect(convert('2026-11-23T10:15:30Z[UTC]', 'zoned-to-unix-seconds', 'f')).toBe(1_795_428_930);
    expect(convert('2026-11-23T10:15+01:00', 'zoned-to-iso', 'f')).toBe('2026-11-23T09:15:00.000Z');
  });

  it('writes zoned date-times the way Java prints them, across daylight saving time', () => {
    expect(toZoned(Date.parse('2026-07-01T08:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-07-01T10:00:00+02:00[Europe/Berlin]',
    );
    expect(toZoned(Date.parse('2026-11-23T08:00:00.250Z'), 'Europe/Berlin')).toBe(
      '2026-11-23T09:00:00.250+01:00[Europe/Berlin]',
    );
    expect(toZoned(Date.parse('2026-11-23T08:00:00Z'), 'UTC')).toBe('2026-11-23T08:00:00Z[UTC]');
    expect(toZoned(Date.parse('2026-11-23T08:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-11-23T13:30:00+05:30[Asia/Kolkata]',
    );
    expect(convert(1_795_428_212, 'unix-seconds-to-zoned', 'f', 'America/New_York')).toBe(
      '2026-11-23T05:03:32-05:00[America/New_York]',
    );
  });

  it('converts to string, number and boolean, refusing what does not fit', () => {
    expect(convert(12, 'to-string', 'f')).toBe('12');
    expect(convert({ a: 1 }, 'to-string', 'f')).toBe('{"a":1}');
    expect(convert('12.5', 'to-number', 'f')).toBe(12.5);
    expect(convert('1', 'to-boolean', 'f')).toBe(true);
    expect(convert(0, 'to-boolean', 'f')).toBe(false);
    for (const [value, conversion] of [
      ['', 'to-number'],
      ['abc', 'to-number'],
      ['yes', 'to-boolean'],
      ['2026-13-45', 'iso-to-unix-seconds'],
      ['tomorrow', 'zoned-to-iso'],
      [true, 'unix-seconds-to-iso'],
    ] as const) {
      expect(() => convert(value, conversion, 'field')).toThrow(MappingError);
    }
  });
});
