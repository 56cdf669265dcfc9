import { describe, expect, it } from 'vitest';
import { gunzip, gzipDeterministic } from './gzip.js';

describe('gzipDeterministic', () => {
  it('gives identical bytes for identical input, with no mtime or file name in the header', async () => {
    const lines = Array.from({ length: 500 }, (_, i) =>
      Buffer.from(`{"n":${i},"text":"Zoë ${'x'.repeat(i % 50)}"}\n`),
    );
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
