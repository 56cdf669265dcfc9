import { describe, expect, it, vi } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { createArchiver, type ArchiverSettings } from './archiver.js';
import { GZIP_STREAM_BYTES, GzipBody, gunzip } from './gzip.js';
import { parseLines } from './lines.js';
import { eventInput } from './test-fixtures.js';

const settings: ArchiverSettings = {
  prefix: 'events',
  maxRecords: 3,
  maxBytes: 1 << 20,
  maxFileAgeMs: 60_000,
  maxBufferedBytes: 1 << 24,
  gzipLevel: 6,
  retry: { baseDelayMs: 1, maxDelayMs: 5 },
};
const control = { heartbeat: async () => undefined, isActive: () => true };

function fakes() {
  const objects = new Map<string, Buffer>();
  const commits: string[] = [];
  let failPuts = 0;
  const store = {
    put: async (key: string, body: Buffer) => {
      if (failPuts > 0) {
        failPuts -= 1;
        throw new TidemarkError('STORAGE_TRANSIENT', 'slow down', { retryable: true });
      }
      objects.set(key, body);
    },
  };
  const committer = {
    commit: async (topic: string, partition: number, offset: string) => {
      commits.push(`${topic}:${partition}@${offset}`);
    },
  };
  return { objects, commits, store, committer, failNext: (n: number) => (failPuts = n) };
}

const batch = (from: number, to: number) => ({
  topic: 'tidemark.zeyos.contacts',
  partition: 2,
  messages: Array.from({ length: to - from }, (_, i) => eventInput(from + i)),
});

function offsetsIn(objects: Map<string, Buffer>): number[] {
  return [...objects.values()]
    .flatMap((body) =>
      parseLines(gunzip(body).toString()).lines.map((line) => line.tidemark_kafka.offset),
    )
    .sort((a, b) => a - b);
}

