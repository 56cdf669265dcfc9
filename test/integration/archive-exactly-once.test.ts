/**
 * The archive end to end, with the BUILT sink under plain node: events on several topics and
 * partitions (and a few malformed records) land in S3 exactly once, the verifier proves it
 * against the committed offsets, ids match the ground truth, and replay publishes them back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { getObjectBytes } from '@tidemark/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createProducer, deleteTopics } from '@tidemark/kafka';
import {
  replayArchive,
  verifyArchiveAgainstKafka,
  readArchiveObject,
  listArchive,
} from '@tidemark/sink-s3-archive';
import { readTopic, testKafka, uniqueName } from '../support/kafka.js';
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
const run = uniqueName('archive');
const topics = ['a', 'b', 'c'].map((name) => `test.${run}.${name}`);
const replayTopic = `test.${run}-replay`;
const groupId = uniqueName('archive-group');
const prefix = `test-archive/${run}`;
const location = { client: s3, bucket, prefix };
const expectedIds = new Set<string>();
const malformed = 5;
let sink: SinkProcess | undefined;

beforeAll(async () => {
  await buildSink();
  await createTopics(kafka, [...topics, replayTopic], 3);
}, 180_000);

afterAll(async () => {
  await sink?.stop();
  await deleteTopics(kafka, [...topics, replayTopic]);
  await deletePrefix(s3, bucket, `${prefix}/`);
  s3.destroy();
});

describe('sink-s3-archive', () => {
  it('archives every event exactly once, malformed records as raw records, and the verifier is clean', async () => {
    const counts = [1200, 700, 400];
    for (const [index, topic] of topics.entries()) {
      // Event times across three hours, so objects rotate at hour boundaries too.
      const ids = await produceEvents(kafka, topic, counts[index] ?? 0, {
        changedAt: (n) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + n * 9_000).toISOString(),
      });
      for (const id of ids) expectedIds.add(id);
    }
    const producer = await createProducer(kafka);
    await producer.send(
      topics[0] ?? '',
      Array.from({ length: malformed }, (_, i) => ({
        key: `bad-${i}`,
        value: i % 2 === 0 ? '{not json' : null,
        headers: { 'x-note': 'malformed' },
      })),
    );
    await producer.close();

    sink = startSink(
      sinkEnv({
        groupId,
        pattern: `^test\\.${run.replace('-', '\\-')}\\.[a-c]$`,
        prefix,
        extra: { TIDEMARK_ARCHIVE_MAX_FILE_RECORDS: '150' },
      }),
    );
    await waitCaughtUp(kafka, groupId, topics, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${sink?.output.join('')}`);
    });

    const report = await verifyArchiveAgainstKafka(location, kafka, { groupId });
    expect(report.partitions.flatMap((p) => p.problems)).toEqual([]);
    expect(report.clean).toBe(true);
    expect(report.partitions).toHaveLength(9);
    // Ids, not counts: each produced id exactly once, nothing else.
    expect(new Set(report.ids.keys())).toEqual(expectedIds);
    expect([...report.ids.values()].every((n) => n === 1)).toBe(true);
    const raw = report.partitions.reduce((sum, p) => sum + p.rawRecords, 0);
    expect(raw).toBe(malformed);
    const total = Object.values(report.countsByDay)
      .flatMap((days) => Object.values(days))
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(expectedIds.size + malformed);

    // A raw record keeps what was on the topic.
    const objects = await listArchive(location, (topic) => topic === topics[0]);
    const lines = (
      await Promise.all(objects.map((o) => readArchiveObject(location, o.key)))
    ).flatMap((r) => r.lines);
    const raws = lines.filter((line) => line.tidemark_raw === true);
    expect(raws.map((line) => line.tidemark_kafka.key).sort()).toEqual([
      'bad-0',
      'bad-1',
      'bad-2',
      'bad-3',
      'bad-4',
    ]);
    expect(raws.every((line) => line.tidemark_kafka.headers['x-note'] === 'malformed')).toBe(true);
    expect(raws.find((line) => line.tidemark_kafka.key === 'bad-0')?.value_base64).toBe(
      Buffer.from('{not json').toString('base64'),
    );
    // Hourly layout by event time.
    expect(new Set(objects.map((o) => o.hour)).size).toBeGreaterThan(1);
  });

  it('replays a time range of archived events with their original ids', async () => {
    const from = Date.UTC(2024, 4, 1, 10, 0, 0);
    const to = from + 3_600_000; // the first hour: events n < 400 of every topic
    const producer = await createProducer(kafka);
    const result = await replayArchive(location, producer, {
      fromMs: from,
      toMs: to,
      targetTopic: replayTopic,
      topicFilter: (topic) => topics.includes(topic),
    });
    await producer.close();
    expect(result.published).toBe(400 * 3);
    const replayed = await readTopic(kafka, replayTopic, {
      count: result.published,
      timeoutMs: 30_000,
    });
    const ids = replayed.map((m) => m.headers['ce_id']?.toString());
    expect(new Set(ids).size).toBe(1200);
    for (const id of ids) expect(expectedIds.has(id ?? '')).toBe(true);
  });
});

describe('the archive read by a standard tool', () => {
  it('DuckDB read_json reads the .jsonl.gz objects as they are, Hive partitions included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-duckdb-'));
    try {
      for (const object of await listArchive(location)) {
        const path = join(dir, object.key.slice(prefix.length + 1));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, await getObjectBytes(s3, bucket, object.key));
      }
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const source = `read_json('${dir}/**/*.jsonl.gz', format = 'newline_delimited', hive_partitioning = true, union_by_name = true, sample_size = -1)`;
      const rows = (
        await connection.runAndReadAll(
          `SELECT id, type, "time", tidemark_raw, tidemark_kafka.topic AS topic, tidemark_kafka.offset AS "offset", CAST(dt AS VARCHAR) AS dt, hour FROM ${source}`,
        )
      ).getRowObjectsJS();
      const events = rows.filter((row) => row['tidemark_raw'] !== true);
      expect(new Set(events.map((row) => row['id']))).toEqual(expectedIds);
      expect(events).toHaveLength(expectedIds.size);
      expect(rows.filter((row) => row['tidemark_raw'] === true)).toHaveLength(malformed);
      const first = events.find((row) => row['topic'] === topics[1] && Number(row['offset']) >= 0);
      expect(first?.['type']).toBe('com.tidemark.zeyos.contacts.updated.v1');
      expect(first?.['dt']).toBe('2024-05-01');
      connection.closeSync();
      instance.closeSync();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Keeps the injected stack referenced for type checking of the provide() augmentation.
void inject;
