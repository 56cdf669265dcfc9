import { describe, expect, it } from 'vitest';
import { readHistoryPage } from './history.js';

const entry = (id: number, key = 'entryId') => ({
  [key]: id,
  time: '2026-11-23T10:15:30.123+01:00[Europe/Berlin]',
  operation: 'update',
  objectId: 'o1',
  changes: [{ attribute: 'name', oldValue: 'a', newValue: 'b' }],
  extra: true,
});

describe('history log shapes', () => {
  it.each([
    [
      'simulator: entries + lastEntryId + hasMore',
      { entries: [entry(5), entry(7)], lastEntryId: 7, hasMore: true },
      [5, 7],
      7,
      true,
    ],
    ['Spring page: content + last', { content: [entry(5, 'id')], last: true }, [5], 5, false],
    [
      'items with logId, totals',
      { items: [entry(9, 'logId')], page: 0, totalPages: 2 },
      [9],
      9,
      true,
    ],
    [
      'bare array, full page',
      [entry(2, 'historyEntryId'), entry(1, 'historyEntryId')],
      [1, 2],
      2,
      true,
    ],
    ['bare array, short page', [entry(3, 'sequence')], [3], 3, false],
    [
      'data + nextEntryId + next link',
      { data: [entry(4)], nextEntryId: 10, next: '/x' },
      [4],
      10,
      true,
    ],
    ['empty page keeps the asked position', { entries: [] }, [], 40, false],
  ])('%s', (_name, body, ids, last, more) => {
    const read = readHistoryPage(body, { sinceEntryId: 40, pageSize: 2 });
    if (!read.ok) throw new Error(read.reason);
    expect(read.page.entries.map((e) => e.entryId)).toEqual(ids);
    expect(read.page.lastEntryId).toBe(last);
    expect(read.page.hasMore).toBe(more);
  });

  it('normalises entries and keeps the raw one', () => {
    const read = readHistoryPage({ entries: [{ ...entry(1), entryId: 'e-1' }] });
    if (!read.ok) throw new Error(read.reason);
    const [first] = read.page.entries;
    expect(first).toMatchObject({ entryId: 'e-1', operation: 'UPDATE', objectId: 'o1' });
    expect(first?.zonedTime?.zone).toBe('Europe/Berlin');
    expect(first?.changes[0]).toMatchObject({ attribute: 'name', newValue: 'b' });
    expect(first?.raw['extra']).toBe(true);
  });

  it.each([
    ['no array', { total: 1 }],
    ['entry without id', { entries: [{ time: 'x' }] }],
    ['entry not an object', { entries: [1] }],
  ])('refuses %s', (_name, body) => {
    expect(readHistoryPage(body).ok).toBe(false);
  });
});
