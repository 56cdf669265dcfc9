import { constants, createGzip, gzip, gunzipSync, type Gzip, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import type { ObjectBody } from './files.js';

const gzipAsync = promisify(gzip);

/**
 * zlib settings of every archive object. Gzip gives the same bytes for the same input: a fixed
 * level and strategy, and zlib's own header (RFC 1952), which node:zlib writes with MTIME 0 and
 * no FNAME/FCOMMENT — there is no file name or clock in it. (The OS byte is zlib's compile-time
 * constant.) Same input, same zlib build, same output; another zlib version may compress
 * differently but decompresses to the same lines under the same key, which is what exactly-once
 * needs.
 */
function zlibOptions(level: number): ZlibOptions {
  return { level, strategy: constants.Z_DEFAULT_STRATEGY, memLevel: 8, windowBits: 15 };
}

/** One-shot gzip of whole lines, on libuv's thread pool. */
export async function gzipDeterministic(chunks: readonly Buffer[], level: number): Promise<Buffer> {
  return gzipAsync(Buffer.concat(chunks), zlibOptions(level));
}

export function gunzip(bytes: Uint8Array): Buffer {
  return gunzipSync(bytes);
}

/**
 * Native memory of one deflate stream at memLevel 8, windowBits 15 (zlib's window, hash chains
 * and pending buffer, ~256 KiB) plus node:zlib's 16 KiB output buffer: counted while it lives.
 */
export const GZIP_STREAM_BYTES = 288 * 1024;

export interface GzipBodySettings {
  /** gzip level 1-9. */
  level: number;
  /** Bytes handed to zlib at a time; the object's bytes are cut at fixed multiples of it. */
  chunkBytes: number;
  /** Memory this object holds went up or down (uncompressed chunks, zlib, compressed bytes). */
  onHeldBytes?: (delta: number) => void;
}

/**
 * An object compressed while it is filled: lines are copied into fixed-size chunks and each full
 * chunk goes to a deflate stream on libuv's thread pool, so an open object holds its compressed
 * bytes, one chunk being filled and the chunks zlib has not taken yet — not all its lines — and
 * compression overlaps with consuming instead of starting when the object closes.
 *
 * Deterministic by construction: chunk boundaries fall at multiples of `chunkBytes` of the
 * object's bytes (a function of the records, never of batches or timing); every chunk is
 * deflated with Z_NO_FLUSH, and the stream is ended (Z_FINISH on no further input) only after
 * zlib took the last chunk. Node's zlib stream would otherwise finish *with* the last chunk when
 * `end()` came before zlib reached it, a timing-dependent call sequence. (zlib's output does not
 * in fact depend on how Z_NO_FLUSH input is split — the unit test checks the result equals
 * one-shot gzip of the same bytes — but the archive does not rely on that.)
 */
export class GzipBody implements ObjectBody {
  readonly #settings: GzipBodySettings;
  readonly #zlib: Gzip;
  #chunk: Buffer | undefined;
  #filled = 0;
  readonly #output: Buffer[] = [];
  #outputBytes = 0;
  /** The last chunk zlib has taken: finish() ends the stream only after it. */
  #written: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #held = 0;
  #discarded = false;
  /** Settles a pending finish() when the object is discarded under it. */
  #onDiscard: () => void = () => undefined;

  constructor(settings: GzipBodySettings) {
    this.#settings = settings;
    this.#zlib = createGzip(zlibOptions(settings.level));
    this.#hold(GZIP_STREAM_BYTES);
    this.#zlib.on('data', (data: Buffer) => {
      this.#output.push(data);
      this.#outputBytes += data.length;
      this.#hold(data.length);
    });
    this.#zlib.on('error', (error: Error) => {
      this.#failure ??= error;
    });
  }

  append(bytes: Uint8Array): void {
    const size = this.#settings.chunkBytes;
    let from = 0;
    while (from < bytes.length) {
      if (this.#chunk === undefined) {
        this.#chunk = Buffer.allocUnsafe(size);
        this.#hold(size);
      }
      const count = Math.min(bytes.length - from, size - this.#filled);
      this.#chunk.set(
        count === bytes.length ? bytes : bytes.subarray(from, from + count),
        this.#filled,
      );
      this.#filled += count;
      from += count;
      if (this.#filled === size) this.#send();
    }
  }

  async finish(): Promise<Buffer> {
    if (this.#filled > 0) this.#send();
    const discarded = new Promise<void>((resolve) => (this.#onDiscard = resolve));
    await Promise.race([this.#written, discarded]);
    this.#check();
    await new Promise<void>((resolve, reject) => {
      this.#zlib.once('end', resolve);
      this.#zlib.once('error', reject);
      // After 'end' this changes nothing; before it, the stream was destroyed (discarded).
      this.#zlib.once('close', () => reject(new Error('object discarded')));
      this.#zlib.end();
    });
    this.#check();
    // zlib's memory is freed at the end of the stream.
    this.#hold(-GZIP_STREAM_BYTES);
    return this.#output.length === 1 && this.#output[0] !== undefined
      ? this.#output[0]
      : Buffer.concat(this.#output, this.#outputBytes);
  }

  discard(): void {
    if (this.#discarded) return;
    this.#settings.onHeldBytes?.(-this.#held);
    this.#held = 0;
    this.#discarded = true;
    this.#chunk = undefined;
    this.#output.length = 0;
    this.#zlib.destroy();
    this.#onDiscard();
  }

  #send(): void {
    const chunk = this.#chunk;
    if (chunk === undefined) return;
    const allocated = chunk.length;
    const data = this.#filled === allocated ? chunk : chunk.subarray(0, this.#filled);
    this.#chunk = undefined;
    this.#filled = 0;
    this.#written = new Promise((resolve) => {
      this.#zlib.write(data, (error) => {
        if (error !== null && error !== undefined) this.#failure ??= error;
        this.#hold(-allocated);
        resolve();
      });
    });
  }

  #check(): void {
    if (this.#discarded) throw new Error('object discarded');
    if (this.#failure !== undefined) throw this.#failure;
  }

  #hold(delta: number): void {
    if (this.#discarded) return;
    this.#held += delta;
    this.#settings.onHeldBytes?.(delta);
  }
}
