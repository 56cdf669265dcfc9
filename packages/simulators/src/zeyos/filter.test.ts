import { describe, expect, it } from 'vitest';
import {
  FilterError,
  compileFilter,
  impliedRange,
  likeToRegExp,
  parseFilter,
  type FieldAccessor,
} from './filter.js';

interface Row {
  ID: number;
  name: string;
  city: string | null;
  score: number | null;
  flag: boolean;
  ext: unknown;
}

// Five rows covering NULLs, case, numbers and a dynamic (extdata-like) column.
const rows: Row[] = [
  { ID: 1, name: 'Lightexx AG', city: 'Munich', score: 10, flag: true, ext: '5' },
  { ID: 2, name: 'BEQ Building Equipment', city: 'London', score: 20, flag: false, ext: 7 },
  { ID: 3, name: 'CleanTexx', city: 'London', score: null, flag: false, ext: null },
  { ID: 4, name: 'beq lower', city: null, score: 30.5, flag: true, ext: 'abc' },
  { ID: 5, name: '100% Pure_Water', city: 'Vienna', score: 0, flag: false, ext: 12 },
];

const accessors: Record<string, FieldAccessor<Row>> = {
  ID: { type: 'integer', get: (r) => r.ID },
  name: { type: 'string', get: (r) => r.name },
  city: { type: 'string', get: (r) => r.city },
  score: { type: 'number', get: (r) => r.score },
  flag: { type: 'boolean', get: (r) => r.flag },
  'extdata.x': { type: 'dynamic', get: (r) => r.ext },
};

function ids(filter: unknown): number[] {
  const predicate = compileFilter(parseFilter(filter), (field) => accessors[field]);
  return rows.filter(predicate).map((r) => r.ID);
}

