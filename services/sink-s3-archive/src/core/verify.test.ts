import { describe, expect, it } from 'vitest';
import { gapsToProbe, verifyArchive, type ObjectSummary, type PartitionFacts } from './verify.js';

function object(partition: number, offsets: number[], day = '2024-05-01'): ObjectSummary {
  return {
    key: `k${partition}-${offsets[0] ?? 0}`,
    topic: 't',
    partition,
    firstOffset: BigInt(offsets[0] ?? 0),
    offsets: offsets.map(BigInt),
    day,
    records: offsets.length,
    rawRecords: 0,
    badLines: 0,
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('verifyArchive', () => {
  it('is clean for contiguous objects up to the committed offset, counting per day', () => {
    const report = verifyArchive(
      [object(0, range(3, 6), '2024-05-02'), object(0, range(0, 3))],
      new Map([['t:0', { committed: 6n, logStart: 0n }]]),
    );
    expect(report.clean).toBe(true);
    expect(report.countsByDay).toEqual({ t: { '2024-05-01': 3, '2024-05-02': 3 } });
    expect(report.partitions[0]).toMatchObject({
      records: 6,
      firstOffset: '0',
      lastOffset: '5',
      committed: '6',
    });
  });

  it('allows the one object past the committed offset', () => {
    const report = verifyArchive(
      [object(0, range(0, 3)), object(0, range(3, 5))],
      new Map([['t:0', { committed: 3n }]]),
    );
    expect(report.clean).toBe(true);
    expect(report.partitions[0]?.uncommittedRecords).toBe(2);
  });

  it.each([
    [
      'a gap between objects',
      [object(0, range(0, 3)), object(0, range(4, 6))],
      { committed: 6n },
      'gap',
    ],
    ['a gap at the start', [object(0, range(2, 4))], { committed: 4n, logStart: 0n }, 'gap'],
    ['an overlap', [object(0, range(0, 3)), object(0, range(2, 5))], { committed: 5n }, 'overlap'],
    [
      'an archive behind the committed offset',
      [object(0, range(0, 3))],
      { committed: 5n },
      'behind-committed',
    ],
    ['no objects but a committed offset', [], { committed: 5n, logStart: 0n }, 'behind-committed'],
  ])('reports %s', (_name, objects, facts, kind) => {
    const report = verifyArchive(objects, new Map([['t:0', facts]]));
    expect(report.clean).toBe(false);
    expect(report.partitions[0]?.problems.map((problem) => problem.kind)).toContain(kind);
  });

  it('accepts a log start past the archived start (retention) and past the committed offset', () => {
    expect(
      verifyArchive([object(0, range(0, 3))], new Map([['t:0', { committed: 3n, logStart: 2n }]]))
        .clean,
    ).toBe(true);
    expect(verifyArchive([], new Map([['t:0', { committed: 3n, logStart: 3n }]])).clean).toBe(true);
  });

  describe('transactional topics: gaps Kafka explains', () => {
    // Three transactions of 3 records, each followed by its commit marker (3, 7, 11), and an
    // aborted transaction of two records plus its abort marker (12..14) at the end.
    const objects = [object(0, [0, 1, 2, 4, 5]), object(0, [6, 8, 9, 10])];
    const base: PartitionFacts = { committed: 15n, logStart: 0n };

    it('finds every gap and the stretch up to the committed offset, to ask Kafka about', () => {
      expect(gapsToProbe(objects, new Map([['t:0', base]]))).toEqual(
        new Map([
          [
            't:0',
            [
              { from: 3n, to: 3n },
              { from: 7n, to: 7n },
              { from: 11n, to: 14n },
            ],
          ],
        ]),
      );
    });

    it('accepts gaps in which Kafka delivers no record, counting them as skipped', () => {
      const facts = new Map([['t:0', base]]);
      const ranges = gapsToProbe(objects, facts).get('t:0') ?? [];
      const report = verifyArchive(
        objects,
        new Map([['t:0', { ...base, probed: { ranges, delivered: [] } }]]),
      );
      expect(report.partitions[0]?.problems).toEqual([]);
      expect(report.partitions[0]?.skippedOffsets).toBe(6);
      expect(report.clean).toBe(true);
    });

    it('reports a probed gap that holds a committed record, with the count', () => {
      const ranges = gapsToProbe(objects, new Map([['t:0', base]])).get('t:0') ?? [];
      const report = verifyArchive(
        objects,
        new Map([['t:0', { ...base, probed: { ranges, delivered: [7n, 12n] } }]]),
      );
      expect(report.clean).toBe(false);
      expect(report.partitions[0]?.problems).toEqual([
        { kind: 'gap', from: '7', to: '7', committedRecords: 1 },
        { kind: 'behind-committed', archivedUpTo: '11', committed: '15', committedRecords: 1 },
      ]);
      expect(report.partitions[0]?.skippedOffsets).toBe(1);
    });

    it('reports a gap no probe covered', () => {
      const report = verifyArchive(
        objects,
        new Map([['t:0', { ...base, probed: { ranges: [{ from: 3n, to: 3n }], delivered: [] } }]]),
      );
      expect(
        report.partitions[0]?.problems.map((p) => [p.kind, 'from' in p ? p.from : '']),
      ).toEqual([
        ['gap', '7'],
        ['behind-committed', ''],
      ]);
    });
  });
});
