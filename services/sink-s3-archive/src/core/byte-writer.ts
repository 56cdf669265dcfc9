import { isUtf8 } from 'node:buffer';

const INITIAL_BYTES = 64 * 1024;
/** A scratch buffer grown past this by one huge record is given back at the next reset. */
const KEEP_BYTES = 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const hex = '0123456789abcdef';
/** JSON.stringify's short escapes; other control characters become \u00XX. */
const shortEscapes: Partial<Record<number, number>> = {
  0x08: 0x62,
  0x09: 0x74,
  0x0a: 0x6e,
  0x0c: 0x66,
  0x0d: 0x72,
  0x22: 0x22,
  0x5c: 0x5c,
};

/** Short copies are faster as a loop than as a native call. */
const LOOP_COPY_BYTES = 48;

/** Bytes of an ASCII string known at start-up (JSON punctuation and member names). */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/**
 * How a value can go into a JSON string: 0 = pure ASCII that needs no escape, 1 = valid UTF-8
 * (escape byte by byte), -1 = not UTF-8. One pass for the common case, the native check only
 * when a byte above 0x7f shows up.
 */
export function textKind(bytes: Uint8Array): -1 | 0 | 1 {
  let escapes = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b >= 0x80) return isUtf8(bytes) ? 1 : -1;
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) escapes = true;
  }
  return escapes ? 1 : 0;
}

/**
 * One archive line being built, as bytes: members are copied in from the Kafka buffers instead
 * of decoded to strings, joined and encoded again. Reused for every record, so building a line
 * allocates nothing but what grows it.
 */
export class ByteWriter {
  bytes: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  length = 0;

  reset(): void {
    if (this.bytes.length > KEEP_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
    this.length = 0;
  }

  /** The line so far; a view that the next reset overwrites. */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  #room(extra: number): Buffer {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    return this.bytes;
  }

  byte(value: number): void {
    this.#room(1)[this.length++] = value;
  }

  /** Copies bytes[start, end) as they are. */
  raw(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    const target = this.#room(count);
    if (count <= LOOP_COPY_BYTES) {
      let at = this.length;
      for (let i = start; i < end; i++) target[at++] = source[i] ?? 0;
    } else {
      target.set(
        start === 0 && end === source.length ? source : source.subarray(start, end),
        this.length,
      );
    }
    this.length += count;
  }

  /** A short ASCII string (an offset): a loop beats the native call's set-up. */
  ascii(text: string): void {
    const target = this.#room(text.length);
    let at = this.length;
    for (let i = 0; i < text.length; i++) target[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** A string of Latin-1 / ASCII characters (ISO timestamps, base64). */
  latin1(text: string): void {
    this.#room(text.length);
    this.length += this.bytes.write(text, this.length, 'latin1');
  }

  /** Any string as UTF-8. */
  utf8(text: string): void {
    this.#room(Buffer.byteLength(text, 'utf8'));
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /**
   * A JSON string of UTF-8 text given as bytes, quotes included, escaped exactly as
   * `JSON.stringify` escapes the decoded text: `"`, `\` and control characters; everything
   * else, non-ASCII included, is copied. `kind` is `textKind(text)` (not -1).
   */
  jsonString(text: Uint8Array, kind: 0 | 1): void {
    this.byte(QUOTE);
    if (kind === 0) {
      this.raw(text);
    } else {
      // Worst case six bytes (\u00XX) per input byte.
      const target = this.#room(text.length * 6 + 1);
      let at = this.length;
      for (let i = 0; i < text.length; i++) {
        const b = text[i] ?? 0;
        if (b >= 0x20 && b !== QUOTE && b !== BACKSLASH) {
          target[at++] = b;
          continue;
        }
        target[at++] = BACKSLASH;
        const short = shortEscapes[b];
        if (short !== undefined) {
          target[at++] = short;
        } else {
          target[at++] = 0x75;
          target[at++] = 0x30;
          target[at++] = 0x30;
          target[at++] = hex.charCodeAt(b >> 4);
          target[at++] = hex.charCodeAt(b & 15);
        }
      }
      this.length = at;
    }
    this.byte(QUOTE);
  }
}