describe('filter operators (zeyos-rest-api-v1.txt "Filters")', () => {
  const cases: [string, unknown, number[]][] = [
    // Plain values and =
    ['scalar value means =', { city: 'London' }, [2, 3]],
    ['= operator', { city: { '=': 'Munich' } }, [1]],
    ['= is case-sensitive', { city: { '=': 'london' } }, []],
    ['null value means IS NULL', { city: null }, [4]],
    ['!= null means IS NOT NULL', { city: { '!=': null } }, [1, 2, 3, 5]],
    ['numeric string operand on a number field', { ID: '2' }, [2]],
    ['boolean operand on a boolean field', { flag: 1 }, [1, 4]],
    // Not equals: SQL drops NULLs
    ['!= excludes NULL rows', { city: { '!=': 'London' } }, [1, 5]],
    ['<> is !=', { city: { '<>': 'London' } }, [1, 5]],
    // Ordering
    ['<', { score: { '<': 20 } }, [1, 5]],
    ['<=', { score: { '<=': 20 } }, [1, 2, 5]],
    ['>', { score: { '>': 10 } }, [2, 4]],
    ['>=', { score: { '>=': 10 } }, [1, 2, 4]],
    ['several operators on one field are ANDed', { ID: { '>': 1, '<': 4 } }, [2, 3]],
    ['ordering against NULL is unknown', { score: { '<': null } }, []],
    ['strings order by code unit', { name: { '<': 'C' } }, [2, 5]],
    // IN / !IN
    ['IN', { city: { IN: ['London', 'Vienna'] } }, [2, 3, 5]],
    ['in (lowercase) is IN', { city: { in: ['Vienna'] } }, [5]],
    ['IN with an empty list matches nothing', { ID: { IN: [] } }, []],
    ['!IN drops NULL rows', { city: { '!IN': ['London'] } }, [1, 5]],
    ['!IN with a NULL in the list is never true', { city: { '!IN': ['London', null] } }, []],
    ['IN with a NULL in the list still finds members', { city: { IN: ['Munich', null] } }, [1]],
    // Regular expressions
    ['~ matches a regular expression', { name: { '~': '^B' } }, [2]],
    ['~* ignores case', { name: { '~*': '^b' } }, [2, 4]],
    ['!~ does not match', { name: { '!~': 'x' } }, [2, 4, 5]],
    ['!~* does not match, ignoring case', { name: { '!~*': 'BEQ' } }, [1, 3, 5]],
    ['regex on NULL is unknown', { city: { '~': '.*' } }, [1, 2, 3, 5]],
    // LIKE
    ['~~ is LIKE with %', { name: { '~~': '%exx%' } }, [1, 3]],
    ['~~ is case-sensitive', { name: { '~~': 'beq%' } }, [4]],
    ['~~* is ILIKE', { name: { '~~*': 'beq%' } }, [2, 4]],
    ['_ matches one character', { city: { '~~': 'L_ndon' } }, [2, 3]],
    ['LIKE must match the whole value', { city: { '~~': 'Lon' } }, []],
    ['backslash escapes % and _', { name: { '~~': '100\\% Pure\\_%' } }, [5]],
    ['!~~ is NOT LIKE', { city: { '!~~': 'L%' } }, [1, 5]],
    ['!~~* is NOT ILIKE', { city: { '!~~*': 'l%' } }, [1, 5]],
    // Dynamic (extdata) values compare by value
    ['dynamic: numeric when both sides are, else as text', { 'extdata.x': { '>': 6 } }, [2, 4, 5]],
    ['dynamic: equality across types', { 'extdata.x': 5 }, [1]],
    ['dynamic: regex over text form', { 'extdata.x': { '~': '^1' } }, [5]],
    // Groups
    ['OR group', { 1: ['OR', { city: 'Munich' }, { score: { '>': 25 } }] }, [1, 4]],
    ['AND group', { 1: ['AND', { city: 'London' }, { score: 20 }] }, [2]],
    ['NOT group', { 1: ['NOT', { city: 'London' }] }, [1, 5]],
    [
      'NOT over several operands negates their AND',
      { 1: ['NOT', { city: 'London' }, { score: 20 }] },
      [1, 4, 5],
    ],
    [
      'nested groups',
      { 1: ['OR', ['AND', { city: 'London' }, { ID: { '>': 2 } }], { ID: 1 }] },
      [1, 3],
    ],
    [
      'groups combine with fields by AND',
      { flag: false, 2: ['OR', { city: 'London' }, { city: 'Vienna' }] },
      [2, 3, 5],
    ],
    ['operators in groups are case-insensitive', { 1: ['or', { ID: 1 }, { ID: 2 }] }, [1, 2]],
    ['an array at the top is a group', ['OR', { ID: 4 }, { ID: 5 }], [4, 5]],
    ['a group without operator is AND', [{ flag: true }, { score: { '>': 20 } }], [4]],
    [
      'OR with unknown and true is true',
      { 1: ['OR', { score: { '>': 100 } }, { city: 'Munich' }] },
      [1],
    ],
    ['NOT of unknown stays unknown', { 1: ['NOT', { score: { '>': 100 } }] }, [1, 2, 4, 5]],
    // The poller's cursor: (lastmodified, ID) > (X, Y), here on (score, ID)
    [
      'tuple cursor as an OR group',
      { 1: ['OR', { score: { '>': 10 } }, ['AND', { score: 10 }, { ID: { '>': 0 } }]] },
      [1, 2, 4],
    ],
  ];

  it.each(cases)('%s', (_name, filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('treats an absent or empty filter as no filter', () => {
    expect(ids(undefined)).toEqual([1, 2, 3, 4, 5]);
    expect(ids({})).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('filter errors (answered with 400)', () => {
  const bad: [string, unknown][] = [
    ['unknown field', { nope: 1 }],
    ['unknown operator', { name: { LIKE: 'x' } }],
    ['regex on a number field', { ID: { '~': '1' } }],
    ['IN without a list', { ID: { IN: 3 } }],
    ['array value for a field', { ID: [1, 2] }],
    ['non-numeric operand for a number field', { ID: 'abc' }],
    ['object operand', { name: { '=': { a: 1 } } }],
    ['invalid regular expression', { name: { '~': '(' } }],
    ['unknown group operator', { 1: ['XOR', { ID: 1 }] }],
    ['empty group', { 1: ['OR'] }],
    ['group member that is not an object', { 1: ['OR', 3] }],
    ['empty operator object', { ID: {} }],
    ['a string filter', 'visibility=0'],
  ];
  it.each(bad)('%s', (_name, filter) => {
    expect(() => compileFilter(parseFilter(filter), (field) => accessors[field])).toThrow(
      FilterError,
    );
  });
});

describe('impliedRange (what the lastmodified index may skip)', () => {
  const range = (filter: unknown) => impliedRange(parseFilter(filter), 'lastmodified');

  it('is unbounded without a condition on the field', () => {
    expect(range({ visibility: 0 })).toEqual({ from: undefined, to: undefined, empty: false });
  });

  it('narrows on comparisons', () => {
    expect(range({ lastmodified: { '>=': 100 } }).from).toEqual({ value: 100, inclusive: true });
    expect(range({ lastmodified: { '>': 100, '<=': 200 } })).toEqual({
      from: { value: 100, inclusive: false },
      to: { value: 200, inclusive: true },
      empty: false,
    });
  });

  it('takes the hull of an OR and the intersection of an AND', () => {
    const cursor = {
      1: ['OR', { lastmodified: { '>': 100 } }, ['AND', { lastmodified: 100 }, { ID: { '>': 7 } }]],
    };
    expect(range(cursor)).toEqual({
      from: { value: 100, inclusive: true },
      to: undefined,
      empty: false,
    });
    expect(range({ 1: ['OR', { lastmodified: 5 }, { ID: 1 }] }).from).toBeUndefined();
    expect(range({ lastmodified: { '>': 5, '<': 5 } }).empty).toBe(true);
  });

  it('gives up under NOT and on non-numeric operands', () => {
    expect(range({ 1: ['NOT', { lastmodified: { '>': 5 } }] }).from).toBeUndefined();
    expect(range({ lastmodified: { '>': null } }).from).toBeUndefined();
  });

  it('bounds IN by its extremes', () => {
    expect(range({ lastmodified: { IN: [5, 3, 9] } })).toEqual({
      from: { value: 3, inclusive: true },
      to: { value: 9, inclusive: true },
      empty: false,
    });
    expect(range({ lastmodified: { IN: [] } }).empty).toBe(true);
  });
});

describe('likeToRegExp', () => {
  it('escapes regular-expression characters', () => {
    expect(likeToRegExp('a.b(c)%', false).test('a.b(c)xyz')).toBe(true);
    expect(likeToRegExp('a.b', false).test('axb')).toBe(false);
  });
});
