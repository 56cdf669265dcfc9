import type { EncodedRecord } from './record.js';
import { objectKey } from './keys.js';

/** Limits of one object. Rotation depends on these and the records only, never on a clock. */
export interface RotationSettings {
  /** Records per object. Default 100 000. */
  maxRecords: number;
  /** Uncompressed bytes per object (a single larger record still gets an object). Default 64 MiB. */
  maxBytes: number;
}

/**
 * The bytes of one object as they are appended: compressed on the way (GzipBody) or kept as
 * they are (PlainBody).
 */
export interface ObjectBody {
  /** Adds bytes; they are copied, the caller may reuse its buffer. */
  append(bytes: Uint8Array): void;
  /** No more bytes: the whole object. */
  finish(): Promise<Buffer>;
  /** Frees the object's memory (after its upload, or when it is dropped); finish() then fails. */
  discard(): void;
}

/** The lines as they are, concatenated: for tests and tools that want no compression. */
export class PlainBody implements ObjectBody {
  #parts: Buffer[] = [];
  #discarded = false;
  append(bytes: Uint8Array): void {
    this.#parts.push(Buffer.from(bytes));
  }
  finish(): Promise<Buffer> {
    if (this.#discarded) return Promise.reject(new Error('object discarded'));
    return Promise.resolve(Buffer.concat(this.#parts));
  }
  discard(): void {
    this.#discarded = true;
    this.#parts = [];
  }
}

/** A closed object, ready to finish (compress) and upload. */
export interface ClosedFile {
  topic: string;
  partition: number;
  key: string;
  firstOffset: string;
  lastOffset: string;
  /** The offset to commit once the object is durable: last + 1. */
  nextOffset: string;
  records: number;
  rawRecords: number;
  /** Uncompressed bytes. */
  bytes: number;
  body: ObjectBody;
}

interface OpenFile {
  firstOffset: string;
  lastOffset: string;
  hourMs: number;
  records: number;
  body: ObjectBody;
  bytes: number;
  rawRecords: number;
  /** Wall-clock time the first record was added: only the idle flush looks at it. */
  openedAtMs: number;
}

/**
 * The object being filled for one topic-partition. Records arrive in offset order. A record
 * closes the open object before it is added when its event-time hour differs from the object's
 * or when it would push the object past `maxBytes`; an object closes as soon as it holds
 * `maxRecords`. Raw records count like any other, so offsets in the archive stay contiguous.
 * All of this is a function of the records alone, so a re-read after a crash yields the same
 * objects under the same keys.
 */
export class PartitionFile {
  #open: OpenFile | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly prefix: string,
    private readonly settings: RotationSettings,
    /** Where each object's bytes go. Default: kept uncompressed (PlainBody). */
    private readonly newBody: () => ObjectBody = () => new PlainBody(),
  ) {}

  /** Uncompressed bytes held in the open object. */
  get bufferedBytes(): number {
    return this.#open?.bytes ?? 0;
  }

  /** True while an object holds records. */
  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /**
   * Adds a record (its line is copied: it may be a view the caller reuses); returns the objects
   * that closed (zero, one or two).
   */
  append(record: EncodedRecord, nowMs: number): ClosedFile[] {
    const closed: ClosedFile[] = [];
    const open = this.#open;
    if (
      open !== undefined &&
      (record.hourMs !== open.hourMs || open.bytes + record.line.length > this.settings.maxBytes)
    ) {
      closed.push(this.#close(open));
    }
    const target = (this.#open ??= {
      firstOffset: record.offset,
      lastOffset: record.offset,
      hourMs: record.hourMs,
      records: 0,
      body: this.newBody(),
      bytes: 0,
      rawRecords: 0,
      openedAtMs: nowMs,
    });
    target.body.append(record.line);
    target.records += 1;
    target.bytes += record.line.length;
    target.lastOffset = record.offset;
    if (record.raw) target.rawRecords += 1;
    if (target.records >= this.settings.maxRecords) closed.push(this.#close(target));
    return closed;
  }

  /**
   * Closes the open object if its first record came more than `maxAgeMs` ago: the idle flush.
   * This one decision depends on the clock (see the README on what that means for exactly-once).
   */
  flushIfOlder(nowMs: number, maxAgeMs: number): ClosedFile | undefined {
    const open = this.#open;
    if (open === undefined || nowMs - open.openedAtMs < maxAgeMs) return undefined;
    return this.#close(open);
  }

  /**
   * Forgets the open object (the partition was revoked; its next owner re-reads it) and frees
   * its body; returns its uncompressed bytes.
   */
  drop(): number {
    const bytes = this.bufferedBytes;
    this.#open?.body.discard();
    this.#open = undefined;
    return bytes;
  }

  #close(open: OpenFile): ClosedFile {
    this.#open = undefined;
    return {
      topic: this.topic,
      partition: this.partition,
      key: objectKey(this.prefix, this.topic, this.partition, open.firstOffset, open.hourMs),
      firstOffset: open.firstOffset,
      lastOffset: open.lastOffset,
      nextOffset: (BigInt(open.lastOffset) + 1n).toString(),
      records: open.records,
      rawRecords: open.rawRecords,
      bytes: open.bytes,
      body: open.body,
    };
  }
}
