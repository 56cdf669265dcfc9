import { describe, expect, it } from 'vitest';
import { compileFilter, where, type Filter, type FilterJson } from './filter.js';
import { buildCountBody, buildListBody, sortToken } from './list-query.js';

describe('compileFilter', () => {
  const cases: { name: string; filter: Filter; json: FilterJson }[] = [
    { name: 'equality shorthand', filter: where.eq('visibility', 0), json: { visibility: 0 } },
    { name: 'null equality', filter: where.eq('contact', null), json: { contact: null } },
    { name: '!=', filter: where.ne('type', 1), json: { type: { '!=': 1 } } },
    { name: '<>', filter: where.op('type', '<>', 1), json: { type: { '<>': 1 } } },
    { name: '<', filter: where.lt('ID', 5), json: { ID: { '<': 5 } } },
    { name: '<=', filter: where.le('ID', 5), json: { ID: { '<=': 5 } } },
    { name: '>', filter: where.gt('ID', 5), json: { ID: { '>': 5 } } },
    { name: '>=', filter: where.ge('ID', 5), json: { ID: { '>=': 5 } } },
    {
      name: 'IN',
      filter: where.in('country', ['DE', 'AT']),
      json: { country: { IN: ['DE', 'AT'] } },
    },
    { name: '!IN', filter: where.notIn('country', ['DE']), json: { country: { '!IN': ['DE'] } } },
    { name: '~', filter: where.matches('name', '^A'), json: { name: { '~': '^A' } } },
    { name: '~*', filter: where.matches('name', '^a', true), json: { name: { '~*': '^a' } } },
    { name: '!~', filter: where.notMatches('name', '^A'), json: { name: { '!~': '^A' } } },
    { name: '!~*', filter: where.notMatches('name', '^a', true), json: { name: { '!~*': '^a' } } },
    { name: '~~', filter: where.like('name', 'A%'), json: { name: { '~~': 'A%' } } },
    { name: '~~*', filter: where.like('name', 'a%', true), json: { name: { '~~*': 'a%' } } },
    { name: '!~~', filter: where.notLike('name', 'A%'), json: { name: { '!~~': 'A%' } } },
    { name: '!~~*', filter: where.notLike('name', 'a%', true), json: { name: { '!~~*': 'a%' } } },
    {
      name: 'two operators on one field merge (documented field3 form)',
      filter: where.and(where.lt('lastmodified', 20), where.gt('lastmodified', 10)),
      json: { lastmodified: { '<': 20, '>': 10 } },
    },
    {
      name: 'explicit = stays an operator object only when merging',
      filter: where.and(where.op('name', '=', 'x'), where.ne('type', 2)),
      json: { name: 'x', type: { '!=': 2 } },
    },
    {
      name: 'a clashing condition on one field goes to a numbered AND group',
      filter: where.and(where.gt('ID', 1), where.gt('ID', 2)),
      json: { ID: { '>': 1 }, 1: ['AND', { ID: { '>': 2 } }] },
    },
    {
      name: 'NOT group',
      filter: where.not(where.eq('visibility', 2)),
      json: { 0: ['NOT', { visibility: 2 }] },
    },
    {
      name: 'the keyset cursor: OR with a nested AND',
      filter: where.or(
        where.gt('lastmodified', 100),
        where.and(where.eq('lastmodified', 100), where.gt('ID', 7)),
      ),
      json: { 0: ['OR', { lastmodified: { '>': 100 } }, { lastmodified: 100, ID: { '>': 7 } }] },
    },
    {
      name: 'nested OR inside OR is wrapped in a filter object',
      filter: where.or(where.eq('a', 1), where.or(where.eq('b', 2), where.eq('c', 3))),
      json: { 0: ['OR', { a: 1 }, { 0: ['OR', { b: 2 }, { c: 3 }] }] },
    },
    {
      name: 'the accounts example of the API reference',
      filter: where.and(
        where.eq('visibility', 0),
        where.in('contact.country', ['DE', 'AT', 'GB']),
        where.or(
          where.gt('lastmodified', 1524472045),
          where.gt('contact.lastmodified', 1524472045),
        ),
      ),
      json: {
        visibility: 0,
        'contact.country': { IN: ['DE', 'AT', 'GB'] },
        2: [
          'OR',
          { lastmodified: { '>': 1524472045 } },
          { 'contact.lastmodified': { '>': 1524472045 } },
        ],
      },
    },
  ];
  it.each(cases)('$name', ({ filter, json }) => {
    expect(compileFilter(filter)).toEqual(json);
  });

  it('refuses a set operator without an array and an empty group', () => {
    expect(() => where.op('a', 'IN', 1)).toThrow(TypeError);
    expect(() => where.op('a', '=', [1])).toThrow(TypeError);
    expect(() => where.or()).toThrow(TypeError);
    expect(() => where.eq('', 1)).toThrow(TypeError);
  });
});

describe('buildListBody', () => {
  it('builds the accounts example of the API reference (filters, aliases, sort, paging)', () => {
    const body = buildListBody({
      fields: {
        Id: 'ID',
        Name: 'lastname',
        Nickname: 'extdata.nickname',
        Address: 'contact.address',
        Postalcode: 'contact.postalcode',
        Town: 'contact.city',
        SalesAgent: 'assigneduser.name',
      },
      filter: where.and(
        where.eq('visibility', 0),
        where.in('contact.country', ['DE', 'AT', 'GB']),
        where.or(
          where.gt('lastmodified', 1524472045),
          where.gt('contact.lastmodified', 1524472045),
        ),
      ),
      sort: ['+lastname', { field: 'contact.country', direction: 'desc' }],
      limit: 3,
      offset: 0,
    });
    // The reference's JSON (with its missing comma fixed and the key 2 quoted).
    const documented: unknown = JSON.parse(`{
      "fields": {"Id": "ID", "Name": "lastname", "Nickname": "extdata.nickname",
        "Address": "contact.address", "Postalcode": "contact.postalcode",
        "Town": "contact.city", "SalesAgent": "assigneduser.name"},
      "filters": {
        "visibility": 0,
        "contact.country": {"IN": ["DE", "AT", "GB"]},
        "2": ["OR", {"lastmodified": {">": 1524472045}}, {"contact.lastmodified": {">": 1524472045}}]
      },
      "sort": ["+lastname", "-contact.country"],
      "limit": 3,
      "offset": 0
    }`);
    expect(JSON.parse(JSON.stringify(body))).toEqual(documented);
  });

  it('passes raw filter JSON through and selects fields as an array', () => {
    expect(
      buildListBody({ fields: ['ID', 'lastname'], filter: { type: { IN: [1, 3] } }, search: 'x' }),
    ).toEqual({ fields: ['ID', 'lastname'], filters: { type: { IN: [1, 3] } }, query: 'x' });
  });

  it('sends only the count, filter and search for a count', () => {
    expect(buildCountBody({ filter: where.eq('visibility', 0) })).toEqual({
      count: true,
      filters: { visibility: 0 },
    });
  });

  it.each([{ limit: 0 }, { limit: 10_001 }, { limit: 1.5 }, { offset: -1 }, { fields: [] }])(
    'refuses %o with INPUT_INVALID',
    (query) => {
      expect(() => buildListBody(query)).toThrow(
        expect.objectContaining({ code: 'INPUT_INVALID' }),
      );
    },
  );

  it('writes sort keys with their direction', () => {
    expect(sortToken('ID')).toBe('ID');
    expect(sortToken('-ID')).toBe('-ID');
    expect(sortToken({ field: 'ID', direction: 'asc' })).toBe('+ID');
    expect(() => sortToken('-')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});
