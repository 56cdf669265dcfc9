import { randomUUID } from 'node:crypto';
import { TidemarkError } from '@tidemark/errors';
import type { KafkaClient } from './client.js';
import { toKafkaError } from './errors.js';

/** Offsets `from`..`to` (both inclusive, decimal strings) of one topic-partition. */
export interface OffsetRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

export interface CommittedProbeOptions {
  /** Overall deadline of the probe. Default 120 000 ms. */
  timeoutMs?: number;
}

/**
 * Which offsets within `ranges` hold records a read_committed consumer is given: committed
 * transactional records and non-transactional ones. Offsets that are not delivered hold
 * transaction markers (commit/abort control records) or records of aborted transactions —
 * or nothing, where compaction or retention removed them. Returns, per `topic:partition`, the
 * delivered offsets inside the ranges, ascending.
 *
 * One read_committed consumer in a throwaway group (it commits nothing and is deleted after)
 * seeks each partition once, to its first range, and reads through to its last: a partition's
 * many small ranges (one per transaction, typically) cost one sequential read, not one seek each.
 * Ranges are clipped to the partition's high watermark; nothing lives past it.
 */
export async function committedOffsetsIn(
  client: KafkaClient,
  ranges: readonly OffsetRange[],
  options: CommittedProbeOptions = {},
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const byPartition = new Map<string, { topic: string; partition: number; spans: Span[] }>();
  for (const range of ranges) {
    const from = BigInt(range.from);
    const to = BigInt(range.to);
    if (to < from) continue;
    const id = `${range.topic}:${range.partition}`;
    const entry = byPartition.get(id) ?? {
      topic: range.topic,
      partition: range.partition,
      spans: [],
    };
    entry.spans.push({ from, to });
    byPartition.set(id, entry);
    found.set(id, []);
  }
  if (byPartition.size === 0) return found;

  const topics = [...new Set([...byPartition.values()].map((entry) => entry.topic))];
  const admin = client.kafka.admin();
  const groupId = `tidemark-probe-${randomUUID()}`;
  /** Per partition still to read: where to start, and the offset that ends the read. */
  const pending = new Map<string, { start: bigint; end: bigint; spans: Span[]; cursor: number }>();
  try {
    await admin.connect();
    for (const topic of topics) {
      for (const entry of await admin.fetchTopicOffsets(topic)) {
        const id = `${topic}:${entry.partition}`;
        const wanted = byPartition.get(id);
        if (wanted === undefined) continue;
        const high = BigInt(entry.high);
        const spans = wanted.spans
          .map((span) => ({ from: span.from, to: span.to < high ? span.to : high - 1n }))
          .filter((span) => span.from <= span.to)
          .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
        const first = spans[0];
        const last = spans.at(-1);
        if (first === undefined || last === undefined) continue;
        pending.set(id, { start: first.from, end: last.to, spans, cursor: 0 });
      }
    }
    if (pending.size === 0) return found;

    const consumer = client.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const advance = (topic: string, partition: number, lastOffset: string) => {
      const id = `${topic}:${partition}`;
      const state = pending.get(id);
      if (state !== undefined && BigInt(lastOffset) >= state.end) pending.delete(id);
      if (pending.size === 0) finish();
    };
    // Every batch that moves the position ends here, also those whose records were all
    // filtered (markers, aborted records), which never reach eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      advance(event.payload.topic, event.payload.partition, event.payload.lastOffset);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const id = `${batch.topic}:${batch.partition}`;
          const state = pending.get(id);
          const offsets = found.get(id);
          if (state === undefined || offsets === undefined) return;
          // Offsets ascend, so one cursor walks the sorted spans: linear in records + spans.
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset > state.end) break;
            let span = state.spans[state.cursor];
            while (span !== undefined && span.to < offset) span = state.spans[++state.cursor];
            if (span !== undefined && offset >= span.from) offsets.push(message.offset);
          }
        },
      });
      for (const [id, state] of pending) {
        const separator = id.lastIndexOf(':');
        consumer.seek({
          topic: id.slice(0, separator),
          partition: Number(id.slice(separator + 1)),
          offset: state.start.toString(),
        });
      }
      const timeoutMs = options.timeoutMs ?? 120_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        throw new TidemarkError(
          'KAFKA_TRANSIENT',
          `probe of committed offsets not done after ${timeoutMs} ms (${pending.size} partitions left)`,
          { retryable: true, details: { partitions: [...pending.keys()] } },
        );
      }
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    // The group never committed; delete it so it does not linger in the group list.
    await admin.deleteGroups([groupId]).catch(() => undefined);
  } catch (error) {
    throw toKafkaError(error, 'probe committed offsets');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return found;
}

interface Span {
  from: bigint;
  to: bigint;
}
