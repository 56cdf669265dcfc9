/**
 * The archive's proof, as a pure function of what was read: per topic-partition, the archived
 * offsets must run without a gap and without an overlap from the partition's first retained
 * offset up to the group's committed offset. Objects past the committed offset are allowed
 * (the one object written but not yet committed; a restart rewrites it under the same key).
 *
 * Transactional topics hold offsets no read_committed consumer is given: each transaction's
 * commit or abort marker, and the records of aborted transactions. So the proof runs in two
 * passes: the first finds the gaps (`gapsToProbe`), Kafka is asked which offsets inside them a
 * read_committed consumer gets (`PartitionFacts.probed`), and the second accepts a gap only when
 * it was probed and holds none — anything else stays a problem.
 */

/** What one object held, as read back. */
export interface ObjectSummary {
  key: string;
  topic: string;
  partition: number;
  /** From the key. */
  firstOffset: bigint;
  /** Offsets of its lines, in file order. */
  offsets: bigint[];
  /** `YYYY-MM-DD` from the key. */
  day: string;
  records: number;
  rawRecords: number;
  /** Lines that did not parse as archive lines. */
  badLines: number;
}

export interface PartitionFacts {
  /** Next offset committed by the sink's group; undefined when the group has none. */
  committed?: bigint | undefined;
  /** Earliest offset still in Kafka (the log start); undefined when unknown. */
  logStart?: bigint | undefined;
  /**
   * What Kafka said about offset ranges (inclusive) of this partition: the offsets in them that a
   * read_committed consumer is given. A gap inside a probed range with none of these is made of
   * transaction markers and aborted records; a gap not probed is a problem.
   */
  probed?: { ranges: readonly OffsetRange[]; delivered: readonly bigint[] } | undefined;
}

/** Offsets `from`..`to`, both inclusive. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

export type Problem =
  /** `committedRecords`: records Kafka delivers inside the gap, when it was probed. */
  | { kind: 'gap'; from: string; to: string; committedRecords?: number }
  | { kind: 'overlap'; key: string; offset: string }
  | { kind: 'order'; key: string; detail: string }
  | { kind: 'bad-lines'; key: string; count: number }
  | {
      kind: 'behind-committed';
      archivedUpTo: string;
      committed: string;
      committedRecords?: number;
    };

export interface PartitionReport {
  topic: string;
  partition: number;
  objects: number;
  records: number;
  rawRecords: number;
  firstOffset: string | undefined;
  lastOffset: string | undefined;
  committed: string | undefined;
  /** Records archived at or past the committed offset (written, not yet committed). */
  uncommittedRecords: number;
  /**
   * Offsets between archived records that Kafka showed hold no committed record: transaction
   * markers and aborted records. Not gaps.
   */
  skippedOffsets: number;
  problems: Problem[];
}

export interface VerifyReport {
  clean: boolean;
  partitions: PartitionReport[];
  /** topic → day → records. */
  countsByDay: Record<string, Record<string, number>>;
}

