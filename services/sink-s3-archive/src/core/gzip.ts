import { constants, gzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/**
 * Gzip that gives the same bytes for the same input: a fixed level and strategy, and zlib's own
 * header (RFC 1952), which node:zlib writes with MTIME 0 and no FNAME/FCOMMENT — there is no
 * file name or clock in it. (The OS byte is zlib's compile-time constant.) Same input, same zlib
 * build, same output; another zlib version may compress differently but decompresses to the same
 * lines under the same key, which is what exactly-once needs.
 *
 * Runs on libuv's thread pool, so compression overlaps with consuming.
 */
export async function gzipDeterministic(chunks: readonly Buffer[], level: number): Promise<Buffer> {
  return gzipAsync(Buffer.concat(chunks), {
    level,
    strategy: constants.Z_DEFAULT_STRATEGY,
    memLevel: 8,
    windowBits: 15,
  });
}

export function gunzip(bytes: Uint8Array): Buffer {
  return gunzipSync(bytes);
}
