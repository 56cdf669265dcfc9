import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { IdSet } from './id-set.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isTidemarkError(error) ? error.code : 'not a TidemarkError';
  }
  return undefined;
}

describe('IdSet', () => {
  it('adds, deletes and answers has, counting each id once', () => {
    const set = new IdSet();
    set.add(5);
    set.add(5);
    set.add(0);
    set.add(100_000); // beyond the initial capacity: grows
    expect(set.size).toBe(3);
    expect([5, 0, 100_000].map((id) => set.has(id))).toEqual([true, true, true]);
    expect([4, 6, 99_999, 100_001, 10_000_000].some((id) => set.has(id))).toBe(false);
    set.delete(5);
    set.delete(5);
    set.delete(7);
    set.delete(50_000_000);
    expect(set.size).toBe(2);
    expect(set.has(5)).toBe(false);
  });

  it('iterates in ascending order', () => {
    const set = new IdSet();
    for (const id of [900, 3, 17, 8, 9, 0x7fff_ffff]) set.add(id);
    expect([...set.values()]).toEqual([3, 8, 9, 17, 900, 0x7fff_ffff]);
  });

  it.each([[-1], [1.5], [2 ** 31], [Number.NaN]])('refuses %d with INPUT_INVALID', (id) => {
    expect(codeOf(() => new IdSet().add(id))).toBe('INPUT_INVALID');
  });

  it('clones independently', () => {
    const set = new IdSet();
    set.add(1);
    const copy = set.clone();
    copy.add(2);
    set.delete(1);
    expect([...set.values()]).toEqual([]);
    expect([...copy.values()]).toEqual([1, 2]);
    expect(copy.size).toBe(2);
  });

  it.each<[string, number[]]>([
    ['empty', []],
    ['one', [1]],
    ['scattered', [1, 64, 65, 4096, 123_457, 9_999_999]],
  ])('round-trips %s', (_name, ids) => {
    const set = new IdSet();
    for (const id of ids) set.add(id);
    const back = IdSet.decode(set.encode());
    expect([...back.values()]).toEqual(ids);
    expect(back.size).toBe(ids.length);
  });

  it('holds 1,000,000 dense ids in a compact encoding and round-trips them', () => {
    const set = new IdSet();
    for (let id = 1; id <= 1_000_000; id++) set.add(id);
    const text = set.encode();
    expect(text.length).toBeLessThan(4_000);
    const back = IdSet.decode(text);
    expect(back.size).toBe(1_000_000);
    expect(back.has(1) && back.has(1_000_000) && !back.has(0) && !back.has(1_000_001)).toBe(true);
  });

  it('1,000,000 ids with every third one deleted stay well under a Kafka message', () => {
    const set = new IdSet();
    for (let id = 1; id <= 1_000_000; id++) if (id % 3 !== 0) set.add(id);
    const text = set.encode();
    // The raw bitset is 125 KB; the pattern deflates. Random gaps cost at most ~167 KB base64.
    expect(text.length).toBeLessThan(170_000);
    const back = IdSet.decode(text);
    expect(back.size).toBe(set.size);
    expect([...back.values()].slice(0, 4)).toEqual([1, 2, 4, 5]);
  });

  it.each([
    ['not base64 deflate', '!!!!'],
    ['random bytes', 'AAECAwQFBgc='],
  ])('decode rejects %s with INPUT_INVALID', (_name, text) => {
    expect(codeOf(() => IdSet.decode(text))).toBe('INPUT_INVALID');
  });
});

describe('IdSet regressions', () => {
  it('has and delete ignore ids outside 0…2^31-1 instead of wrapping onto small ids', () => {
    // `id >>> 3` wraps modulo 2^32: 2^32 + 5 used to read and clear the bit of id 5.
    const set = new IdSet();
    set.add(5);
    set.add(1);
    expect([2 ** 32 + 5, 2 ** 32 + 1, -3, 5.5, 1.25].map((id) => set.has(id))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    set.delete(2 ** 32 + 5);
    set.delete(1.25);
    expect([...set.values()]).toEqual([1, 5]);
    expect(set.size).toBe(2);
  });
});
