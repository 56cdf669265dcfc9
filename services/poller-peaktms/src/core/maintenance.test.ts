import { describe, expect, it } from 'vitest';
import { pausedUntil, readWindows } from './maintenance.js';

const T = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;

describe('readWindows', () => {
  it('reads zoned instants, sorts, and counts what it cannot read', () => {
    const read = readWindows([
      { start: '2026-11-23T12:00:00+01:00[Europe/Berlin]', end: '2026-11-23T12:30:00+01:00' },
      { start: '2026-11-23T10:00:00Z', end: '2026-11-23T10:10:00Z' },
      { start: 'tomorrow', end: '2026-11-23T10:10:00Z' },
      { start: '2026-11-23T10:10:00Z', end: '2026-11-23T10:00:00Z' },
    ]);
    expect(read.windows).toEqual([
      { startMs: T, endMs: T + 10 * MIN },
      { startMs: T + MIN * 60, endMs: T + 90 * MIN },
    ]);
    expect(read.unreadable).toBe(2);
  });
});

describe('pausedUntil', () => {
  const windows = [
    { startMs: T, endMs: T + 10 * MIN },
    // Starts within two margins of the first's end: one pause.
    { startMs: T + 10 * MIN + 5_000, endMs: T + 20 * MIN },
    { startMs: T + 60 * MIN, endMs: T + 70 * MIN },
  ];
  it.each([
    ['long before', T - 10 * MIN, null],
    ['just before the margin', T - 5_001, null],
    ['inside the margin before', T - 5_000, T + 20 * MIN + 5_000],
    ['inside the first, chained to the second', T + MIN, T + 20 * MIN + 5_000],
    ['inside the margin after', T + 20 * MIN + 4_999, T + 20 * MIN + 5_000],
    ['after the margin', T + 20 * MIN + 5_000, null],
    ['in the third', T + 65 * MIN, T + 70 * MIN + 5_000],
  ])('%s', (_, now, until) => {
    expect(pausedUntil(windows, now, 5_000)).toBe(until);
  });

  it('no windows, no pause', () => {
    expect(pausedUntil([], T, 5_000)).toBeNull();
  });
});
