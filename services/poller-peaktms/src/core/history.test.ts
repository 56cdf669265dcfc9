import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { parseZonedDateTime, readHistoryPage, type PeaktmsHistoryEntry } from '@tidemark/peaktms';
import type { SourceItem } from '@tidemark/poller';
import {
  entriesToItems,
  fieldKey,
  newestChangeMs,
  opOf,
  recordAfter,
  recordBefore,
  rfc3339,
  type CurrentRecord,
} from './history.js';

const settings = { instance: 'acme', kind: 'activities' };
const ID = '6f1c2a4e-8b0d-4c3a-9e7f-1a2b3c4d5e6f';

type Rec = Record<string, unknown> & {
  attributes: { name: string; dataType: string; value: unknown }[];
};
const MEMBERS = ['name', 'location', 'resources'] as const;

/** The simulator's history diff: changed members (dataType null), then changed attributes. */
function diff(before: Rec | undefined, after: Rec | undefined) {
  const changes: {
    attribute: string;
    dataType: string | null;
    oldValue: unknown;
    newValue: unknown;
  }[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const empty = (v: unknown) =>
    v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  for (const m of MEMBERS) {
    const o = before?.[m];
    const n = after?.[m];
    if (empty(o) && empty(n)) continue;
    if (!same(o, n))
      changes.push({ attribute: m, dataType: null, oldValue: o ?? null, newValue: n ?? null });
  }
  for (const def of (after ?? before)?.attributes ?? []) {
    const o = before?.attributes.find((a) => a.name === def.name)?.value ?? null;
    const n = after?.attributes.find((a) => a.name === def.name)?.value ?? null;
    if (!same(o, n))
      changes.push({ attribute: def.name, dataType: def.dataType, oldValue: o, newValue: n });
  }
  return changes;
}

function time(n: number): string {
  return `2026-11-23T10:15:${String(n % 60).padStart(2, '0')}.${String(n).padStart(3, '0').slice(-3)}+01:00[Europe/Berlin]`;
}

/** Wire entries → client entries, through the client's own reader. */
function entries(raw: Record<string, unknown>[]): PeaktmsHistoryEntry[] {
  const read = readHistoryPage({ entries: raw, hasMore: false });
  if (!read.ok) throw new Error(read.reason);
  return read.page.entries;
}

/** A seeded little world: one record changed many times, as the simulator stores and logs it. */
function evolve(steps: number, seed: number) {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const states: Rec[] = [];
  const raw: Record<string, unknown>[] = [];
  let current: Rec | undefined;
  for (let step = 1; step <= steps; step++) {
    const prev: Rec | undefined = current;
    let next: Rec;
    if (prev === undefined) {
      next = {
        id: ID,
        type: 'Test',
        name: 'Run 1',
        location: null,
        resources: [],
        attributes: [
          { name: 'Cost', dataType: 'DECIMAL', value: null },
          { name: 'Samples', dataType: 'NUMBER', value: 3 },
          { name: 'Labels', dataType: 'MULTISELECTLIST', value: [] },
        ],
        created: time(step),
        createdBy: 'demo',
      };
    } else {
      next = structuredClone(prev);
      const pick = rnd(5);
      if (pick === 0) next.name = `Run ${rnd(100)}`;
      else if (pick === 1) next.location = rnd(2) === 0 ? null : 'Berlin';
      else if (pick === 2) next.attributes[0]!.value = rnd(3) === 0 ? null : rnd(10_000) / 100;
      else if (pick === 3) next.attributes[1]!.value = rnd(50);
      else next.attributes[2]!.value = rnd(2) === 0 ? [] : ['A', 'B'].slice(0, 1 + rnd(2));
    }
    next.modified = time(step);
    next.modifiedBy = step % 2 === 0 ? 'demo' : 'anna';
    const changes = diff(prev, next);
    if (prev !== undefined && changes.length === 0) continue;
    raw.push({
      entryId: 100 + step,
      time: time(step),
      user: next.modifiedBy,
      operation: prev === undefined ? 'CREATE' : 'UPDATE',
      objectId: ID,
      type: 'Test',
      changes,
    });
    states.push(next);
    current = next;
  }
  return { states, raw };
}

describe('opOf', () => {
  it.each([
    ['CREATE', 'create'],
    ['INSERT', 'create'],
    ['UPDATE', 'update'],
    ['DELETE', 'delete'],
    ['REMOVE', 'delete'],
    ['SOMETHING', 'update'],
    [undefined, 'update'],
  ] as const)('%s → %s', (operation, op) => {
    expect(opOf(operation)).toBe(op);
  });
});

describe('rfc3339', () => {
  it.each([
    ['2026-11-23T10:15:30.123+01:00[Europe/Berlin]', '2026-11-23T10:15:30.123+01:00'],
    ['2026-11-23T10:15:30Z', '2026-11-23T10:15:30Z'],
    ['2026-11-23T10:15+0530', '2026-11-23T10:15:00+05:30'],
  ])('%s → %s', (text, expected) => {
    expect(rfc3339(parseZonedDateTime(text))).toBe(expected);
  });
});

describe('fieldKey', () => {
  const record = {
    id: ID,
    name: 'x',
    attributes: [
      { name: 'Cost', value: 1 },
      { name: 'name2', value: 1 },
    ],
  };
  it.each([
    [{ attribute: 'Cost', dataType: 'DECIMAL' }, record, 'attr:Cost'],
    [{ attribute: 'name', dataType: null }, record, 'member:name'],
    [{ attribute: 'name2', dataType: null }, record, 'attr:name2'],
    [{ attribute: 'location', dataType: null }, undefined, 'member:location'],
    [{ attribute: 'Budget', dataType: null }, undefined, 'attr:Budget'],
    [{ attribute: 'somethingNew', dataType: null }, record, 'member:somethingNew'],
    [{ attribute: '', dataType: 'TEXT' }, record, undefined],
    [{ dataType: 'TEXT' }, record, undefined],
  ])('%j', (change, rec, key) => {
    expect(fieldKey({ ...change, oldValue: null, newValue: 1 }, rec)).toBe(key);
  });
});

describe('recordAfter', () => {
  it('is the exact record after every entry, whenever the GET happened after the page', () => {
    for (const seed of [1, 7, 42, 1234]) {
      const { states, raw } = evolve(40, seed);
      const all = entries(raw);
      // The page is a prefix of the log; GET saw the state at some moment at or after its end;
      // the tail read after the GET holds every later entry.
      for (const pageEnd of [1, 5, 17, all.length]) {
        for (let seenAt = pageEnd - 1; seenAt < all.length; seenAt += 3) {
          const current = states[seenAt];
          for (let i = 0; i < pageEnd; i++) {
            expect(recordAfter(all, i, current), `seed ${seed} entry ${i} get ${seenAt}`).toEqual(
              states[i],
            );
          }
        }
      }
    }
  });

  it('rebuilds a deleted record from the log alone, up to its empty fields and created', () => {
    const { states, raw } = evolve(12, 3);
    const last = states.at(-1)!;
    raw.push({
      entryId: 999,
      time: time(59),
      user: 'demo',
      operation: 'DELETE',
      objectId: ID,
      type: 'Test',
      changes: diff(last, undefined),
    });
    const all = entries(raw);
    for (let i = 1; i < states.length; i++) {
      const rebuilt = recordAfter(all.slice(1), i - 1, undefined);
      const truth = states[i]!;
      expect(rebuilt['id']).toBe(ID);
      expect(rebuilt['type']).toBe('Test');
      expect(rebuilt['modified']).toBe(truth.modified);
      expect(rebuilt['name']).toBe(truth.name);
      for (const attribute of truth.attributes) {
        const found = (rebuilt['attributes'] as { name: string; value: unknown }[]).find(
          (a) => a.name === attribute.name,
        );
        // An attribute empty all along is not in the log; one that had a value is exact.
        if (found !== undefined) expect(found.value).toEqual(attribute.value);
        else
          expect(
            attribute.value === null ||
              (Array.isArray(attribute.value) && attribute.value.length === 0),
          ).toBe(true);
      }
    }
    // With its CREATE entry at hand, created and createdBy are known too.
    expect(recordAfter(all, 0, undefined)).toMatchObject({ created: time(1), createdBy: 'anna' });
  });
});

describe('recordBefore', () => {
  it('holds the changed members and attributes with their old values', () => {
    const [entry] = entries([
      {
        entryId: 5,
        time: time(5),
        operation: 'UPDATE',
        objectId: ID,
        type: 'Test',
        changes: [
          { attribute: 'name', dataType: null, oldValue: 'Run', newValue: 'Run 2' },
          { attribute: 'Cost', dataType: 'DECIMAL', oldValue: null, newValue: 12.5 },
        ],
      },
    ]);
    expect(recordBefore(entry!, undefined)).toEqual({
      id: ID,
      type: 'Test',
      name: 'Run',
      attributes: [{ name: 'Cost', dataType: 'DECIMAL', value: null }],
    });
  });
});

function summary(items: readonly SourceItem[]): string[] {
  return items.map((item) =>
    item.kind === 'change'
      ? `${item.change.op}:${item.change.version}`
      : `invalid:${item.entityId ?? '?'}`,
  );
}

describe('entriesToItems', () => {
  const OTHER = '0a0b0c0d-1111-4222-8333-444455556666';
  const raw = [
    {
      entryId: 1,
      time: time(1),
      user: 'demo',
      operation: 'CREATE',
      objectId: ID,
      type: 'Test',
      changes: [{ attribute: 'name', dataType: null, oldValue: null, newValue: 'A' }],
    },
    {
      entryId: 2,
      time: time(2),
      user: 'anna',
      operation: 'UPDATE',
      objectId: ID,
      type: 'Test',
      changes: [{ attribute: 'name', dataType: null, oldValue: 'A', newValue: 'B' }],
    },
    {
      entryId: 3,
      time: time(3),
      operation: 'DELETE',
      objectId: OTHER,
      type: 'Test',
      changes: [{ attribute: 'name', dataType: null, oldValue: 'Z', newValue: null }],
    },
    { entryId: 4, time: time(4), operation: 'UPDATE', type: 'Test', changes: [] },
    { entryId: 5, time: 'yesterday', operation: 'UPDATE', objectId: ID, changes: [] },
  ];
  const current = new Map<string, CurrentRecord>([
    [
      ID,
      {
        status: 'found',
        record: { id: ID, type: 'Test', name: 'B', attributes: [], modified: time(2) },
      },
    ],
  ]);

  it('gives one item per entry, in log order, versioned by the entry id', () => {
    const items = entriesToItems(entries(raw), [], current, settings);
    expect(summary(items)).toEqual([
      'create:1',
      'update:2',
      'delete:3',
      'invalid:?',
      `invalid:${ID}`,
    ]);
    const [create, update, del] = items;
    if (create?.kind !== 'change' || update?.kind !== 'change' || del?.kind !== 'change')
      throw new Error('expected changes');
    expect(create.change).toMatchObject({
      system: 'peaktms',
      instance: 'acme',
      entityType: 'activities',
      entityId: ID,
      after: { name: 'A', modified: time(1), modifiedBy: 'demo' },
      changedFields: ['name'],
      changedBy: 'demo',
      changedAt: '2026-11-23T10:15:01.001+01:00',
      sequence: '1',
    });
    expect(create.change.before).toBeUndefined();
    expect(update.change).toMatchObject({
      after: { name: 'B', modifiedBy: 'anna' },
      before: { id: ID, name: 'A' },
    });
    expect(del.change).toMatchObject({ after: null, before: { id: OTHER, name: 'Z' } });
    expect(del.change.changedBy).toBeUndefined();
    for (const item of items) {
      if (item.kind === 'invalid')
        expect(isTidemarkError(item.error) && item.error.code).toBe('EVENT_INVALID');
    }
  });

  it('rolls back entries after the page (read from the tail) into the page records', () => {
    const [first, second] = entries(raw);
    const items = entriesToItems([first!], [second!], current, settings);
    expect(items[0]?.kind === 'change' && items[0].change.after).toMatchObject({ name: 'A' });
  });

  it('dead-letters every entry of a record that fails its schema, with the raw entry', () => {
    const error = new Error('schema');
    const items = entriesToItems(
      entries(raw.slice(0, 2)),
      [],
      new Map([[ID, { status: 'invalid', error }]]),
      settings,
    );
    expect(summary(items)).toEqual([`invalid:${ID}`, `invalid:${ID}`]);
    expect(items[1]?.kind === 'invalid' && items[1].raw).toMatchObject({ entryId: 2 });
  });

  it('newestChangeMs is the newest entry time', () => {
    expect(newestChangeMs(entries(raw.slice(0, 3)))).toBe(parseZonedDateTime(time(3)).epochMs);
    expect(newestChangeMs([])).toBeUndefined();
  });
});
