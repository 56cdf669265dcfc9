import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GZIP_STREAM_BYTES, GzipBody, gunzip, gzipDeterministic } from './gzip.js';

const lines = Array.from({ length: 500 }, (_, i) =>
  Buffer.from(`{"n":${i},"text":"Zoë ${'x'.repeat(i % 50)}"}\n`),
);

describe('gzipDeterministic', () => {
  it('gives identical bytes for identical input, with no mtime or file name in the header', async () => {
    const first = await gzipDeterministic(lines, 6);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await gzipDeterministic(lines, 6);
    expect(first.equals(second)).toBe(true);
    expect([...first.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    expect(first[3]).toBe(0); // FLG: no FNAME, FCOMMENT, FEXTRA
    expect(first.readUInt32LE(4)).toBe(0); // MTIME
    expect(gunzip(first).equals(Buffer.concat(lines))).toBe(true);
  });
});

describe('GzipBody', () => {
  async function compress(chunkBytes: number, pauseEvery: number, level = 6) {
    let held = 0;
    const body = new GzipBody({ level, chunkBytes, onHeldBytes: (delta) => (held += delta) });
    for (const [index, line] of lines.entries()) {
      body.append(line);
      // Let zlib take chunks at different moments from run to run.
      if (index % pauseEvery === 0) await delay(1);
    }
    const bytes = await body.finish();
    expect(held).toBe(bytes.length); // the body until it is discarded
    body.discard();
    expect(held).toBe(0);
    return bytes;
  }

  it('gives the same bytes whatever the chunk size and timing: those of one-shot gzip', async () => {
    const expected = await gzipDeterministic(lines, 6);
    for (const [chunkBytes, pauseEvery] of [
      [7, 97],
      [1024, 13],
      [4096, 1000],
      [1 << 20, 50],
    ] as const) {
      const bytes = await compress(chunkBytes, pauseEvery);
      expect({ chunkBytes, same: bytes.equals(expected) }).toEqual({ chunkBytes, same: true });
    }
    expect(gunzip(await compress(1000, 3, 1)).equals(Buffer.concat(lines))).toBe(true);
  });

  it('counts the chunk being filled, the stream and the compressed bytes, and frees them on discard', async () => {
    let held = 0;
    const body = new GzipBody({ level: 6, chunkBytes: 4096, onHeldBytes: (d) => (held += d) });
    expect(held).toBe(GZIP_STREAM_BYTES);
    body.append(lines[0] ?? Buffer.alloc(0));
    expect(held).toBe(GZIP_STREAM_BYTES + 4096);
    const finished = body.finish();
    body.discard();
    expect(held).toBe(0);
    await expect(finished).rejects.toThrow('discarded');
    expect(held).toBe(0);
  });
});
