import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { TidemarkError } from '@tidemark/errors';

/**
 * A set of positive integer record ids as a bitset: one bit per id up to the largest, so one
 * million dense ids take 125 KiB in memory and, deflated, a few KiB in a checkpoint. Sources
 * with integer ids (ZeyOS) keep their known-id set in it for delete reconciliation.
 */
export class IdSet {
  private bits: Uint8Array;
  private count = 0;

  constructor(bits?: Uint8Array) {
    this.bits = bits ?? new Uint8Array(1024);
    if (bits !== undefined) for (const byte of bits) this.count += popcount(byte);
  }

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    if (!inRange(id)) return false;
    const byte = this.bits[id >>> 3];
    return byte !== undefined && (byte & (1 << (id & 7))) !== 0;
  }

  add(id: number): void {
    checkId(id);
    const index = id >>> 3;
    if (index >= this.bits.length) {
      const grown = new Uint8Array(Math.max(index + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    const byte = this.bits[index] ?? 0;
    if ((byte & mask) === 0) {
      this.bits[index] = byte | mask;
      this.count++;
    }
  }

  delete(id: number): void {
    if (!inRange(id)) return;
    const index = id >>> 3;
    const byte = this.bits[index];
    const mask = 1 << (id & 7);
    if (byte !== undefined && (byte & mask) !== 0) {
      this.bits[index] = byte & ~mask;
      this.count--;
    }
  }

  /** Ids in ascending order. */
  *values(): Generator<number> {
    for (let index = 0; index < this.bits.length; index++) {
      const byte = this.bits[index] ?? 0;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((byte & (1 << bit)) !== 0) yield index * 8 + bit;
    }
  }

  clone(): IdSet {
    const copy = new IdSet(new Uint8Array(0));
    copy.bits = this.bits.slice();
    copy.count = this.count;
    return copy;
  }

  /** Deflated bitset, base64: the checkpoint form. */
  encode(): string {
    let end = this.bits.length;
    while (end > 0 && this.bits[end - 1] === 0) end--;
    return deflateRawSync(this.bits.subarray(0, end), { level: 1 }).toString('base64');
  }

  static decode(text: string): IdSet {
    try {
      return new IdSet(new Uint8Array(inflateRawSync(Buffer.from(text, 'base64'))));
    } catch (error) {
      throw new TidemarkError('INPUT_INVALID', 'not an encoded id set', { cause: error });
    }
  }
}

/** Bit arithmetic (`>>> 3`) is only exact for integers 0…2^31-1; others would wrap. */
function inRange(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id <= 0x7fffffff;
}

function checkId(id: number): void {
  if (!inRange(id)) {
    throw new TidemarkError('INPUT_INVALID', 'an id set holds integers 0…2^31-1', {
      details: { id },
    });
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}
