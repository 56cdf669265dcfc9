/**
 * Helpers for the archive tests: produce ground-truth events, run the BUILT sink under plain
 * node as a child process, wait until it has caught up, and a second S3 server for outages.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { buildChangeEvent, encodeEvent } from '@tidemark/events';
import {
  createProducer,
  createTransactionalProducer,
  ensureTopics,
  type KafkaClient,
  type OutgoingMessage,
} from '@tidemark/kafka';
import { createS3Client, listObjects } from '@tidemark/s3';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
export const sinkMain = join(root, 'services/sink-s3-archive/dist/main.js');

/** Builds the sink so the child process runs the current source. */
export async function buildSink(): Promise<void> {
  await run(join(root, 'node_modules/.bin/tsc'), ['-b', join(root, 'services/sink-s3-archive')], {
    cwd: root,
  });
}

/** `count` valid events for `topic`, spread over keys; returns the produced event ids. */
export async function produceEvents(
  client: KafkaClient,
  topic: string,
  count: number,
  options: { startAt?: number; chunk?: number; changedAt?: (index: number) => string } = {},
): Promise<string[]> {
  const producer = await createProducer(client);
  const ids: string[] = [];
  try {
    const chunk = options.chunk ?? 500;
    for (let start = 0; start < count; start += chunk) {
      const messages: OutgoingMessage[] = [];
      for (let index = start; index < Math.min(count, start + chunk); index++) {
        const n = (options.startAt ?? 0) + index;
        const { id, message } = testEvent(topic, n, options.changedAt?.(n));
        ids.push(id);
        messages.push(message);
      }
      await producer.send(topic, messages);
    }
  } finally {
    await producer.close();
  }
  return ids;
}

/** Event number `n` of a test topic, as a Kafka message, with its CloudEvents id. */
function testEvent(
  topic: string,
  n: number,
  changedAt = new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + n * 1000).toISOString(),
): { id: string; message: OutgoingMessage } {
  const event = buildChangeEvent(
    {
      op: 'update',
      system: 'zeyos',
      instance: 'test',
      entityType: 'contacts',
      entityId: String(n % 97),
      after: { name: `Contact ${n}`, city: 'Köln', n },
      changedAt,
      version: `${topic}-${n}`,
    },
    {
      correlationId: `corr-${n}`,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  );
  const encoded = encodeEvent(event);
  return {
    id: event.id,
    message: { key: encoded.key, value: encoded.value, headers: encoded.headers },
  };
}

/**
 * Events written the way the pollers write them: one Kafka transaction per entry of
 * `transactions`, each spread over the topic's partitions by key; an entry with `abort` sends
 * its events and then aborts. Returns the ids of committed and of aborted events.
 */
export async function produceTransactions(
  client: KafkaClient,
  topic: string,
  transactions: readonly { events: number; abort?: boolean }[],
  options: { startAt?: number; transactionalId: string },
): Promise<{ committed: string[]; aborted: string[] }> {
  const producer = await createTransactionalProducer(client, {
    transactionalId: options.transactionalId,
  });
  const committed: string[] = [];
  const aborted: string[] = [];
  let n = options.startAt ?? 0;
  try {
    for (const transaction of transactions) {
      const events = Array.from({ length: transaction.events }, () => testEvent(topic, n++));
      const ids = events.map((event) => event.id);
      const outcome = await producer
        .transaction(async (scope) => {
          await scope.send(
            topic,
            events.map((event) => event.message),
          );
          if (transaction.abort === true) throw new Error('abort on purpose');
        })
        .then(
          () => 'committed' as const,
          (error: unknown) => {
            if (transaction.abort !== true) throw error;
            return 'aborted' as const;
          },
        );
      (outcome === 'committed' ? committed : aborted).push(...ids);
    }
  } finally {
    await producer.close();
  }
  return { committed, aborted };
}

export async function createTopics(client: KafkaClient, names: readonly string[], partitions = 3) {
  await ensureTopics(
    client,
    names.map((name) => ({ name, partitions })),
  );
}

/** The sink as a child process under plain node (not vitest), with the given environment. */
export interface SinkProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function startSink(env: Record<string, string>): SinkProcess {
  const child = spawn(process.execPath, [sinkMain], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output,
    exited,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment of a sink on the test stack, archiving `pattern` under `prefix`. */
export function sinkEnv(options: {
  groupId: string;
  pattern: string;
  prefix: string;
  s3Endpoint?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  const stack = inject('stack');
  return {
    TIDEMARK_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TIDEMARK_S3_ENDPOINT: options.s3Endpoint ?? stack.s3Endpoint,
    TIDEMARK_S3_BUCKET: stack.s3Bucket,
    AWS_ACCESS_KEY_ID: stack.s3AccessKey,
    AWS_SECRET_ACCESS_KEY: stack.s3SecretKey,
    AWS_REGION: 'us-east-1',
    TIDEMARK_ARCHIVE_GROUP_ID: options.groupId,
    TIDEMARK_ARCHIVE_TOPIC_PATTERN: options.pattern,
    TIDEMARK_ARCHIVE_PREFIX: options.prefix,
    TIDEMARK_ARCHIVE_MAX_FILE_AGE_MS: '1000',
    TIDEMARK_ARCHIVE_METADATA_MAX_AGE_MS: '1000',
    TIDEMARK_LOG_LEVEL: 'info',
    ...options.extra,
  };
}

/** Waits until the group's committed offsets reach the end of every partition of `topics`. */
export async function waitCaughtUp(
  client: KafkaClient,
  groupId: string,
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind = 0n;
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          const entry = committed?.partitions.find((p) => p.partition === end.partition);
          const offset =
            entry === undefined || Number(entry.offset) < 0 ? 0n : BigInt(entry.offset);
          behind += BigInt(end.high) - offset;
        }
      }
      if (behind === 0n) return;
      if (Date.now() > deadline)
        throw new Error(`sink still ${behind} records behind after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every object under a prefix. */
export async function deletePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<void> {
  let keys: { Key: string }[] = [];
  const flush = async () => {
    if (keys.length > 0)
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    keys = [];
  };
  for await (const object of listObjects(client, bucket, prefix)) {
    keys.push({ Key: object.key });
    if (keys.length === 1000) await flush();
  }
  await flush();
}

/**
 * A second S3 server (S3Proxy from infra/s3) on its own port and state folder, so an outage
 * test can stop it without disturbing the shared one other test files use.
 */
export function secondS3(port: number) {
  const stateDir = mkdtempSync(join(tmpdir(), 'tidemark-s3-'));
  const env = {
    ...process.env,
    TIDEMARK_S3_PORT: String(port),
    TIDEMARK_INFRA_STATE_DIR: stateDir,
  };
  const script = (action: 'start' | 'stop') =>
    run(join(root, 'infra/s3', action), [], { env, timeout: 300_000, maxBuffer: 8 * 1024 * 1024 });
  const stack = inject('stack');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    start: () => script('start'),
    stop: () => script('stop'),
    client: () =>
      createS3Client({
        bucket: stack.s3Bucket,
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: stack.s3SecretKey },
      }),
    async destroy() {
      await script('stop').catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
