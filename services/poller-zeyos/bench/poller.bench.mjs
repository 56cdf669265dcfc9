#!/usr/bin/env node
// The ZeyOS poller against the ZeyOS simulator and the local Kafka broker, on the BUILT code.
//
//   npm run bench -w @tidemark/poller-zeyos
//   BENCH_RECORDS=100000 npm run bench -w @tidemark/poller-zeyos
//
// Catch-up: N records bulk-loaded, the poller started in snapshot mode, and N new records
// created while it walks the snapshot: 2N events committed, as events/s, beside a plain kafkajs
// producer sending the same messages (sizes, headers, partitions) to the same broker.
// Steady: BENCH_RATE changes/s for BENCH_STEADY_SECONDS: latency from the simulator's journal
// atMs to the event's receipt by a read_committed consumer. The poller runs as a child process
// under plain node; its peak RSS is VmHWM from /proc. Settings: BENCH_RECORDS (1,000,000),
// BENCH_POLL_INTERVAL_MS (1000), BENCH_PAGE_SIZE (1000), BENCH_RATE (1000),
// BENCH_STEADY_SECONDS (30), TIDEMARK_KAFKA_BROKERS (127.0.0.1:19092).
import console from 'node:console';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { setImmediate, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
// A bench is not a package source: it measures the poller against kafkajs used directly.
// eslint-disable-next-line no-restricted-imports
import kafkajs from 'kafkajs';
import { startZeyosSimulator } from '@tidemark/simulators';

const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const pollIntervalMs = Number(process.env.BENCH_POLL_INTERVAL_MS ?? 1000);
const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 1000);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const steadySeconds = Number(process.env.BENCH_STEADY_SECONDS ?? 30);
const brokers = (process.env.TIDEMARK_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const partitions = 3;
const account = (i) => ({
  lastname: `Account ${i}`,
  firstname: 'Bench',
  type: i % 6,
  customernum: `C-${i}`,
  currency: 'EUR',
  creator: 1,
});

// ---- the simulator, in a worker thread so its serving does not share the main event loop ----
if (!isMainThread) {
  const { records: n } = workerData;
  const sim = await startZeyosSimulator({
    port: 0,
    demoRecords: 0,
    journalMaxEntries: n + 200_000,
  });
  // Loaded records are in the past: ten per second, ending an hour ago.
  const base = Math.floor(Date.now() / 1000) - 3600 - Math.ceil(n / 10);
  sim.admin.bulkLoad('demo', 'accounts', n, (i) => ({
    ...account(i),
    creationdate: base + Math.floor(i / 10),
    lastmodified: base + Math.floor(i / 10),
  }));
  parentPort.postMessage({ baseUrl: sim.baseUrl, credentials: sim.credentials });
  let next = n + 1;
  const yieldNow = () => new Promise((resolve) => setImmediate(resolve));
  parentPort.on('message', (command) => {
    void (async () => {
      if (command.cmd === 'changes') {
        const started = performance.now();
        for (let done = 0; done < command.count;) {
          const chunk = Math.min(2000, command.count - done);
          for (let k = 0; k < chunk; k++) sim.admin.insert('demo', 'accounts', account(next++));
          done += chunk;
          await yieldNow(); // let the simulator answer the poller in between
        }
        parentPort.postMessage({ cmd: 'changes', ms: performance.now() - started });
      } else if (command.cmd === 'steady') {
        const fromSeq = sim.journal.lastSeq;
        const tickMs = 10;
        const started = Date.now();
        let made = 0;
        while (Date.now() - started < command.seconds * 1000) {
          const due = Math.floor(((Date.now() - started) / 1000) * command.rate);
          for (; made < due; made++) sim.admin.insert('demo', 'accounts', account(next++));
          await new Promise((resolve) => setTimeout(resolve, tickMs));
        }
        const changes = [];
        for (let after = fromSeq; ;) {
          const page = sim.journal.read(after, 10_000);
          for (const e of page.entries) changes.push([e.id, e.atMs]);
          if (page.entries.length < 10_000) break;
          after = page.entries[page.entries.length - 1].seq;
        }
        parentPort.postMessage({ cmd: 'steady', changes });
      } else if (command.cmd === 'stop') {
        await sim.close();
        process.exit(0);
      }
    })();
  });
} else {
  await main();
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function metric(port, name) {
  const text = await (await globalThis.fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`)) sum += Number(line.split(' ').pop());
  return sum;
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  const { Kafka, logLevel } = kafkajs;
  const kafka = new Kafka({ clientId: 'bench-poller-zeyos', brokers, logLevel: logLevel.NOTHING });
  const prefix = `bench${Date.now().toString(36)}`;
  const eventsTopic = `${prefix}.zeyos.accounts`;

  const loadStarted = performance.now();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { records },
    resourceLimits: { maxOldGenerationSizeMb: 6144 },
  });
  const [sim] = await once(worker, 'message');
  const next = () => once(worker, 'message').then(([m]) => m);
  console.log(
    `loaded ${records.toLocaleString('en')} accounts in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
  );

  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const child = spawn(process.execPath, [main], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TIDEMARK_KAFKA_BROKERS: brokers.join(','),
      TIDEMARK_KAFKA_TOPIC_PARTITIONS: String(partitions),
      TIDEMARK_ZEYOS_BASE_URL: sim.baseUrl,
      TIDEMARK_ZEYOS_INSTANCE: 'demo',
      TIDEMARK_ZEYOS_AUTH_MODE: 'oauth2',
      TIDEMARK_ZEYOS_CLIENT_ID: sim.credentials.clientId,
      TIDEMARK_ZEYOS_CLIENT_SECRET: sim.credentials.clientSecret,
      TIDEMARK_ZEYOS_USERNAME: sim.credentials.username,
      TIDEMARK_ZEYOS_PASSWORD: sim.credentials.password,
      TIDEMARK_ZEYOS_ENTITIES: 'accounts',
      TIDEMARK_POLL_START_MODE: 'snapshot',
      TIDEMARK_POLL_INTERVAL_MS: String(pollIntervalMs),
      TIDEMARK_POLL_PAGE_SIZE: String(pageSize),
      TIDEMARK_POLL_RECONCILE_INTERVAL_MS: '0',
      TIDEMARK_TOPIC_PREFIX: prefix,
      TIDEMARK_HTTP_PORT: '0',
      TIDEMARK_LOG_LEVEL: 'info',
    },
  });
  let opsPort;
  let pollingAt;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    try {
      const log = JSON.parse(line);
      if (log.port !== undefined && opsPort === undefined) opsPort = log.port;
      if (log.msg === 'polling' || log.message === 'polling') pollingAt ??= performance.now();
      if (log.level === 'error' || log.level === 'warn')
        console.log(`poller: ${line.slice(0, 300)}`);
    } catch {
      console.log(`poller: ${line}`);
    }
  });
  const exited = once(child, 'exit');

  const results = {};
  try {
    await waitFor(
      () => pollingAt !== undefined && opsPort !== undefined,
      60_000,
      'the poller to start',
    );
    // ---- catch-up: the snapshot runs while N changes arrive ----
    const changes = next();
    worker.postMessage({ cmd: 'changes', count: records });
    const target = 2 * records;
    let lastPrint = 0;
    await waitFor(
      async () => {
        const n = await metric(opsPort, 'tidemark_poller_events_total');
        if (Date.now() - lastPrint > 10_000) {
          lastPrint = Date.now();
          console.log(
            `  catch-up: ${n.toLocaleString('en')} / ${target.toLocaleString('en')} events`,
          );
        }
        return n >= target ? n : false;
      },
      3_600_000,
      'catch-up',
    );
    const catchUpSeconds = (performance.now() - pollingAt) / 1000;
    const { ms: changeMs } = await changes;
    results.catchUp = {
      events: target,
      seconds: catchUpSeconds,
      perSecond: target / catchUpSeconds,
      changeMs,
    };
    results.rssAfterCatchUp = peakRssMb(child.pid);

    // ---- the same messages through a plain producer ----
    const sample = [];
    const reader = kafka.consumer({ groupId: `${prefix}-sample`, readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topic: eventsTopic, fromBeginning: true });
    await new Promise((resolve) => {
      void reader.run({
        eachMessage: async ({ message }) => {
          if (sample.length < 2000)
            sample.push({ key: message.key, value: message.value, headers: message.headers });
          if (sample.length === 2000) resolve();
        },
      });
    });
    await reader.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const plainTopic = `${prefix}.plain`;
    await admin.createTopics({
      topics: [{ topic: plainTopic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    const plainStarted = performance.now();
    for (let sent = 0; sent < target;) {
      const batch = [];
      for (let k = 0; k < pageSize && sent < target; k++, sent++)
        batch.push(sample[sent % sample.length]);
      await producer.send({ topic: plainTopic, messages: batch });
    }
    const plainSeconds = (performance.now() - plainStarted) / 1000;
    await producer.disconnect();
    results.plain = { seconds: plainSeconds, perSecond: target / plainSeconds };
    results.avgBytes = Math.round(
      sample.reduce((s, m) => s + (m.value?.length ?? 0), 0) / sample.length,
    );

    // ---- steady: latency from the change to the committed event ----
    const received = new Map();
    const consumer = kafka.consumer({ groupId: `${prefix}-steady`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: false });
    const joined = new Promise((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    void consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString();
        if (key !== undefined && !received.has(key)) received.set(key, Date.now());
      },
    });
    await joined;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    worker.postMessage({ cmd: 'steady', rate, seconds: steadySeconds });
    const { changes: steady } = await next();
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs + 7_000));
    await consumer.disconnect();
    const latencies = [];
    let missing = 0;
    for (const [id, atMs] of steady) {
      const at = received.get(String(id));
      if (at === undefined) missing++;
      else latencies.push(at - atMs);
    }
    latencies.sort((a, b) => a - b);
    results.steady = {
      changes: steady.length,
      missing,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    };
    results.rss = peakRssMb(child.pid);
    await admin.deleteTopics({ topics: [plainTopic, eventsTopic] }).catch(() => undefined);
    await admin.disconnect();
  } finally {
    child.kill('SIGTERM');
    await exited;
    worker.postMessage({ cmd: 'stop' });
    await once(worker, 'exit');
  }

  const r = results;
  const ratio = r.catchUp.perSecond / r.plain.perSecond;
  const rows = [
    ['records (N)', records.toLocaleString('en'), ''],
    ['poll interval / page size', `${pollIntervalMs} ms / ${pageSize}`, ''],
    [
      'catch-up events (snapshot N + changes N)',
      r.catchUp.events.toLocaleString('en'),
      `${r.catchUp.seconds.toFixed(1)} s`,
    ],
    [
      'poller events/s (committed)',
      Math.round(r.catchUp.perSecond).toLocaleString('en'),
      r.catchUp.perSecond >= 20_000 ? 'met (≥ 20,000)' : 'NOT met (≥ 20,000)',
    ],
    [
      'plain kafkajs producer msgs/s',
      Math.round(r.plain.perSecond).toLocaleString('en'),
      `avg value ${r.avgBytes} B, ${partitions} partitions`,
    ],
    [
      'poller / plain',
      `${(ratio * 100).toFixed(0)} %`,
      ratio >= 0.5 ? 'met (≥ 50 %)' : 'NOT met (≥ 50 %)',
    ],
    [
      'steady changes (rate × s)',
      `${r.steady.changes} (${rate}/s × ${steadySeconds})`,
      `missing ${r.steady.missing}`,
    ],
    ['steady latency p50', `${r.steady.p50} ms`, ''],
    [
      'steady latency p99',
      `${r.steady.p99} ms`,
      r.steady.p99 <= pollIntervalMs + 100
        ? `met (≤ ${pollIntervalMs + 100})`
        : `NOT met (≤ ${pollIntervalMs + 100})`,
    ],
    ['steady latency max', `${r.steady.max} ms`, ''],
    [
      'poller peak RSS (VmHWM)',
      `${r.rss.toFixed(0)} MB`,
      r.rss <= 200 ? 'met (≤ 200 MB)' : 'NOT met (≤ 200 MB)',
    ],
  ];
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((row) => String(row[c]).length)));
  console.log('');
  for (const row of rows)
    console.log(row.map((cell, c) => String(cell).padEnd(w[c])).join('  │  '));
}
