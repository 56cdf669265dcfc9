/**
 * The archive of a transactional topic, as the pollers write them: every transaction's commit
 * marker, and an aborted transaction's records and marker, take offsets no read_committed
 * consumer is given. The BUILT sink archives the committed events exactly once across a restart,
 * commits past the markers (so it catches up to the high watermark), and the verifier accepts
 * exactly the gaps Kafka proves hold no committed record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics } from '@tidemark/kafka';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { listArchive, verifyArchiveAgainstKafka } from '@tidemark/sink-s3-archive';
import { testKafka, uniqueName } from '../support/kafka.js';
import { testS3 } from '../support/s3.js';
import {
  buildSink,
  createTopics,
  deletePrefix,
  produceTransactions,
  sinkEnv,
  startSink,
  waitCaughtUp,
  type SinkProcess,
} from '../support/archive.js';

const kafka = testKafka();
const { client: s3, bucket } = testS3();
const run = uniqueName('archive-tx');
const topic = `test.${run}.tx`;
const groupId = uniqueName('archive-tx-group');
const prefix = `test-archive/${run}`;
const location = { client: s3, bucket, prefix };
const transactionalId = uniqueName('archive-tx-producer');
let sink: SinkProcess | undefined;

beforeAll(async () => {
  await buildSink();
  await createTopics(kafka, [topic], 3);
}, 180_000);

afterAll(async () => {
  await sink?.stop();
  await deleteTopics(kafka, [topic]);
  await deletePrefix(s3, bucket, `${prefix}/`);
  s3.destroy();
});

const startArchiving = () =>
  startSink(
    sinkEnv({
      groupId,
      pattern: `^test\\.${run.replaceAll('-', '\\-')}\\.tx$`,
      prefix,
      // Small objects, so rotation falls inside transactions and right after markers.
      extra: { TIDEMARK_ARCHIVE_MAX_FILE_RECORDS: '25' },
    }),
  );

const caughtUp = async () => {
  // Reaching the high watermark means the sink committed past the last markers too.
  await waitCaughtUp(kafka, groupId, [topic], 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${sink?.output.join('')}`);
  });
};

describe('sink-s3-archive on a transactional topic', () => {
  it('archives committed events exactly once, no aborted one, and verify accepts only marker gaps', async () => {
    const first = await produceTransactions(
      kafka,
      topic,
      [{ events: 60 }, { events: 45 }, { events: 30, abort: true }, { events: 70 }],
      { transactionalId },
    );
    sink = startArchiving();
    await caughtUp();
    // A restart resumes from offsets committed past markers: keys stay those of a first read.
    await sink.stop();
    const second = await produceTransactions(
      kafka,
      topic,
      [{ events: 1 }, { events: 55 }, { events: 20, abort: true }, { events: 40 }, { events: 3 }],
      { transactionalId, startAt: 1_000 },
    );
    // The last transaction aborted: its records and marker are all the partition's tail.
    const tail = await produceTransactions(kafka, topic, [{ events: 12, abort: true }], {
      transactionalId,
      startAt: 2_000,
    });
    sink = startArchiving();
    await caughtUp();

    const committed = new Set([...first.committed, ...second.committed]);
    const aborted = [...first.aborted, ...second.aborted, ...tail.aborted];
    expect(committed.size).toBe(60 + 45 + 70 + 1 + 55 + 40 + 3);
    expect(aborted).toHaveLength(30 + 20 + 12);

    const report = await verifyArchiveAgainstKafka(location, kafka, { groupId });
    expect(report.partitions.flatMap((p) => p.problems)).toEqual([]);
    expect(report.clean).toBe(true);
    expect(report.partitions).toHaveLength(3);
    // Ids, not counts: every committed id exactly once, no aborted id, nothing else.
    expect(new Set(report.ids.keys())).toEqual(committed);
    expect([...report.ids.values()].every((n) => n === 1)).toBe(true);
    for (const id of aborted) expect(report.ids.has(id)).toBe(false);
    // Gaps were there and explained: at least one commit marker per transaction and partition
    // it touched, plus the aborted records and their markers.
    const skipped = report.partitions.reduce((sum, p) => sum + p.skippedOffsets, 0);
    expect(skipped).toBeGreaterThanOrEqual(aborted.length + 9);
    expect(report.partitions.every((p) => p.committed !== undefined)).toBe(true);

    // Without asking Kafka the same archive shows those offsets as gaps: the probe decides.
    const unprobed = await verifyArchiveAgainstKafka(location, kafka, {
      groupId,
      probeGaps: false,
    });
    expect(unprobed.clean).toBe(false);
    expect(
      unprobed.partitions
        .flatMap((p) => p.problems)
        .every((p) => p.kind === 'gap' || p.kind === 'behind-committed'),
    ).toBe(true);
  });

  it('reports a lost object as a gap with the committed records Kafka still holds in it', async () => {
    // One from the middle of partition 0, so archived records lie on both sides of the hole.
    const inPartition = (await listArchive(location))
      .filter((object) => object.partition === 0)
      .sort((a, b) => Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)));
    expect(inPartition.length).toBeGreaterThan(2);
    const victim = inPartition[Math.floor(inPartition.length / 2)];
    expect(victim).toBeDefined();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: victim?.key ?? '' }));
    const report = await verifyArchiveAgainstKafka(location, kafka, { groupId });
    expect(report.clean).toBe(false);
    const problems = report.partitions.flatMap((p) => p.problems);
    expect(problems).toHaveLength(1);
    const [gap] = problems;
    expect(gap?.kind).toBe('gap');
    expect(gap?.kind === 'gap' ? gap.committedRecords : undefined).toBeGreaterThan(0);
  });
});
