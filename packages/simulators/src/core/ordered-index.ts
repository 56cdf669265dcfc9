/**
 * An ordered index over (key, id) pairs: numbers for the key (a change timestamp), numbers or
 * strings for the id. It answers "every entry with key in [lo, hi], in (key, id) order, either
 * direction" without touching entries outside the range, which is what an incremental poller's
 * `lastmodified >= X ORDER BY lastmodified, ID LIMIT N` needs over a million records.
 *
 * Layout: a list of sorted blocks of at most BLOCK entries (a B+-tree of height two, as in
 * Python's sortedcontainers). Insert and remove cost O(log n + BLOCK); scans cost O(log n) to
 * start plus O(1) per entry.
 */
export type RowId = number | string;

const BLOCK = 1024;

interface Block {
  keys: number[];
  ids: RowId[];
}

/** Numbers sort before strings; each kind in its natural order. */
export function compareIds(a: RowId, b: RowId): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

function compareEntry(k1: number, id1: RowId, k2: number, id2: RowId): number {
  if (k1 < k2) return -1;
  if (k1 > k2) return 1;
  return compareIds(id1, id2);
}

/** A key bound: entries with key >= value (inclusive) or > value (exclusive), or the mirror. */
export interface KeyBound {
  value: number;
  inclusive: boolean;
}

export class OrderedIndex {
  private blocks: Block[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Replaces the content with entries that must already be sorted by (key, id). */
  loadSorted(keys: readonly number[], ids: readonly RowId[]): void {
    this.blocks = [];
    for (let start = 0; start < keys.length; start += BLOCK) {
      this.blocks.push({
        keys: keys.slice(start, start + BLOCK),
        ids: ids.slice(start, start + BLOCK),
      });
    }
    this.count = keys.length;
  }

  insert(key: number, id: RowId): void {
    if (this.blocks.length === 0) {
      this.blocks.push({ keys: [key], ids: [id] });
      this.count = 1;
      return;
    }
    const blockIndex = this.blockFor(key, id);
    const block = this.blocks[blockIndex] as Block;
    const at = this.positionIn(block, key, id);
    block.keys.splice(at, 0, key);
    block.ids.splice(at, 0, id);
    this.count += 1;
    if (block.keys.length > BLOCK) {
      const half = block.keys.length >> 1;
      const right: Block = { keys: block.keys.splice(half), ids: block.ids.splice(half) };
      this.blocks.splice(blockIndex + 1, 0, right);
    }
  }

  /** Removes the exact pair; returns whether it was present. */
  remove(key: number, id: RowId): boolean {
    if (this.blocks.length === 0) return false;
    const blockIndex = this.blockFor(key, id);
    const block = this.blocks[blockIndex] as Block;
    const at = this.positionIn(block, key, id);
    if (at >= block.keys.length || block.keys[at] !== key || block.ids[at] !== id) return false;
    block.keys.splice(at, 1);
    block.ids.splice(at, 1);
    this.count -= 1;
    if (block.keys.length === 0) this.blocks.splice(blockIndex, 1);
    return true;
  }

  /**
   * Ids of entries with key between `from` and `to` (either may be omitted), in ascending
   * (key, id) order or descending for `descending`.
   */
  *scan(from?: KeyBound, to?: KeyBound, descending = false): Generator<RowId, void, undefined> {
    if (!descending) {
      let [b, i] = from === undefined ? [0, 0] : this.lowerBound(from);
      for (; b < this.blocks.length; b++, i = 0) {
        const block = this.blocks[b] as Block;
        for (; i < block.keys.length; i++) {
          const key = block.keys[i] as number;
          if (to !== undefined && (key > to.value || (!to.inclusive && key === to.value))) return;
          yield block.ids[i] as RowId;
        }
      }
      return;
    }
    let [b, i] = to === undefined ? this.end() : this.upperBound(to);
    for (; b >= 0; b--) {
      const block = this.blocks[b];
      if (block === undefined) continue;
      if (i === Number.POSITIVE_INFINITY) i = block.keys.length - 1;
      for (; i >= 0; i--) {
        const key = block.keys[i] as number;
        if (from !== undefined && (key < from.value || (!from.inclusive && key === from.value)))
          return;
        yield block.ids[i] as RowId;
      }
      i = Number.POSITIVE_INFINITY;
    }
  }

  /** Number of entries with key inside the bounds (walks them). */
  countRange(from?: KeyBound, to?: KeyBound): number {
    let n = 0;
    for (const _ of this.scan(from, to)) n++;
    return n;
  }

  /** Index of the first block whose last entry is >= (key, id), or the last block. */
  private blockFor(key: number, id: RowId): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid] as Block;
      const last = block.keys.length - 1;
      if (compareEntry(block.keys[last] as number, block.ids[last] as RowId, key, id) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private positionIn(block: Block, key: number, id: RowId): number {
    let lo = 0;
    let hi = block.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEntry(block.keys[mid] as number, block.ids[mid] as RowId, key, id) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Position of the first entry satisfying the lower bound. */
  private lowerBound(bound: KeyBound): [number, number] {
    const before = (key: number) => key < bound.value || (!bound.inclusive && key === bound.value);
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid] as Block;
      if (before(block.keys[block.keys.length - 1] as number)) lo = mid + 1;
      else hi = mid;
    }
    const block = this.blocks[lo];
    if (block === undefined) return [lo, 0];
    let a = 0;
    let z = block.keys.length;
    while (a < z) {
      const mid = (a + z) >> 1;
      if (before(block.keys[mid] as number)) a = mid + 1;
      else z = mid;
    }
    return [lo, a];
  }

  /** Position of the last entry satisfying the upper bound ([-1, x] when none). */
  private upperBound(bound: KeyBound): [number, number] {
    const after = (key: number) => key > bound.value || (!bound.inclusive && key === bound.value);
    let lo = 0;
    let hi = this.blocks.length;
    // First block whose first entry is after the bound; the answer is in the block before it.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid] as Block;
      if (after(block.keys[0] as number)) hi = mid;
      else lo = mid + 1;
    }
    const b = lo - 1;
    const block = this.blocks[b];
    if (block === undefined) return [-1, -1];
    let a = 0;
    let z = block.keys.length;
    while (a < z) {
      const mid = (a + z) >> 1;
      if (after(block.keys[mid] as number)) z = mid;
      else a = mid + 1;
    }
    return [b, a - 1];
  }

  private end(): [number, number] {
    const b = this.blocks.length - 1;
    return [b, (this.blocks[b]?.keys.length ?? 0) - 1];
  }
}
