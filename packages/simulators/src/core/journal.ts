/**
 * The ground-truth journal: one entry per change a simulator made, in the order it made them,
 * numbered by a gapless sequence. Tests compare what Tidemark published against it. The
 * payload of an entry is system-specific (`E`); the journal adds `seq` and `atMs`.
 */
export type JournalRecord<E extends object> = E & {
  /** 1-based, gapless, increasing in change order. */
  seq: number;
  /** Simulated clock time of the change (Unix ms). */
  atMs: number;
};

export interface JournalPage<E extends object> {
  entries: JournalRecord<E>[];
  /** Pass as `after` to read the next page; equals the input when nothing new matched. */
  nextAfter: number;
  /** Oldest sequence still held (entries before it were trimmed), or 0 when empty. */
  firstSeq: number;
  /** Newest sequence written so far, or 0. */
  lastSeq: number;
}

export interface JournalOptions {
  /** Oldest entries are dropped beyond this many. Default 1 000 000. */
  maxEntries?: number;
}

export class Journal<E extends object> {
  private entries: JournalRecord<E>[] = [];
  /** Index in `entries` of the first live entry (trimming advances it, compaction resets it). */
  private head = 0;
  private seq = 0;
  private readonly maxEntries: number;
  private readonly listeners = new Set<(entry: JournalRecord<E>) => void>();

  constructor(
    private readonly now: () => number,
    options: JournalOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 1_000_000;
  }

  append(entry: E): JournalRecord<E> {
    this.seq += 1;
    const record = { ...entry, seq: this.seq, atMs: this.now() } as JournalRecord<E>;
    this.entries.push(record);
    if (this.entries.length - this.head > this.maxEntries) {
      this.head += 1;
      // Compact occasionally so trimming stays O(1) amortised.
      if (this.head > 65_536 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
    }
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** Calls `listener` for every entry appended from now on; returns the unsubscribe function. */
  subscribe(listener: (entry: JournalRecord<E>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get firstSeq(): number {
    return this.entries[this.head]?.seq ?? 0;
  }

  /** All entries held, oldest first (a copy). */
  all(): JournalRecord<E>[] {
    return this.entries.slice(this.head);
  }

  /** Up to `limit` entries with `seq > after` that pass `where`, oldest first. */
  read(after = 0, limit = 1000, where?: (entry: JournalRecord<E>) => boolean): JournalPage<E> {
    const out: JournalRecord<E>[] = [];
    // Sequences are dense, so the start position is computed, not searched.
    let index = this.head + Math.max(0, after + 1 - this.firstSeq);
    let nextAfter = after;
    for (; index < this.entries.length && out.length < limit; index++) {
      const entry = this.entries[index];
      if (entry === undefined) break;
      nextAfter = entry.seq;
      if (where === undefined || where(entry)) out.push(entry);
    }
    return { entries: out, nextAfter, firstSeq: this.firstSeq, lastSeq: this.seq };
  }

  /** Serialisable state for snapshots. */
  dump(): { seq: number; entries: JournalRecord<E>[] } {
    return { seq: this.seq, entries: this.all() };
  }

  restore(state: { seq: number; entries: JournalRecord<E>[] }): void {
    this.entries = state.entries.slice(-this.maxEntries);
    this.head = 0;
    this.seq = state.seq;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
  }
}
