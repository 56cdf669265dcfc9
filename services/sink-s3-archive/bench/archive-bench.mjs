// Benchmark: events/s archived for 1 KB events and peak RSS, next to a plain consume of the same
// topic in the same run. Each phase runs in its own node process (so peak RSS is its own), on the
// local stack (tidemark up --keep, or infra/up). Run: npm run bench -w services/sink-s3-archive
// Knobs: BENCH_EVENTS (default 200000), BENCH_PARTITIONS (3), BENCH_MAX_BUFFERED_BYTES (128 MiB),
// BENCH_MAX_FILE_BYTES (32 MiB), BENCH_GZIP_LEVEL (3, the sink's default), BENCH_NODE_ARGS (node flags of the phases).
/* global process, console, setTimeout, setInterval, clearInterval, performance */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { localStack } from '@tidemark/config';
import { buildChangeEvent, encodeEvent } from '@tidemark/events';
import {
  createConsumer,
  createKafkaClient,
  createProducer,
  deleteTopics,
  ensureTopics,
} from '@tidemark/kafka';
import { createS3Client, putObject } from '@tidemark/s3';
import { createArchiver } from '../dist/index.js';

const stack = localStack(process.env);
const events = Number(process.env.BENCH_EVENTS ?? 200_000);
const partitions = Number(process.env.BENCH_PARTITIONS ?? 3);
const mib = 1024 * 1024;
/** The sink's fetch defaults (src/config.ts); BENCH_FETCH=kafkajs for kafkajs's own. */
const fetch =
  process.env.BENCH_FETCH === 'kafkajs'
    ? {}
    : {
        maxBytesPerPartition: Number(process.env.BENCH_FETCH_PARTITION_BYTES ?? 4 * 1024 * 1024),
        maxBytes: Number(process.env.BENCH_FETCH_BYTES ?? 16 * 1024 * 1024),
      };
const settings = {
  prefix: `bench/${randomUUID().slice(0, 8)}`,
  maxRecords: 100_000,
  maxBytes: Number(process.env.BENCH_MAX_FILE_BYTES ?? 32 * mib),
  maxFileAgeMs: 500,
  maxBufferedBytes: Number(process.env.BENCH_MAX_BUFFERED_BYTES ?? 128 * mib),
  gzipLevel: Number(process.env.BENCH_GZIP_LEVEL ?? 3),
};

/** Peak resident set size of this process so far (Linux VmHWM), in MiB. */
function peakRssMiB() {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss / mib;
}

async function produce(client, topic) {
  const event = buildChangeEvent(
    {
      op: 'update',
      system: 'zeyos',
      instance: 'bench',
      entityType: 'contacts',
      entityId: '1',
      after: { name: 'Zoë Müller', note: 'x'.repeat(560) },
      changedAt: '2024-05-01T12:34:56Z',
      version: '1',
    },
    {
      correlationId: 'bench',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  );
  const encoded = encodeEvent(event);
  const size =
    encoded.value.length +
    Object.entries(encoded.headers).reduce((s, [k, v]) => s + k.length + v.length, 0);
  const producer = await createProducer(client);
  const chunk = 2000;
  for (let start = 0; start < events; start += chunk) {
    const messages = [];
    for (let i = start; i < Math.min(events, start + chunk); i++) {
      messages.push({
        key: String(i % 1000),
        value: encoded.value,
        headers: { ...encoded.headers, ce_id: randomUUID() },
      });
    }
    await producer.send(topic, messages);
  }
  await producer.close();
  return size;
}

async function phase(kind, topic) {
  const client = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'bench' });
  const consumer = await createConsumer(client, {
    groupId: `bench-${kind}-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    partitionsConsumedConcurrently: partitions,
    // The same fetch sizing in both phases, so the baseline is the same consumer.
    fetch,
  });
  let started;
  /** CPU time of the whole process (all threads: zlib runs on the thread pool) from the start. */
  let cpuAtStart;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  let counted = 0;
  let result = {};
  if (kind === 'consume') {
    await consumer.runEachBatch(async (batch) => {
      started ??= performance.now();
      cpuAtStart ??= process.cpuUsage();
      counted += batch.messages.length;
      if (counted >= events) done();
    });
  } else {
    const s3 = createS3Client({
      bucket: stack.s3Bucket,
      endpoint: stack.s3Endpoint,
      credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: stack.s3SecretKey },
    });
    let objects = 0;
    let compressed = 0;
    const archiver = createArchiver(
      {
        store: {
          put: (key, body) => putObject(s3, stack.s3Bucket, key, body).then(() => undefined),
        },
        committer: {
          commit: (topicName, partition, offset) =>
            consumer.commit([{ topic: topicName, partition, offset }]),
        },
        observer: {
          objectWritten(file, info) {
            objects += 1;
            compressed += info.compressedBytes;
            counted += file.records;
            if (counted >= events) done();
          },
        },
      },
      settings,
    );
    const ticker = setInterval(() => archiver.tick(Date.now()), 100);
    await consumer.runEachBatch(async (batch) => {
      started ??= performance.now();
      cpuAtStart ??= process.cpuUsage();
      await archiver.accept(batch, batch);
    });
    await finished;
    clearInterval(ticker);
    await archiver.drain();
    result = { objects, compressedMiB: +(compressed / mib).toFixed(1) };
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await consumer.close();
  return {
    kind,
    events: counted,
    seconds: +seconds.toFixed(2),
    eventsPerSecond: Math.round(counted / seconds),
    peakRssMiB: Math.round(peakRssMiB()),
    // Less sensitive to a shared machine than events/s: what each event cost this process.
    cpuSeconds: +cpuSeconds.toFixed(2),
    cpuMicrosPerEvent: +((cpuSeconds * 1e6) / counted).toFixed(1),
    ...result,
  };
}

function runChild(kind, topic) {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", goes to the phase processes.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(
      process.execPath,
      [...nodeArgs, fileURLToPath(import.meta.url), kind, topic],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`${kind} phase exit ${code}`)),
    );
  });
}

const [kind, topicArg] = process.argv.slice(2);
if (kind === 'consume' || kind === 'archive') {
  process.stdout.write(`${JSON.stringify(await phase(kind, topicArg))}\n`);
  setTimeout(() => process.exit(0), 100).unref();
} else {
  const client = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'bench' });
  const topic = `bench.archive-${randomUUID().slice(0, 8)}`;
  await ensureTopics(client, [{ name: topic, partitions }]);
  try {
    const t0 = performance.now();
    const size = await produce(client, topic);
    console.log(
      `produced ${events} events of ${size} bytes (value + headers) to ${topic} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const consume = await runChild('consume', topic);
    const archive = await runChild('archive', topic);
    console.log(JSON.stringify({ settings, fetch, consume, archive }, null, 2));
    console.log(
      `archive: ${archive.eventsPerSecond} events/s, peak RSS ${archive.peakRssMiB} MiB, CPU ${archive.cpuMicrosPerEvent} µs/event | plain consume: ${consume.eventsPerSecond} events/s, peak RSS ${consume.peakRssMiB} MiB, CPU ${consume.cpuMicrosPerEvent} µs/event | ratio ${(archive.eventsPerSecond / consume.eventsPerSecond).toFixed(2)}`,
    );
  } finally {
    await deleteTopics(client, [topic]);
  }
  setTimeout(() => process.exit(0), 100).unref();
}
