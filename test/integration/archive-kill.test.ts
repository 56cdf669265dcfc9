/**
 * kill -9 of the BUILT sink during uploads, again and again, restarting it each time: the
 * archive must still hold every produced event exactly once (ids compared with the ground truth)
 * and the verifier must be clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics } from '@tidemark/kafka';
import { listArchive, verifyArchiveAgainstKafka } from '@tidemark/sink-s3-archive';
import { testKafka, uniqueName } from '../support/kafka.js';
import { testS3 } from '../support/s3.js';
import {
  buildSink,
  createTopics,
  deletePrefix,
  produceEvents,
  sinkEnv,
  startSink,
  waitCaughtUp,
  type SinkProcess,
} from '../support/archive.js';

const kafka = testKafka();
const { client: s3, bucket } = testS3();
const run = uniqueName('archkill');
const topics = ['a', 'b'].map((name) => `test.${run}.${name}`);
const groupId = uniqueName('archive-kill');
const prefix = `test-archive/${run}`;
const location = { client: s3, bucket, prefix };
const kills = 10;
let sink: SinkProcess | undefined;

beforeAll(async () => {
  await buildSink();
  await createTopics(kafka, topics, 3);
}, 180_000);

afterAll(async () => {
  await sink?.stop();
  await deleteTopics(kafka, topics);
  await deletePrefix(s3, bucket, `${prefix}/`);
  s3.destroy();
});

async function objectCount(): Promise<number> {
  return (await listArchive(location)).length;
}

describe('sink-s3-archive under kill -9', () => {
  it(`stays exactly-once across ${kills} kills during uploads`, async () => {
    const expected = new Set<string>();
    const env = sinkEnv({
      groupId,
      pattern: `^test\\.${run}\\.[ab]$`,
      prefix,
      extra: {
        TIDEMARK_ARCHIVE_MAX_FILE_RECORDS: '60',
        TIDEMARK_ARCHIVE_SESSION_TIMEOUT_MS: '6000',
      },
    });
    let produced = 0;
    const produce = async (perTopic: number) => {
      for (const topic of topics) {
        for (const id of await produceEvents(kafka, topic, perTopic, { startAt: produced }))
          expected.add(id);
      }
      produced += perTopic;
    };
    await produce(2000);
    let killed = 0;
    for (let round = 0; round < kills; round++) {
      const before = await objectCount();
      sink = startSink(env);
      // Kill once this run has written something: uploads of the backlog are then under way.
      const deadline = Date.now() + 45_000;
      while ((await objectCount()) <= before) {
        if (Date.now() > deadline)
          throw new Error(`no upload within 45 s:\n${sink.output.join('')}`);
        if (sink.child.exitCode !== null) throw new Error(`sink exited:\n${sink.output.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 150)));
      await sink.kill9();
      killed += 1;
      await produce(300);
    }
    expect(killed).toBe(kills);

    sink = startSink(env);
    await waitCaughtUp(kafka, groupId, topics, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${sink?.output.join('')}`);
    });
    const report = await verifyArchiveAgainstKafka(location, kafka, { groupId });
    expect(report.partitions.flatMap((p) => p.problems)).toEqual([]);
    expect(report.clean).toBe(true);
    expect(new Set(report.ids.keys())).toEqual(expected);
    expect([...report.ids.values()].every((n) => n === 1)).toBe(true);
  }, 400_000);
});
