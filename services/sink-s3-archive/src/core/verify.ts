/**
 * The archive's proof, as a pure function of what was read: per topic-partition, the archived
 * offsets must run without a gap and without an overlap from the partition's first retained
 * offset up to the group's committed offset. Objects past the committed offset are allowed
 * (the one object written but not yet committed; a restart rewrites it under the same key).
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
}

export type Problem =
  | { kind: 'gap'; from: string; to: string }
  | { kind: 'overlap'; key: string; offset: string }
  | { kind: 'order'; key: string; detail: string }
  | { kind: 'bad-lines'; key: string; count: number }
  | { kind: 'behind-committed'; archivedUpTo: string; committed: string };

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
          problems.push({ kind: 'gap', from: expected.toString(), to: (offset - 1n).toString() });
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
        problems.push({
          kind: 'behind-committed',
          archivedUpTo: archivedUpTo.toString(),
          committed: fact.committed.toString(),
        });
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
      problems,
    });
  }
  return {
    clean: partitions.every((partition) => partition.problems.length === 0),
    partitions,
    countsByDay,
  };
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