describe('archiver', () => {
  it('commits nothing of a partition past an object it could not compress', async () => {
    const f = fakes();
    const finish = vi.spyOn(GzipBody.prototype, 'finish');
    finish.mockRejectedValueOnce(new Error('zlib: out of memory'));
    try {
      const archiver = createArchiver(f, settings);
      await archiver.accept(batch(0, 7), control);
      await archiver.drain();
      // The first object (offsets 0-2) failed; the second may be written, but committing its
      // end would skip the first one's records.
      expect(f.commits).toEqual([]);
    } finally {
      finish.mockRestore();
    }
  });

  it('writes closed objects and commits the offset after each, in order', async () => {
    const f = fakes();
    const archiver = createArchiver(f, settings);
    await archiver.accept(batch(0, 7), control);
    await archiver.drain();
    expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@3', 'tidemark.zeyos.contacts:2@6']);
    expect(offsetsIn(f.objects)).toEqual([0, 1, 2, 3, 4, 5]);
    // The open object (offset 6) was dropped on drain: it is read again after a restart.
    expect(archiver.bufferedBytes()).toBe(0);
  });

  it('retries a failing store until it succeeds, and commits only after', async () => {
    const f = fakes();
    f.failNext(4);
    const archiver = createArchiver(f, settings);
    await archiver.accept(batch(0, 3), control);
    await archiver.drain();
    expect(f.objects.size).toBe(1);
    expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@3']);
  });

  it('a restart from the committed offset rewrites the same keys with the same bytes', async () => {
    const first = fakes();
    const a = createArchiver(first, settings);
    await a.accept(batch(0, 9), control);
    await a.drain();
    const second = fakes();
    const b = createArchiver(second, settings);
    await b.accept(batch(3, 9), control); // as if the commit of 3..5 and 6..8 was lost
    await b.drain();
    for (const [key, body] of second.objects)
      expect(first.objects.get(key)?.equals(body)).toBe(true);
  });

  it('writes the same keys and bytes however the records are split into batches', async () => {
    const run = async (sizes: number[]) => {
      const f = fakes();
      // Objects larger than a compression chunk, so chunk boundaries fall inside them.
      const archiver = createArchiver(f, { ...settings, maxRecords: 40, compressChunkBytes: 4096 });
      let from = 0;
      for (const size of sizes) {
        await archiver.accept(batch(from, from + size), control);
        from += size;
      }
      await archiver.drain();
      return f.objects;
    };
    const whole = await run([120]);
    const pieces = await run([1, 7, 33, 2, 40, 37]);
    expect([...pieces.keys()]).toEqual([...whole.keys()]);
    for (const [key, body] of whole) expect(pieces.get(key)?.equals(body)).toBe(true);
    expect(whole.size).toBe(3);
  });

  it('drops everything uncommitted on reset and does not commit an upload of the old epoch', async () => {
    const f = fakes();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const archiver = createArchiver(
      {
        ...f,
        store: {
          put: async (key, body) => {
            await gate;
            await f.store.put(key, body);
          },
        },
      },
      settings,
    );
    await archiver.accept(batch(0, 8), control); // 0-2 uploading, 3-5 queued, 6-7 open
    archiver.reset();
    release();
    await archiver.drain();
    expect(f.commits).toEqual([]);
    expect(archiver.bufferedBytes()).toBe(0);
  });

  it('waits for buffer space before taking a batch, heartbeating', async () => {
    const f = fakes();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const archiver = createArchiver(
      {
        ...f,
        store: {
          put: async (key, body) => {
            await gate;
            await f.store.put(key, body);
          },
        },
      },
      { ...settings, maxBufferedBytes: 100 },
    );
    await archiver.accept(batch(0, 3), control);
    let beats = 0;
    const second = archiver.accept(batch(3, 6), {
      heartbeat: async () => void beats++,
      isActive: () => true,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(beats).toBeGreaterThan(0);
    release();
    await second;
    await archiver.drain();
    expect(offsetsIn(f.objects)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  describe('within one batch', () => {
    // Objects of 3 records, each holding a deflate stream and a 4 KiB chunk while it is open or
    // being finished: a batch of 60 records opens 20 of them.
    const small = { ...settings, compressChunkBytes: 4096, maxBufferedBytes: 1 << 20 };
    const gated = (budget = small.maxBufferedBytes) => {
      const f = fakes();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let peak = 0;
      const archiver = createArchiver(
        {
          ...f,
          store: {
            put: async (key, body) => {
              await gate;
              await f.store.put(key, body);
            },
          },
          observer: { bufferedBytes: (bytes) => (peak = Math.max(peak, bytes)) },
        },
        { ...small, maxBufferedBytes: budget },
      );
      return { f, archiver, release, peak: () => peak };
    };

    it('waits between records, so a batch never takes the memory far past the budget', async () => {
      const { f, archiver, release, peak } = gated();
      let beats = 0;
      const taking = archiver.accept(batch(0, 60), {
        heartbeat: async () => void beats++,
        isActive: () => true,
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(beats).toBeGreaterThan(0);
      // One object opened past the budget at most: its stream, its chunk and one line.
      expect(peak()).toBeGreaterThan(small.maxBufferedBytes);
      expect(peak()).toBeLessThanOrEqual(small.maxBufferedBytes + GZIP_STREAM_BYTES + 4096 + 4096);
      release();
      await taking;
      await archiver.drain();
      expect(offsetsIn(f.objects)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(f.commits.at(-1)).toBe('tidemark.zeyos.contacts:2@60');
      expect(peak()).toBeLessThanOrEqual(small.maxBufferedBytes + GZIP_STREAM_BYTES + 4096 + 4096);
    });

    // A budget one open object fills: the batch waits until an upload is done, since zlib
    // finishing the closed objects alone frees too little.
    const tight = GZIP_STREAM_BYTES;

    it('a rejoin while it waits abandons the batch and commits nothing of the old epoch', async () => {
      const { f, archiver, release } = gated(tight);
      const taking = archiver.accept(batch(0, 60), control);
      await new Promise((resolve) => setTimeout(resolve, 20));
      archiver.reset();
      release();
      await expect(taking).rejects.toThrow(/abandoned/);
      await archiver.drain();
      expect(f.commits).toEqual([]);
    });

    it('a drain while it waits stops taking records; what is committed is contiguous', async () => {
      const { f, archiver, release } = gated(tight);
      const taking = archiver.accept(batch(0, 60), control);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const drained = archiver.drain();
      release();
      await taking;
      await drained;
      const offsets = offsetsIn(f.objects);
      expect(offsets.length).toBeGreaterThan(0);
      expect(offsets.length).toBeLessThan(60);
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i));
      expect(f.commits.at(-1)).toBe(`tidemark.zeyos.contacts:2@${offsets.length}`);
    });
  });

  it('flushes an idle object on tick', async () => {
    const f = fakes();
    let clock = 0;
    const archiver = createArchiver({ ...f, now: () => clock }, settings);
    await archiver.accept(batch(0, 2), control);
    archiver.tick(59_999);
    clock = 60_000;
    archiver.tick(60_000);
    await archiver.drain();
    expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@2']);
  });

  describe('transactional input', () => {
    // Records 0..2 then a commit marker at 3; records 4..6 then a marker at 7.
    const tx = (from: number, to: number, nextOffset: number) => ({
      ...batch(from, to),
      nextOffset: String(nextOffset),
    });
    const idle = { ...settings, maxRecords: 100, maxFileAgeMs: 10 };

    it('commits past a trailing marker when the partition holds nothing more', async () => {
      const f = fakes();
      let clock = 0;
      const archiver = createArchiver({ ...f, now: () => clock }, idle);
      await archiver.accept(tx(0, 3, 4), control);
      clock = 100;
      archiver.tick(clock);
      await archiver.drain();
      expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@4']);
      expect([...f.objects.keys()]).toEqual([expect.stringContaining('+00000000000000000000.')]);
    });

    it('keys the next object by the first record after the marker, however the commit fell', async () => {
      const f = fakes();
      let clock = 0;
      const archiver = createArchiver({ ...f, now: () => clock }, idle);
      await archiver.accept(tx(0, 3, 4), control);
      clock = 100;
      archiver.tick(clock);
      await archiver.accept({ ...tx(4, 7, 8), messages: batch(4, 7).messages }, control);
      clock = 200;
      archiver.tick(clock);
      await archiver.drain();
      // The first commit came while 4..6 were open, so it stopped at the marker (3); either way
      // the next object starts at the first record after it.
      expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@3', 'tidemark.zeyos.contacts:2@8']);
      expect([...f.objects.keys()].map((key) => key.split('+').at(-1))).toEqual([
        '00000000000000000000.jsonl.gz',
        '00000000000000000004.jsonl.gz',
      ]);
    });

    it('commits a skipped stretch (markers only) when nothing is held, not while an object is open', async () => {
      const f = fakes();
      let clock = 0;
      const archiver = createArchiver({ ...f, now: () => clock }, idle);
      await archiver.accept(batch(0, 3), control);
      // A marker-only fetch while the object is open: taken along by the object's commit.
      archiver.skipped({
        topic: 'tidemark.zeyos.contacts',
        partition: 2,
        firstOffset: '3',
        nextOffset: '4',
      });
      clock = 100;
      archiver.tick(clock);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@4']);
      // Then an aborted transaction and its marker, with nothing held: committed on its own.
      archiver.skipped({
        topic: 'tidemark.zeyos.contacts',
        partition: 2,
        firstOffset: '4',
        nextOffset: '9',
      });
      // A skip that does not continue from the position says nothing: ignored.
      archiver.skipped({
        topic: 'tidemark.zeyos.contacts',
        partition: 2,
        firstOffset: '20',
        nextOffset: '22',
      });
      await archiver.drain();
      expect(f.commits).toEqual(['tidemark.zeyos.contacts:2@4', 'tidemark.zeyos.contacts:2@9']);
    });

    it('forgets the position on a rebalance: a skip before the next batch commits nothing', async () => {
      const f = fakes();
      const archiver = createArchiver(f, idle);
      await archiver.accept(batch(0, 3), control);
      archiver.reset();
      archiver.skipped({
        topic: 'tidemark.zeyos.contacts',
        partition: 2,
        firstOffset: '3',
        nextOffset: '4',
      });
      await archiver.drain();
      expect(f.commits).toEqual([]);
    });
  });
});
