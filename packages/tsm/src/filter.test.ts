import { describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import { filterParams, tsmFilterOperators, where, type TsmFilterCondition } from './filter.js';
import {
  encodeQuery,
  expandQueryString,
  idOrCodesQueryString,
  pageQueryString,
  searchQueryString,
  sortParam,
} from './list-query.js';

const q = (conditions: TsmFilterCondition[]) => encodeQuery(filterParams(conditions));

describe('filter builder → query string (the guide’s syntax)', () => {
  const cases: { name: string; filter: TsmFilterCondition; query: string }[] = [
    { name: 'eq', filter: where.eq('status', 'ACTIVE'), query: 'status__eq=ACTIVE' },
    { name: 'noteq', filter: where.noteq('status', 'DELETED'), query: 'status__noteq=DELETED' },
    { name: 'gt', filter: where.gt('amount', 1000), query: 'amount__gt=1000' },
    { name: 'gte', filter: where.gte('amount', 1000), query: 'amount__gte=1000' },
    { name: 'lt', filter: where.lt('amount', 500), query: 'amount__lt=500' },
    { name: 'lte', filter: where.lte('amount', 500.5), query: 'amount__lte=500.5' },
    { name: 'like with %25', filter: where.like('name', '%Acme%'), query: 'name__like=%25Acme%25' },
    {
      name: 'contains',
      filter: where.contains('description', 'test'),
      query: 'description__contains=test',
    },
    {
      name: 'notcontains',
      filter: where.notcontains('note', 'error'),
      query: 'note__notcontains=error',
    },
    {
      name: 'startswith keeps dots',
      filter: where.startswith('code', 'REG.'),
      query: 'code__startswith=REG.',
    },
    {
      name: 'endswith keeps @',
      filter: where.endswith('email', '@domain.com'),
      query: 'email__endswith=@domain.com',
    },
    {
      name: 'in',
      filter: where.in('status', ['ACTIVE', 'PENDING']),
      query: 'status__in=ACTIVE,PENDING',
    },
    {
      name: 'notin',
      filter: where.notin('status', ['DELETED', 'ARCHIVED']),
      query: 'status__notin=DELETED,ARCHIVED',
    },
    { name: 'empty', filter: where.empty('description'), query: 'description__empty=true' },
    { name: 'notempty', filter: where.notempty('remarks'), query: 'remarks__notempty=true' },
    { name: 'btw numbers', filter: where.btw('amount', 100, 500), query: 'amount__btw=100,500' },
    {
      name: 'btw dates, colons and comma literal',
      filter: where.btw(
        'createdAt',
        new Date('2025-09-25T00:56:37.851Z'),
        '2025-09-26T00:56:37.851Z',
      ),
      query: 'createdAt__btw=2025-09-25T00:56:37.851Z,2025-09-26T00:56:37.851Z',
    },
    { name: 'btwr', filter: where.btwr('amount', 500, 100), query: 'amount__btwr=500,100' },
    { name: 'gtr', filter: where.gtr('updatedAt', '-P7D'), query: 'updatedAt__gtr=-P7D' },
    { name: 'ltr', filter: where.ltr('updatedAt', 'PT2H30M'), query: 'updatedAt__ltr=PT2H30M' },
    {
      name: 'nested path',
      filter: where.eq('register.code', 'Reg.Crm.Titul.Pred.Menom'),
      query: 'register.code__eq=Reg.Crm.Titul.Pred.Menom',
    },
    {
      name: 'nested id',
      filter: where.eq('register.id', '019970a1-7797-73ba-a6d5-b424443a7dcb'),
      query: 'register.id__eq=019970a1-7797-73ba-a6d5-b424443a7dcb',
    },
    { name: 'boolean', filter: where.eq('active', true), query: 'active__eq=true' },
    {
      name: 'plus sign and spaces encoded',
      filter: where.eq('name', 'A+B C&D'),
      query: 'name__eq=A%2BB%20C%26D',
    },
    {
      name: 'non-ASCII as UTF-8',
      filter: where.contains('name', 'Köln'),
      query: 'name__contains=K%C3%B6ln',
    },
    { name: 'raw op', filter: where.op('x', 'eq', '1'), query: 'x__eq=1' },
  ];

  it.each(cases)('$name', ({ filter, query }) => {
    expect(q([filter])).toBe(query);
  });

  it('has a builder for every operator of the guide', () => {
    const built = new Set(cases.map((c) => c.filter.op));
    expect([...tsmFilterOperators].filter((op) => !built.has(op))).toEqual([]);
  });

  it('combines conditions with & (AND), in order', () => {
    expect(
      q([where.eq('status', 'ACTIVE'), where.contains('name', 'Tech'), where.gt('revenue', 10000)]),
    ).toBe('status__eq=ACTIVE&name__contains=Tech&revenue__gt=10000');
  });

  const refused: { name: string; build: () => unknown }[] = [
    { name: 'bad path', build: () => where.eq('a b', 1) },
    { name: 'path with __ operator injection', build: () => where.eq('a=1&b', 1) },
    { name: 'empty path segment', build: () => where.eq('register..code', 1) },
    { name: 'comma inside an in value', build: () => where.in('name', ['a,b']) },
    { name: 'empty in list', build: () => where.in('name', []) },
    { name: 'relative without duration', build: () => where.gtr('updatedAt', '7 days') },
    { name: 'bare P', build: () => where.ltr('updatedAt', 'P') },
    { name: 'NaN', build: () => where.gt('amount', Number.NaN) },
    { name: 'invalid date', build: () => where.gt('when', new Date('nope')) },
  ];
  it.each(refused)('refuses $name with INPUT_INVALID', ({ build }) => {
    expect(build).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }) as TidemarkError);
  });
});

