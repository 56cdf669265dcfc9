import { describe, expect, it } from 'vitest';
import { validateAttribute, type AttributeContext } from './attributes.js';
import type { AttributeDef, DataType } from './catalogue.js';
import { formatZoned, parseZoned } from './zoned.js';

const RESOURCE = '0b7c2f8e-1d2a-4c3b-8a9e-5f6a7b8c9d0e';
const context: AttributeContext = {
  valueList: (name) => (name === 'P' ? ['Low', 'High'] : undefined),
  userExists: (login) => login === 'demo',
  resourceExists: (id) => id === RESOURCE,
  zone: 'Europe/Berlin',
  nowMs: Date.UTC(2026, 10, 23, 9, 15, 30),
  user: 'demo',
};
const defs: Record<DataType, AttributeDef> = {
  TEXT: { name: 'a', dataType: 'TEXT' },
  TEXT_LONG: { name: 'a', dataType: 'TEXT_LONG' },
  NUMBER: { name: 'a', dataType: 'NUMBER' },
  DECIMAL: { name: 'a', dataType: 'DECIMAL' },
  DATE: { name: 'a', dataType: 'DATE' },
  BOOLEAN: { name: 'a', dataType: 'BOOLEAN' },
  VALUELIST: { name: 'a', dataType: 'VALUELIST', valueList: 'P' },
  MULTISELECTLIST: { name: 'a', dataType: 'MULTISELECTLIST', valueList: 'P' },
  USER: { name: 'a', dataType: 'USER' },
  RESOURCE: { name: 'a', dataType: 'RESOURCE' },
  FILE_MANAGEMENT: { name: 'a', dataType: 'FILE_MANAGEMENT' },
  STATUS_ENGINE: {
    name: 'a',
    dataType: 'STATUS_ENGINE',
    statuses: { transitions: { Open: ['Done'], Done: [] } },
  },
  APPROVE: { name: 'a', dataType: 'APPROVE' },
  IDGENERATOR: { name: 'a', dataType: 'IDGENERATOR', prefix: 'X-' },
};

// [type, value, current, accepted, stored value when accepted]
const cases: [DataType, unknown, unknown, boolean, unknown?][] = [
  ['TEXT', 'abc', undefined, true, 'abc'],
  ['TEXT', 5, undefined, false],
  ['TEXT', 'x'.repeat(256), undefined, false],
  ['TEXT_LONG', 'x'.repeat(5000), undefined, true],
  ['TEXT_LONG', true, undefined, false],
  ['NUMBER', 42, undefined, true, 42],
  ['NUMBER', 4.2, undefined, false],
  ['NUMBER', '42', undefined, false],
  ['DECIMAL', 4.25, undefined, true, 4.25],
  ['DECIMAL', '4.25', undefined, false],
  [
    'DATE',
    '2026-11-23T10:15:30+01:00[Europe/Berlin]',
    undefined,
    true,
    '2026-11-23T10:15:30.000+01:00[Europe/Berlin]',
  ],
  ['DATE', '2026-06-01T08:00:00Z', undefined, true, '2026-06-01T10:00:00.000+02:00[Europe/Berlin]'],
  ['DATE', '2026-11-23T10:15:30', undefined, false],
  ['DATE', '2026-02-30T10:15:30Z', undefined, false],
  ['DATE', 1234, undefined, false],
  ['BOOLEAN', false, undefined, true, false],
  ['BOOLEAN', 'true', undefined, false],
  ['VALUELIST', 'Low', undefined, true, 'Low'],
  ['VALUELIST', 'Medium', undefined, false],
  ['MULTISELECTLIST', ['Low', 'High'], undefined, true, ['Low', 'High']],
  ['MULTISELECTLIST', ['Low', 'Low'], undefined, false],
  ['MULTISELECTLIST', 'Low', undefined, false],
  ['MULTISELECTLIST', ['Nope'], undefined, false],
  ['USER', 'demo', undefined, true, 'demo'],
  ['USER', 'nobody', undefined, false],
  ['RESOURCE', RESOURCE.toUpperCase(), undefined, true, RESOURCE],
  ['RESOURCE', '0b7c2f8e-1d2a-4c3b-8a9e-000000000000', undefined, false],
  ['RESOURCE', 'not-a-uuid', undefined, false],
  ['FILE_MANAGEMENT', { filesId: 'x', files: [] }, undefined, false],
  ['FILE_MANAGEMENT', { filesId: 'x', files: [] }, { filesId: 'x', files: [] }, true],
  ['STATUS_ENGINE', 'Open', undefined, true, 'Open'],
  ['STATUS_ENGINE', 'Done', 'Open', true, 'Done'],
  ['STATUS_ENGINE', 'Open', 'Done', false],
  ['STATUS_ENGINE', 'Unknown', undefined, false],
  [
    'APPROVE',
    { state: 'APPROVED' },
    undefined,
    true,
    { state: 'APPROVED', user: 'demo', time: '2026-11-23T10:15:30.000+01:00[Europe/Berlin]' },
  ],
  ['APPROVE', 'MAYBE', undefined, false],
  ['IDGENERATOR', 'X-000001', 'X-000002', false],
  ['IDGENERATOR', 'X-000002', 'X-000002', true, 'X-000002'],
  ['TEXT', null, 'abc', true, null],
];

describe('validateAttribute', () => {
  it.each(cases)('%s %j (current %j) → accepted %s', (type, value, current, accepted, stored) => {
    const result = validateAttribute(defs[type], value, current, context);
    expect(result.ok).toBe(accepted);
    if (result.ok && stored !== undefined) expect(result.value).toEqual(stored);
  });
});

describe('zoned date-times', () => {
  it('formats in the zone, with DST and Z for UTC, and parses back', () => {
    const winter = Date.UTC(2026, 10, 23, 9, 15, 30, 123);
    expect(formatZoned(winter, 'Europe/Berlin')).toBe(
      '2026-11-23T10:15:30.123+01:00[Europe/Berlin]',
    );
    expect(formatZoned(Date.UTC(2026, 6, 1), 'Europe/Berlin')).toBe(
      '2026-07-01T02:00:00.000+02:00[Europe/Berlin]',
    );
    expect(formatZoned(winter, 'UTC')).toBe('2026-11-23T09:15:30.123Z[UTC]');
    expect(formatZoned(winter, 'America/New_York')).toBe(
      '2026-11-23T04:15:30.123-05:00[America/New_York]',
    );
    expect(parseZoned('2026-11-23T10:15:30.123+01:00[Europe/Berlin]')).toBe(winter);
    expect(parseZoned('2026-11-23T10:15+01:00')).toBe(Date.UTC(2026, 10, 23, 9, 15));
    expect(parseZoned('2026-11-23T10:15:30+01:00[Mars/Olympus]')).toBeNull();
    expect(parseZoned('yesterday')).toBeNull();
  });
});
