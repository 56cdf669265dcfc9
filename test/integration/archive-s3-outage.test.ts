/**
 * The S3 server stopped for 30 s while the BUILT sink archives: uploads are retried with
 * backoff, consumption pauses within the memory budget, /readyz reports it, and once S3 is back
 * everything lands exactly once. Runs against a second S3Proxy of its own (own port and state
 * folder), so other test files keep their S3 server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics } from '@tidemark/kafka';
import {
  DEFAULT_COMPRESS_CHUNK_BYTES,
  GZIP_STREAM_BYTES,
  verifyArchiveAgainstKafka,
} from '@tidemark/sink-s3-archive';
import { testKafka, uniqueName } from '../support/kafka.js';
import {
  buildSink,
  createTopics,
  produceEvents,
  secondS3,
  sinkEnv,
  startSink,
  waitCaughtUp,
  type SinkProcess,
} from '../support/archive.js';

const kafka = testKafka();
const run = uniqueName('archout');
const topics = [`test.${run}.a`];
const groupId = uniqueName('archive-outage');
const prefix = `test-archive/${run}`;
const s3Port = 19_100 + Math.floor(Math.random() * 400);
const httpPort = 19_600 + Math.floor(Math.random() * 300);
const server = secondS3(s3Port);
const bufferLimit = 2 * 1024 * 1024;
let sink: SinkProcess | undefined;

beforeAll(async () => {
  await Promise.all([buildSink(), server.start(), createTopics(kafka, topics, 3)]);
}, 300_000);

afterAll(async () => {
  await sink?.stop();
  await deleteTopics(kafka, topics);
  await server.destroy();
});

async function probe(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${httpPort}${path}`);
  return { status: response.status, text: await response.text() };
}

function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('sink-s3-archive with S3 down for 30 s', () => {
  it('retries, pauses within its memory budget, and loses nothing', async () => {
    const expected = new Set<string>();
    for (const id of await produceEvents(kafka, topics[0] ?? '', 1500)) expected.add(id);
    sink = startSink(
      sinkEnv({
        groupId,
        pattern: `^test\\.${run}\\.a$`,
        prefix,
        s3Endpoint: server.endpoint,
        extra: {
          TIDEMARK_HTTP_PORT: String(httpPort),
          TIDEMARK_ARCHIVE_MAX_FILE_RECORDS: '100',
          TIDEMARK_ARCHIVE_MAX_BUFFERED_BYTES: String(bufferLimit),
        },
      }),
    );
    await waitCaughtUp(kafka, groupId, topics, 60_000);
    expect((await probe('/readyz')).status).toBe(200);

    await server.stop();
    const outageEnds = Date.now() + 30_000;
    // 8 000 more events (~8 MiB of lines) while S3 is down: more than the budget holds.
    for (const id of await produceEvents(kafka, topics[0] ?? '', 8000, { startAt: 1500 }))
      expected.add(id);
    let peakBuffered = 0;
    let sawNotReady = false;
    while (Date.now() < outageEnds) {
      const metrics = await probe('/metrics');
      peakBuffered = Math.max(
        peakBuffered,
        metric(metrics.text, 'tidemark_archive_buffered_bytes'),
      );
      if ((await probe('/readyz')).status === 503) sawNotReady = true;
      expect(sink.child.exitCode).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const during = await probe('/metrics');
    expect(metric(during.text, 'tidemark_archive_upload_failures_total')).toBeGreaterThan(0);
    expect(sawNotReady).toBe(true);
    // The budget is checked before each record: past it, at most one object opened by each of
    // the 3 partitions handled at once (its deflate stream, its first chunk, a line or two).
    const perPartition = GZIP_STREAM_BYTES + DEFAULT_COMPRESS_CHUNK_BYTES + 64 * 1024;
    expect(peakBuffered).toBeGreaterThan(0);
    expect(peakBuffered).toBeLessThanOrEqual(bufferLimit + 3 * perPartition);

    await server.start();
    await waitCaughtUp(kafka, groupId, topics, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${sink?.output.join('')}`);
    });
    const s3 = server.client();
    try {
      const report = await verifyArchiveAgainstKafka(
        { client: s3, bucket: 'tidemark-archive', prefix },
        kafka,
        {
          groupId,
        },
      );
      expect(report.partitions.flatMap((p) => p.problems)).toEqual([]);
      expect(report.clean).toBe(true);
      expect(new Set(report.ids.keys())).toEqual(expected);
      expect([...report.ids.values()].every((n) => n === 1)).toBe(true);
    } finally {
      s3.destroy();
    }
    expect((await probe('/readyz')).status).toBe(200);
  }, 300_000);
});
