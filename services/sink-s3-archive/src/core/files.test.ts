import { describe, expect, it } from 'vitest';
import { PartitionFile, type ClosedFile } from './files.js';
import type { EncodedRecord } from './record.js';

const hour = 3_600_000;
function record(offset: number, hourIndex = 0, bytes = 10, raw = false): EncodedRecord {
  return { offset: String(offset), line: Buffer.alloc(bytes, 0x61), hourMs: hourIndex * hour, raw };
}
function spans(files: ClosedFile[]) {
  return files.map((file) => `${file.firstOffset}-${file.lastOffset}`);
}

describe('PartitionFile rotation', () => {
  it('closes at the record limit', () => {
    const file = new PartitionFile('t', 0, 'p', { maxRecords: 3, maxBytes: 1000 });
    const closed = [0, 1, 2, 3, 4, 5, 6].flatMap((offset) => file.append(record(offset), 0));
    expect(spans(closed)).toEqual(['0-2', '3-5']);
    expect(closed[0]?.nextOffset).toBe('3');
    expect(file.bufferedBytes).toBe(10);
  });

  it('starts a new object when the event-time hour changes', () => {
    const file = new PartitionFile('t', 0, 'p', { maxRecords: 100, maxBytes: 1000 });
    const closed = [record(0, 0), record(1, 0), record(2, 1), record(3, 0)].flatMap((r) =>
      file.append(r, 0),
    );
    expect(spans(closed)).toEqual(['0-1', '2-2']);
    expect(closed[1]?.key).toContain('/hour=01/t+0+00000000000000000002.jsonl.gz');
  });

  it('closes before a record that would pass the byte limit; a huge record gets its own object', () => {
    const file = new PartitionFile('t', 0, 'p', { maxRecords: 100, maxBytes: 25 });
    const closed = [record(0), record(1), record(2), record(3, 0, 100), record(4)].flatMap((r) =>
      file.append(r, 0),
    );
    expect(spans(closed)).toEqual(['0-1', '2-2', '3-3']);
  });

  it('counts raw records like any other', () => {
    const file = new PartitionFile('t', 0, 'p', { maxRecords: 2, maxBytes: 1000 });
    const closed = [record(0, 0, 10, true), record(1)].flatMap((r) => file.append(r, 0));
    expect(closed[0]).toMatchObject({ records: 2, rawRecords: 1 });
  });

  it('gives the same objects for the same records whatever the clock says', () => {
    const run = (clock: (i: number) => number) => {
      const file = new PartitionFile('t', 0, 'p', { maxRecords: 4, maxBytes: 35 });
      return spans(
        Array.from({ length: 30 }, (_, i) => record(i, Math.floor(i / 7), 5 + (i % 4) * 3)).flatMap(
          (r, i) => file.append(r, clock(i)),
        ),
      );
    };
    expect(run((i) => i * 1000)).toEqual(run(() => 0));
  });

  it('flushes an idle object after the maximum age, and drops on revoke', () => {
    const file = new PartitionFile('t', 0, 'p', { maxRecords: 100, maxBytes: 1000 });
    file.append(record(0), 1_000);
    expect(file.flushIfOlder(1_500, 1_000)).toBeUndefined();
    expect(file.flushIfOlder(2_000, 1_000)?.records).toBe(1);
    file.append(record(1), 3_000);
    expect(file.drop()).toBe(10);
    expect(file.flushIfOlder(99_000, 1_000)).toBeUndefined();
  });
});
