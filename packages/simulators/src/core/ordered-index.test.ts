import { describe, expect, it } from 'vitest';
import { Collection } from './collection.js';
import { OrderedIndex, compareIds, type KeyBound, type RowId } from './ordered-index.js';
import { createRng } from './prng.js';

function naive(
  entries: Map<RowId, number>,
  from?: KeyBound,
  to?: KeyBound,
  descending = false,
): RowId[] {
  const inside = [...entries]
    .filter(([, key]) => {
      if (from !== undefined && (key < from.value || (!from.inclusive && key === from.value)))
        return false;
      if (to !== undefined && (key > to.value || (!to.inclusive && key === to.value))) return false;
      return true;
    })
    .sort(([ia, ka], [ib, kb]) => ka - kb || compareIds(ia, ib))
    .map(([id]) => id);
  return descending ? inside.reverse() : inside;
}

describe('OrderedIndex', () => {
  it('agrees with a sorted array under random inserts, moves, removes and scans', () => {
    const rng = createRng('ordered-index');
    const index = new OrderedIndex();
    const truth = new Map<RowId, number>();
    // Enough operations to split blocks many times (BLOCK is 1024).
    for (let step = 0; step < 12_000; step++) {
      const id = rng.int(1, 4000);
      const key = rng.int(0, 500);
      const current = truth.get(id);
      if (current === undefined) {
        index.insert(key, id);
        truth.set(id, key);
      } else if (rng.chance(0.3)) {
        expect(index.remove(current, id)).toBe(true);
        truth.delete(id);
      } else {
        index.remove(current, id);
        index.insert(key, id);
        truth.set(id, key);
      }
    }
    expect(index.size).toBe(truth.size);
    for (let probe = 0; probe < 80; probe++) {
      const lo = rng.int(-10, 510);
      const hi = lo + rng.int(0, 100);
      const from = rng.chance(0.8) ? { value: lo, inclusive: rng.chance(0.5) } : undefined;
      const to = rng.chance(0.5) ? { value: hi, inclusive: rng.chance(0.5) } : undefined;
      const descending = rng.chance(0.5);
      expect([...index.scan(from, to, descending)]).toEqual(naive(truth, from, to, descending));
    }
  });

  it('loads sorted entries in bulk', () => {
    const index = new OrderedIndex();
    const keys = Array.from({ length: 5000 }, (_, i) => Math.floor(i / 3));
    const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
    index.loadSorted(keys, ids);
    expect([...index.scan({ value: 10, inclusive: true }, { value: 11, inclusive: true })]).toEqual(
      [31, 32, 33, 34, 35, 36],
    );
    expect(index.remove(10, 32)).toBe(true);
    expect(index.remove(10, 32)).toBe(false);
    expect(index.countRange({ value: 10, inclusive: true }, { value: 10, inclusive: true })).toBe(
      2,
    );
  });

  it('orders numeric ids before string ids', () => {
    const index = new OrderedIndex();
    index.insert(1, 'b');
    index.insert(1, 2);
    index.insert(1, 'a');
    expect([...index.scan()]).toEqual([2, 'a', 'b']);
  });
});

describe('Collection', () => {
  interface Row {
    id: number;
    t: number;
  }
  const make = () => new Collection<Row>({ idOf: (r) => r.id, orderKeyOf: (r) => r.t });

  it('keeps the index in step with replace and delete', () => {
    const c = make();
    c.insert({ id: 1, t: 10 });
    c.insert({ id: 2, t: 5 });
    c.replace({ id: 1, t: 3 });
    c.insert({ id: 3, t: 5 });
    c.delete(2);
    expect([...c.scanByKey(undefined, undefined)].map((r) => r.id)).toEqual([1, 3]);
    expect([...c.scanByKey({ value: 4, inclusive: true }, undefined)].map((r) => r.id)).toEqual([
      3,
    ]);
    expect(c.allocateId()).toBe(4);
  });

  it('iterates in id order even after an out-of-order insert', () => {
    const c = make();
    c.insert({ id: 5, t: 1 });
    c.insert({ id: 2, t: 1 });
    expect([...c.values()].map((r) => r.id)).toEqual([2, 5]);
  });
});
