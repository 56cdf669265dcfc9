import { describe, expect, it } from 'vitest';
import { SimClock } from '../core/clock.js';
import { Journal } from '../core/journal.js';
import { createRng } from '../core/prng.js';
import { ZeyosInstanceDb, type ZeyosJournalEntry } from './db.js';
import { executeList, parseListRequest } from './list.js';
import { entityDef, type EntityDef } from './schema.js';

// The list planner walks the lastmodified index when it can; these cases check that every
// plan (index ascending/descending, index range plus sort, full scan) answers like a naive
// filter-then-sort over all records.

interface Account {
  ID: number;
  lastmodified: number;
  type: number;
  lastname: string;
}

const rng = createRng('list-planner');
const clock = new SimClock(() => 1_000_000);
const db = new ZeyosInstanceDb('t', clock, new Journal<ZeyosJournalEntry>(() => 0), {
  metaEditsTouchLastmodified: true,
});
const truth: Account[] = [];
for (let i = 0; i < 3000; i++) {
  const values = {
    lastmodified: rng.int(1000, 1100),
    type: rng.int(0, 5),
    lastname: `N${rng.int(0, 50)}`,
  };
  const row = db.insertRaw('accounts', values, { userId: 1, source: 'seed' });
  truth.push({ ID: row.data.ID as number, ...values });
}
// Some churn, so index order and insertion order differ further.
for (let i = 0; i < 500; i++) {
  const target = truth[rng.int(0, truth.length - 1)] as Account;
  clock.apply({ freezeAtMs: rng.int(1000, 1100) * 1000 });
  const row = db.update(
    'accounts',
    target.ID,
    { type: rng.int(0, 5) },
    { userId: 1, source: 'api' },
  );
  target.type = row.data.type as number;
  target.lastmodified = row.data.lastmodified as number;
}
const accounts = entityDef('accounts') as EntityDef;

function run(body: Record<string, unknown>): unknown {
  const result = executeList(db, accounts, parseListRequest(body));
  if (result.kind === 'count') return result.count;
  if (result.kind === 'rows') return result.rows.map((r) => r.ID);
  return result.text;
}

type Key = keyof Account;
function naive(
  where: (a: Account) => boolean,
  sort: [Key, 'asc' | 'desc'][],
  offset = 0,
  limit = 1000,
): number[] {
  return truth
    .filter(where)
    .sort((a, b) => {
      for (const [key, dir] of sort) {
        const x = a[key];
        const y = b[key];
        const order = x < y ? -1 : x > y ? 1 : 0;
        if (order !== 0) return dir === 'asc' ? order : -order;
      }
      return a.ID - b.ID;
    })
    .slice(offset, offset + limit)
    .map((a) => a.ID);
}

describe('list planner', () => {
  const fields = ['ID'];
  const cases: [string, Record<string, unknown>, number[] | number][] = [
    [
      'range, index order, offset',
      {
        fields,
        filter: { lastmodified: { '>=': 1050 } },
        sort: ['+lastmodified', '+ID'],
        limit: 50,
        offset: 10,
      },
      naive((a) => a.lastmodified >= 1050, [['lastmodified', 'asc']], 10, 50),
    ],
    [
      'the poller cursor as an OR group',
      {
        fields,
        filter: {
          1: [
            'OR',
            { lastmodified: { '>': 1040 } },
            ['AND', { lastmodified: 1040 }, { ID: { '>': 1500 } }],
          ],
        },
        sort: ['+lastmodified', '+ID'],
        limit: 100,
      },
      naive(
        (a) => a.lastmodified > 1040 || (a.lastmodified === 1040 && a.ID > 1500),
        [['lastmodified', 'asc']],
        0,
        100,
      ),
    ],
    [
      'range, descending index order',
      {
        fields,
        filter: { lastmodified: { '<=': 1020 }, type: 2 },
        sort: ['-lastmodified', '-ID'],
        limit: 30,
      },
      naive(
        (a) => a.lastmodified <= 1020 && a.type === 2,
        [
          ['lastmodified', 'desc'],
          ['ID', 'desc'],
        ],
        0,
        30,
      ),
    ],
    [
      'range with another sort',
      {
        fields,
        filter: { lastmodified: { '>': 1010, '<': 1030 } },
        sort: ['-lastname'],
        limit: 40,
      },
      naive((a) => a.lastmodified > 1010 && a.lastmodified < 1030, [['lastname', 'desc']], 0, 40),
    ],
    [
      'index order without a range',
      { fields, sort: ['+lastmodified'], limit: 25 },
      naive(() => true, [['lastmodified', 'asc']], 0, 25),
    ],
    [
      'no sort means ID order',
      { fields, filter: { type: 3 }, limit: 20, offset: 5 },
      naive((a) => a.type === 3, [], 5, 20),
    ],
    [
      'mixed directions are sorted in memory',
      {
        fields,
        filter: { lastmodified: { IN: [1001, 1002, 1003] } },
        sort: ['-lastmodified', '+ID'],
      },
      naive((a) => [1001, 1002, 1003].includes(a.lastmodified), [['lastmodified', 'desc']]),
    ],
    [
      'count over a range',
      { count: 1, filter: { lastmodified: { '>=': 1090 }, type: { '!=': 0 } } },
      truth.filter((a) => a.lastmodified >= 1090 && a.type !== 0).length,
    ],
    ['an empty range', { fields, filter: { lastmodified: { '>': 5, '<': 5 } } }, []],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(run(body)).toEqual(expected);
  });

  it('exports CSV with ";" and no limit', () => {
    const csv = run({
      fields: { Id: 'ID', Name: 'lastname' },
      filter: { ID: { '<=': 2 } },
      export: 1,
    });
    expect(csv).toBe(
      `Id;Name\r\n1;${truth[0]?.lastname ?? ''}\r\n2;${truth[1]?.lastname ?? ''}\r\n`,
    );
  });
});
