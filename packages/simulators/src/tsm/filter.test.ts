import { describe, expect, it } from 'vitest';
import {
  FilterError,
  addDuration,
  compileFilter,
  likeToRegExp,
  matchesAll,
  parseDuration,
  parseFilterParams,
  parseInstant,
  parseSort,
  sortComparator,
  type FieldResolver,
  type PathType,
} from './filter.js';

const types: Record<string, PathType> = {
  id: 'uuid',
  name: 'string',
  status: 'string',
  amount: 'number',
  active: 'boolean',
  tags: 'string[]',
  remarks: 'text',
  'auditInfo.whenEdited': 'datetime',
  'register.code': 'string',
  'chars.score': 'any',
  chars: 'object',
};
const resolver: FieldResolver = {
  typeOf: (path) => types[path],
  get: (record, path) =>
    path
      .split('.')
      .reduce<unknown>(
        (value, part) => (value as Record<string, unknown> | undefined)?.[part],
        record,
      ),
};

const NOW = Date.parse('2025-09-26T12:00:00Z');
const records = [
  {
    id: 'a',
    name: 'Acme Tech',
    status: 'ACTIVE',
    amount: 1500,
    active: true,
    tags: ['VIP', 'urgent'],
    remarks: 'ok',
    auditInfo: { whenEdited: '2025-09-25T10:00:00.000Z' },
    register: { code: 'Reg.A' },
    chars: { score: 7 },
  },
  {
    id: 'b',
    name: 'Globex',
    status: 'PENDING',
    amount: 500,
    active: false,
    tags: [],
    remarks: '',
    auditInfo: { whenEdited: '2025-09-10T10:00:00.000Z' },
    register: { code: 'Reg.B' },
    chars: { score: 70 },
  },
  {
    id: 'c',
    name: 'initech mgr',
    status: 'DELETED',
    amount: 100,
    active: true,
    auditInfo: { whenEdited: '2025-09-26T11:00:00.000Z' },
    register: { code: 'Reg.A' },
  },
];

function ids(query: string): string[] {
  const compiled = compileFilter(
    parseFilterParams(new URLSearchParams(query), new Set(['page', 'size', 'sort'])),
    resolver,
    NOW,
  );
  return records.filter((record) => matchesAll(compiled, record)).map((record) => record.id);
}

describe('tSM filter operators', () => {
  it.each([
    ['status__eq=ACTIVE', ['a']],
    ['status=ACTIVE', ['a']],
    ['status__noteq=DELETED', ['a', 'b']],
    ['amount__gt=500', ['a']],
    ['amount__gte=500', ['a', 'b']],
    ['amount__lt=500', ['c']],
    ['amount__lte=500', ['b', 'c']],
    ['name__like=%25tech%25', ['a', 'c']],
    ['name__like=Glob_x', ['b']],
    ['name__like=Acme', []],
    ['name__contains=TECH', ['a', 'c']],
    ['name__notcontains=tech', ['b']],
    ['name__startswith=glo', ['b']],
    ['name__endswith=MGR', ['c']],
    ['status__in=ACTIVE,PENDING', ['a', 'b']],
    ['status__notin=DELETED,ARCHIVED', ['a', 'b']],
    ['remarks__empty=true', ['b', 'c']],
    ['remarks__empty=false', ['a']],
    ['remarks__notempty=true', ['a']],
    ['tags__empty=true', ['b', 'c']],
    ['tags__eq=VIP', ['a']],
    ['tags__in=urgent,x', ['a']],
    ['amount__btw=100,500', ['b', 'c']],
    ['amount__btwr=100,500', ['a']],
    ['auditInfo.whenEdited__btw=2025-09-25T00:00:00Z,2025-09-26T00:00:00Z', ['a']],
    ['auditInfo.whenEdited__gtr=-P7D', ['a', 'c']],
    ['auditInfo.whenEdited__ltr=-PT2H', ['a', 'b']],
    ['auditInfo.whenEdited__gt=2025-09-25T10:00:00Z', ['c']],
    ['auditInfo.whenEdited__gte=2025-09-25T10:00:00.000Z', ['a', 'c']],
    ['active__eq=true', ['a', 'c']],
    ['register.code__eq=Reg.A', ['a', 'c']],
    ['chars.score__gt=10', ['b']],
    ['status__noteq=ACTIVE&amount__gt=200', ['b']],
    ['id__in=a,c&name__contains=mgr', ['c']],
  ])('%s → %j', (query, expected) => {
    expect(ids(query)).toEqual(expected);
  });

  it.each([
    ['foo__eq=1', "Unknown filter field 'foo'"],
    ['status__bogus=1', "Unknown filter operator 'bogus'"],
    ['amount__gt=abc', "Invalid number 'abc' for field 'amount'"],
    ['amount__btw=1', "Filter 'amount__btw' needs two comma-separated values"],
    [
      'auditInfo.whenEdited__gtr=7 days',
      "Invalid ISO 8601 duration '7 days' for field 'auditInfo.whenEdited'",
    ],
    [
      'auditInfo.whenEdited__gt=yesterday',
      "Invalid date-time 'yesterday' for field 'auditInfo.whenEdited'",
    ],
    ['amount__like=1%25', "Operator 'like' is not supported for field 'amount'"],
    ['name__gtr=P1D', "Operator 'gtr' is not supported for field 'name'"],
    ['active__eq=yes', "Invalid boolean 'yes' for field 'active'"],
    ['chars__eq=x', "Field 'chars' is not filterable"],
    ['status_eq=ACTIVE', "Unknown filter field 'status_eq'"],
  ])('%s → 400 %s', (query, message) => {
    expect(() => ids(query)).toThrow(FilterError);
    expect(() => ids(query)).toThrow(message);
  });
});

