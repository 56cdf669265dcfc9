import { OrderedIndex, compareIds, type KeyBound, type RowId } from './ordered-index.js';

export interface CollectionOptions<R> {
  idOf(row: R): RowId;
  /**
   * Key of the ordered index (a change timestamp), or null/undefined to leave a row out of it.
   * Omit the function for a collection without an ordered index.
   */
  orderKeyOf?: ((row: R) => number | null | undefined) | undefined;
}

/**
 * The rows of one entity: a hash map by id plus an optional ordered index on (key, id).
 * Rows are treated as immutable values: a change replaces the row, so a reader holding the
 * old row never sees a half-applied update.
 */
export class Collection<R> {
  private rows = new Map<RowId, R>();
  private readonly index: OrderedIndex | undefined;
  private lastId: RowId | undefined;
  /** Map order equals id order as long as ids only grow; checked on every insert. */
  private idOrdered = true;
  private maxNumericId = 0;

  constructor(private readonly options: CollectionOptions<R>) {
    this.index = options.orderKeyOf === undefined ? undefined : new OrderedIndex();
  }

  get size(): number {
    return this.rows.size;
  }

  get indexed(): boolean {
    return this.index !== undefined;
  }

  /** The next free integer id (server-assigned ids start at 1 and only grow). */
  allocateId(): number {
    this.maxNumericId += 1;
    return this.maxNumericId;
  }

  /** The highest integer id ever used, so snapshots can keep ids from being reused. */
  get idWatermark(): number {
    return this.maxNumericId;
  }

  set idWatermark(value: number) {
    this.maxNumericId = Math.max(this.maxNumericId, value);
  }

  get(id: RowId): R | undefined {
    return this.rows.get(id);
  }

  has(id: RowId): boolean {
    return this.rows.has(id);
  }

  /** Rows in id order. */
  *values(): Generator<R, void, undefined> {
    if (this.idOrdered) {
      yield* this.rows.values();
      return;
    }
    const ids = [...this.rows.keys()].sort(compareIds);
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row !== undefined) yield row;
    }
  }

  insert(row: R): void {
    const id = this.options.idOf(row);
    if (this.rows.has(id)) throw new Error(`duplicate id ${String(id)}`);
    if (this.lastId !== undefined && compareIds(id, this.lastId) < 0) this.idOrdered = false;
    this.lastId = id;
    if (typeof id === 'number' && id > this.maxNumericId) this.maxNumericId = id;
    this.rows.set(id, row);
    const key = this.keyOf(row);
    if (key !== undefined) this.index?.insert(key, id);
  }

  /** Replaces the row with the same id; returns the previous row. */
  replace(row: R): R {
    const id = this.options.idOf(row);
    const previous = this.rows.get(id);
    if (previous === undefined) throw new Error(`no row ${String(id)}`);
    this.rows.set(id, row);
    const before = this.keyOf(previous);
    const after = this.keyOf(row);
    if (before !== after) {
      if (before !== undefined) this.index?.remove(before, id);
      if (after !== undefined) this.index?.insert(after, id);
    }
    return previous;
  }

  delete(id: RowId): R | undefined {
    const previous = this.rows.get(id);
    if (previous === undefined) return undefined;
    this.rows.delete(id);
    const key = this.keyOf(previous);
    if (key !== undefined) this.index?.remove(key, id);
    return previous;
  }

  /**
   * Rows whose index key lies within the bounds, in (key, id) order. Only for indexed
   * collections. Must be consumed synchronously: rows changed mid-scan may be skipped or
   * repeated, like a database scan without a snapshot.
   */
  *scanByKey(
    from: KeyBound | undefined,
    to: KeyBound | undefined,
    descending = false,
  ): Generator<R, void, undefined> {
    if (this.index === undefined) throw new Error('collection has no ordered index');
    for (const id of this.index.scan(from, to, descending)) {
      const row = this.rows.get(id);
      if (row !== undefined) yield row;
    }
  }

  /** Replaces all rows at once (restore, bulk load); far faster than inserting one by one. */
  load(rows: Iterable<R>): void {
    this.rows = new Map();
    this.lastId = undefined;
    this.idOrdered = true;
    const keyed: { key: number; id: RowId }[] = [];
    for (const row of rows) {
      const id = this.options.idOf(row);
      if (this.lastId !== undefined && compareIds(id, this.lastId) < 0) this.idOrdered = false;
      this.lastId = id;
      if (typeof id === 'number' && id > this.maxNumericId) this.maxNumericId = id;
      this.rows.set(id, row);
      const key = this.keyOf(row);
      if (key !== undefined) keyed.push({ key, id });
    }
    if (this.index !== undefined) {
      keyed.sort((a, b) => a.key - b.key || compareIds(a.id, b.id));
      this.index.loadSorted(
        keyed.map((entry) => entry.key),
        keyed.map((entry) => entry.id),
      );
    }
  }

  clear(): void {
    this.load([]);
  }

  private keyOf(row: R): number | undefined {
    const key = this.options.orderKeyOf?.(row);
    return typeof key === 'number' && Number.isFinite(key) ? key : undefined;
  }
}
