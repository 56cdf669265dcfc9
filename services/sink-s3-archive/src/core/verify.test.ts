import { describe, expect, it } from 'vitest';
import { verifyArchive, type ObjectSummary } from './verify.js';

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
});