describe('ISO 8601 durations', () => {
  it.each([
    ['-P7D', -7 * 86_400_000],
    ['PT2H30M', 9_000_000],
    ['P1W', 7 * 86_400_000],
    ['-PT0.5S', -500],
    ['+PT1M', 60_000],
  ])('%s', (text, deltaMs) => {
    const duration = parseDuration(text);
    expect(duration).not.toBeNull();
    expect(addDuration(NOW, duration!) - NOW).toBe(deltaMs);
  });

  it('adds months and years on the calendar', () => {
    expect(
      new Date(
        addDuration(Date.parse('2025-03-31T00:00:00Z'), parseDuration('-P1M')!),
      ).toISOString(),
    ).toBe('2025-03-03T00:00:00.000Z');
    expect(new Date(addDuration(NOW, parseDuration('P1Y2M')!)).toISOString()).toBe(
      '2026-11-26T12:00:00.000Z',
    );
  });

  it.each(['P', 'PT', '7D', 'P1DT', '-', 'P1.5D'])('rejects %s', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('instants, LIKE and sort', () => {
  it('parses ISO 8601 instants as UTC unless zoned', () => {
    expect(parseInstant('2025-09-26T12:34:56Z')).toBe(Date.parse('2025-09-26T12:34:56Z'));
    expect(parseInstant('2025-09-26')).toBe(Date.parse('2025-09-26T00:00:00Z'));
    expect(parseInstant('2025-09-26T14:34:56+02:00')).toBe(Date.parse('2025-09-26T12:34:56Z'));
    expect(parseInstant('26.09.2025')).toBeNull();
  });

  it('LIKE matches the whole value, % and _ wildcards, escapes', () => {
    expect(likeToRegExp('%Mgr%').test('Ing. Mgr. X')).toBe(true);
    expect(likeToRegExp('100\\%').test('100%')).toBe(true);
    expect(likeToRegExp('100\\%').test('1000')).toBe(false);
    expect(likeToRegExp('a.c').test('abc')).toBe(false);
  });

  it('sorts by repeated Spring keys, nulls last ascending, then id', () => {
    const keys = parseSort(['status,DESC', 'amount'], resolver);
    expect(keys).toEqual([
      { path: 'status', descending: true },
      { path: 'amount', descending: false },
    ]);
    const sorted = [...records].sort(
      sortComparator(parseSort(['remarks,asc'], resolver), resolver),
    );
    expect(sorted.map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(parseSort(['name,amount,desc'], resolver)).toHaveLength(2);
    expect(() => parseSort(['nope,asc'], resolver)).toThrow("Unknown sort field 'nope'");
    expect(() => parseSort(['tags'], resolver)).toThrow(FilterError);
  });
});