describe('page, search, bulk and detail query strings', () => {
  it('writes the guide’s /page example', () => {
    expect(
      pageQueryString({
        filter: [
          where.eq('status', 'ACTIVE'),
          where.contains('name', 'Tech'),
          where.btw('whenInserted', '2025-09-25T00:56:37.851Z', '2025-09-26T00:56:37.851Z'),
          where.gt('revenue', 10000),
          where.notempty('remarks'),
        ],
        sort: [{ field: 'whenInserted', direction: 'desc' }],
        page: 0,
        size: 50,
      }),
    ).toBe(
      'status__eq=ACTIVE&name__contains=Tech&whenInserted__btw=2025-09-25T00:56:37.851Z,2025-09-26T00:56:37.851Z' +
        '&revenue__gt=10000&remarks__notempty=true&sort=whenInserted,DESC&page=0&size=50',
    );
  });

  it('writes the register-values examples', () => {
    expect(
      searchQueryString({
        filter: [where.eq('register.code', 'Reg.Crm.Titul.Pred.Menom')],
        size: 100,
      }),
    ).toBe('register.code__eq=Reg.Crm.Titul.Pred.Menom&size=100');
    expect(
      pageQueryString({
        filter: [
          where.eq('register.code', 'Reg.Crm.Titul.Pred.Menom'),
          where.like('value', '%Mgr%'),
        ],
        page: 0,
        size: 20,
        sort: ['order,asc'],
      }),
    ).toBe(
      'register.code__eq=Reg.Crm.Titul.Pred.Menom&value__like=%25Mgr%25&sort=order,ASC&page=0&size=20',
    );
  });

  it('repeats sort, expand and idOrCodes', () => {
    expect(
      pageQueryString({
        sort: ['name,ASC', 'createdAt,DESC', 'code'],
        expand: ['ROLES', 'GROUPS'],
      }),
    ).toBe('sort=name,ASC&sort=createdAt,DESC&sort=code&expand=ROLES&expand=GROUPS&page=0');
    expect(expandQueryString(['ROLES', 'GROUPS'])).toBe('expand=ROLES&expand=GROUPS');
    expect(idOrCodesQueryString(['a', 'CUS 1'])).toBe('idOrCodes=a&idOrCodes=CUS%201');
    expect(searchQueryString({ params: { q: 'x', tag: ['a', 'b'] } })).toBe('q=x&tag=a&tag=b');
  });

  it('refuses bad sort keys, sizes and pages', () => {
    expect(() => sortParam('name,UP')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => sortParam('a,ASC,x')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => pageQueryString({ size: 0 })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID' }),
    );
    expect(() => pageQueryString({ page: -1 })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID' }),
    );
    expect(() => idOrCodesQueryString([])).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID' }),
    );
  });
});