export function verifyArchive(
  objects: readonly ObjectSummary[],
  facts: ReadonlyMap<string, PartitionFacts>,
): VerifyReport {
  const byPartition = new Map<string, ObjectSummary[]>();
  const countsByDay: Record<string, Record<string, number>> = {};
  for (const object of objects) {
    const id = `${object.topic}:${object.partition}`;
    const list = byPartition.get(id) ?? [];
    list.push(object);
    byPartition.set(id, list);
    const days = (countsByDay[object.topic] ??= {});
    days[object.day] = (days[object.day] ?? 0) + object.records;
  }
  for (const id of facts.keys()) if (!byPartition.has(id)) byPartition.set(id, []);

  const partitions: PartitionReport[] = [];
  for (const [id, list] of [...byPartition.entries()].sort(([a], [b]) => compareIds(a, b))) {
    const separator = id.lastIndexOf(':');
    const topic = id.slice(0, separator);
    const partition = Number(id.slice(separator + 1));
    const fact = facts.get(id) ?? {};
    list.sort((a, b) =>
      a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
    );
    const problems: Problem[] = [];
    let expected: bigint | undefined = fact.logStart;
    let records = 0;
    let rawRecords = 0;
    let uncommittedRecords = 0;
    let skippedOffsets = 0;
    /** Records Kafka delivers in `from..to` (undefined: not probed); counts explained offsets. */
    const probedRanges = [...(fact.probed?.ranges ?? [])].sort((a, b) =>
      a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
    );
    const explain = (from: bigint, to: bigint): number | undefined => {
      const found =
        fact.probed === undefined || !covers(probedRanges, from, to)
          ? undefined
          : countBetween(fact.probed.delivered, from, to);
      if (found === 0) skippedOffsets += Number(to - from + 1n);
      return found;
    };
    let first: bigint | undefined;
    let last: bigint | undefined;
    for (const object of list) {
      records += object.records;
      rawRecords += object.rawRecords;
      if (object.badLines > 0)
        problems.push({ kind: 'bad-lines', key: object.key, count: object.badLines });
      if (object.offsets[0] !== object.firstOffset) {
        problems.push({
          kind: 'order',
          key: object.key,
          detail: 'first line is not the key offset',
        });
      }
      for (const offset of object.offsets) {
        if (fact.committed !== undefined && offset >= fact.committed) uncommittedRecords += 1;
        if (last !== undefined && offset <= last) {
          problems.push({ kind: 'overlap', key: object.key, offset: offset.toString() });
          continue;
        }
        if (expected !== undefined && offset > expected) {
          const found = explain(expected, offset - 1n);
          if (found !== 0) {
            problems.push({
              kind: 'gap',
              from: expected.toString(),
              to: (offset - 1n).toString(),
              ...(found === undefined ? {} : { committedRecords: found }),
            });
          }
        }
        first ??= offset;
        last = offset;
        expected = offset + 1n;
      }
    }
    if (fact.committed !== undefined && (expected ?? fact.logStart ?? 0n) < fact.committed) {
      const archivedUpTo = expected ?? fact.logStart ?? 0n;
      // Nothing to archive below a log start past the committed offset (retention took it).
      if (fact.logStart === undefined || fact.logStart < fact.committed) {
        // The sink commits past trailing markers when it holds nothing: fine if Kafka agrees.
        const found = explain(archivedUpTo, fact.committed - 1n);
        if (found !== 0) {
          problems.push({
            kind: 'behind-committed',
            archivedUpTo: archivedUpTo.toString(),
            committed: fact.committed.toString(),
            ...(found === undefined ? {} : { committedRecords: found }),
          });
        }
      }
    }
    partitions.push({
      topic,
      partition,
      objects: list.length,
      records,
      rawRecords,
      firstOffset: first?.toString(),
      lastOffset: last?.toString(),
      committed: fact.committed?.toString(),
      uncommittedRecords,
      skippedOffsets,
      problems,
    });
  }
  return {
    clean: partitions.every((partition) => partition.problems.length === 0),
    partitions,
    countsByDay,
  };
}

/**
 * The first pass: per `topic:partition`, the offset ranges to ask Kafka about — every gap, and
 * the stretch between the last archived offset and a committed offset past it. Facts passed in
 * should not hold `probed` yet.
 */
export function gapsToProbe(
  objects: readonly ObjectSummary[],
  facts: ReadonlyMap<string, PartitionFacts>,
): Map<string, OffsetRange[]> {
  const gaps = new Map<string, OffsetRange[]>();
  for (const partition of verifyArchive(objects, facts).partitions) {
    const ranges: OffsetRange[] = [];
    for (const problem of partition.problems) {
      if (problem.kind === 'gap')
        ranges.push({ from: BigInt(problem.from), to: BigInt(problem.to) });
      else if (problem.kind === 'behind-committed')
        ranges.push({ from: BigInt(problem.archivedUpTo), to: BigInt(problem.committed) - 1n });
    }
    if (ranges.length > 0) gaps.set(`${partition.topic}:${partition.partition}`, ranges);
  }
  return gaps;
}

/** Whether one of `sorted` (by `from`, disjoint) holds all of `from..to`: binary search. */
function covers(sorted: readonly OffsetRange[], from: bigint, to: bigint): boolean {
  const index = firstIndex(sorted.length, (i) => (sorted[i]?.from ?? 0n) > from) - 1;
  const range = sorted[index];
  return range !== undefined && to <= range.to;
}

/** How many of the ascending `offsets` lie in `from..to`: binary search, then count. */
function countBetween(offsets: readonly bigint[], from: bigint, to: bigint): number {
  const start = firstIndex(offsets.length, (i) => (offsets[i] ?? 0n) >= from);
  const end = firstIndex(offsets.length, (i) => (offsets[i] ?? 0n) > to);
  return end - start;
}

/** The first index in 0..length where the monotone `test` holds (length when nowhere). */
function firstIndex(length: number, test: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function compareIds(a: string, b: string): number {
  const [topicA = '', partA = '0'] = splitId(a);
  const [topicB = '', partB = '0'] = splitId(b);
  if (topicA !== topicB) return topicA < topicB ? -1 : 1;
  return Number(partA) - Number(partB);
}

function splitId(id: string): [string, string] {
  const separator = id.lastIndexOf(':');
  return [id.slice(0, separator), id.slice(separator + 1)];
}
