import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { TidemarkError } from '@tidemark/errors';
import { z } from 'zod';

/**
 * Snapshots: JSON Lines, first line a header, then one item per line, so a million records
 * stream out and in without one giant string. Written to a temporary file and renamed, so a
 * crash mid-save leaves the previous snapshot intact.
 */
const snapshotHeaderSchema = z.object({
  format: z.literal('tidemark-simulator-snapshot'),
  version: z.literal(1),
  system: z.string(),
  savedAtMs: z.number(),
});
export type SnapshotHeader = z.infer<typeof snapshotHeaderSchema>;

/** Writes `header` and then every item of `items`; resolves once the file is in place. */
export async function writeSnapshot(
  path: string,
  header: SnapshotHeader,
  items: Iterable<unknown>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temporary, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  try {
    let buffer = `${JSON.stringify(header)}\n`;
    for (const item of items) {
      buffer += `${JSON.stringify(item)}\n`;
      if (buffer.length >= 1 << 20) {
        const more = out.write(buffer);
        buffer = '';
        if (!more) await Promise.race([waitFor(out, 'drain'), failed]);
      }
    }
    out.end(buffer);
    await Promise.race([waitFor(out, 'finish'), failed]);
    await rename(temporary, path);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw new TidemarkError('STORAGE_FATAL', `could not write snapshot ${path}`, { cause: error });
  }
}

/**
 * Reads a snapshot: returns its header after calling `onItem` for every item in order, or
 * null when the file does not exist.
 */
export async function readSnapshot(
  path: string,
  system: string,
  onItem: (item: unknown) => void,
): Promise<SnapshotHeader | null> {
  try {
    await stat(path);
  } catch {
    return null;
  }
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let header: SnapshotHeader | null = null;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TidemarkError('STORAGE_FATAL', `snapshot ${path}: line ${lineNumber} is not JSON`, {
        cause: error,
      });
    }
    if (header === null) {
      const parsed = snapshotHeaderSchema.safeParse(value);
      if (!parsed.success || parsed.data.system !== system) {
        throw new TidemarkError('STORAGE_FATAL', `snapshot ${path} is not a ${system} snapshot`);
      }
      header = parsed.data;
      continue;
    }
    onItem(value);
  }
  return header;
}

function waitFor(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}
