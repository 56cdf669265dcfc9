#!/usr/bin/env node
// The sync path end to end, on the BUILT services: tSM customer changes → poller-tsm → Kafka →
// sink-sync → ZeyOS account writes (the shipped rule set ZeyOS accounts <-> tSM customers, so
// poller-zeyos runs too and the sink's writes come back to it as echoes, as in production).
//
//   npm run bench -w @tidemark/sink-sync
//   BENCH_RATE=400 BENCH_SECONDS=30 npm run bench -w @tidemark/sink-sync
//
// The simulators run in this process at zero latency. BENCH_CUSTOMERS customers are loaded and
// synced first (warm-up, not measured); then BENCH_RATE name changes/s for BENCH_SECONDS, round
// robin over the customers, through tSM's HTTP API. Latency of each change: from the tSM
// simulator's journal entry of the change to the ZeyOS simulator's journal entry of the write it
// caused (matched by the name carried). Reported: writes/s, p50/p99/max, and changes that
// never arrived. Settings: BENCH_CUSTOMERS (1000), BENCH_RATE (200), BENCH_SECONDS (60),
// BENCH_POLL_INTERVAL_MS (250), BENCH_SAFETY_LAG_MS (250), TIDEMARK_KAFKA_BROKERS.
import console from 'node:console';
import { spawn } from 'node:child_process';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL, fileURLToPath } from 'node:url';
import { startTsmSimulator, startZeyosSimulator } from '@tidemark/simulators';
import { z } from 'zod';
import { createTsmClient, tsmConnectionFromEnv, tsmEnvShape } from '@tidemark/tsm';

const customers = Number(process.env.BENCH_CUSTOMERS ?? 1000);
const rate = Number(process.env.BENCH_RATE ?? 200);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const pollIntervalMs = Number(process.env.BENCH_POLL_INTERVAL_MS ?? 250);
const safetyLagMs = Number(process.env.BENCH_SAFETY_LAG_MS ?? 250);
const brokers = process.env.TIDEMARK_KAFKA_BROKERS ?? '127.0.0.1:19092';
const prefix = `bench-sync-${Date.now()}`;
const service = (name) => fileURLToPath(new URL(`../../${name}/dist/main.js`, import.meta.url));
const rules = fileURLToPath(new URL('../rules/zeyos-accounts-tsm-customers.yaml', import.meta.url));

const tsmSim = await startTsmSimulator({ port: 0, demoRecords: 0 });
const zeyosSim = await startZeyosSimulator({ port: 0, demoRecords: 0 });
// Zero latency and no per-token rate limit: the bench measures Tidemark, not the simulators.
tsmSim.admin.setRateLimit(null);
zeyosSim.admin.setRateLimit?.(null);
tsmSim.admin.bulkLoad('customers', customers, (i) => ({
  code: `CUS-B${String(i).padStart(6, '0')}`,
  name: `start-${i}`,
  status: 'ACTIVE',
  customerType: 'B2B',
}));

// ---- measurement: both simulators' journals, matched by the name a change carried ----
const changedAt = new Map(); // name → tSM journal atMs
const writtenAt = new Map(); // name → ZeyOS journal atMs of the sink's write
let accountsCreated = 0;
tsmSim.journal.subscribe((entry) => {
  if (entry.source !== 'api' || entry.op !== 'update' || entry.entity !== 'customers') return;
  const name = tsmSim.db.store('customers').rows.get(entry.id)?.name;
  if (typeof name === 'string') changedAt.set(name, entry.atMs);
});
zeyosSim.journal.subscribe((entry) => {
  if (entry.source !== 'api' || entry.entity !== 'accounts') return;
  if (entry.op === 'create') accountsCreated++;
  const name = zeyosSim.db('demo').get('accounts', Number(entry.id))?.data.lastname;
  if (typeof name === 'string' && !writtenAt.has(name)) writtenAt.set(name, entry.atMs);
});

// ---- the services ----
const common = {
  PATH: process.env.PATH,
  TIDEMARK_KAFKA_BROKERS: brokers,
  TIDEMARK_TOPIC_PREFIX: prefix,
  TIDEMARK_HTTP_PORT: '0',
  TIDEMARK_LOG_LEVEL: 'warn',
};
const zeyosEnv = {
  TIDEMARK_ZEYOS_BASE_URL: zeyosSim.baseUrl,
  TIDEMARK_ZEYOS_INSTANCE: 'demo',
  TIDEMARK_ZEYOS_USERNAME: zeyosSim.credentials.username,
  TIDEMARK_ZEYOS_PASSWORD: zeyosSim.credentials.password,
  TIDEMARK_ZEYOS_CLIENT_ID: zeyosSim.credentials.clientId,
  TIDEMARK_ZEYOS_CLIENT_SECRET: zeyosSim.credentials.clientSecret,
};
const tsmEnv = {
  TIDEMARK_TSM_BASE_URL: tsmSim.baseUrl,
  TIDEMARK_TSM_INSTANCE: 'demo',
  TIDEMARK_TSM_GRANT: 'password',
  TIDEMARK_TSM_USERNAME: tsmSim.credentials.username,
  TIDEMARK_TSM_PASSWORD: tsmSim.credentials.password,
  TIDEMARK_TSM_CLIENT_ID: tsmSim.credentials.clientId,
  TIDEMARK_TSM_CLIENT_SECRET: tsmSim.credentials.clientSecret,
};
const poll = {
  TIDEMARK_POLL_INTERVAL_MS: String(pollIntervalMs),
  TIDEMARK_POLL_PAGE_SIZE: '500',
};
const children = [
  start('poller-tsm', {
    ...tsmEnv,
    ...poll,
    TIDEMARK_TSM_ENTITIES: 'customers',
    TIDEMARK_POLL_START_MODE: 'snapshot',
    TIDEMARK_POLL_SAFETY_LAG_MS: String(safetyLagMs),
  }),
  start('poller-zeyos', {
    ...zeyosEnv,
    ...poll,
    TIDEMARK_ZEYOS_ENTITIES: 'accounts',
    TIDEMARK_POLL_START_MODE: 'now',
  }),
  // Its own ZeyOS session (legacy login, own device identifier), as in `tidemark up`.
  start('sink-sync', {
    ...zeyosEnv,
    ...tsmEnv,
    TIDEMARK_ZEYOS_AUTH_MODE: 'legacy',
    TIDEMARK_ZEYOS_CLIENT_ID: 'tidemark-sink-sync',
    TIDEMARK_SYNC_RULES: rules,
  }),
];

function start(name, env) {
  const child = spawn(process.execPath, [service(name)], {
    env: { ...common, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${String(code ?? signal)})`);
  });
  return child;
}
let stopping = false;
// Interrupted (Ctrl-C, a timeout): the services go too.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopping = true;
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

try {
  // ---- warm-up: every customer becomes an account ----
  const warmStart = Date.now();
  let reported = 0;
  while (accountsCreated < customers) {
    if (Date.now() - warmStart > 300_000) throw new Error(`warm-up: ${accountsCreated} accounts`);
    if (Date.now() - warmStart > reported + 10_000) {
      reported += 10_000;
      console.log(`warm-up: ${accountsCreated} of ${customers} accounts`);
    }
    await sleep(250);
  }
  console.log(`warm-up: ${customers} customers synced in ${Date.now() - warmStart} ms`);
  await sleep(3_000); // the warm-up's echoes go by

  // ---- steady load through tSM's API ----
  const client = createTsmClient({
    ...tsmConnectionFromEnv(z.object(tsmEnvShape).parse(tsmEnv)),
    http: { maxConcurrency: 16 },
  });
  const ids = [...tsmSim.db.store('customers').rows.values()].map((row) => row.id);
  const total = rate * seconds;
  const sent = [];
  const loadStart = Date.now();
  const inFlight = new Set();
  let failedChanges = 0;
  for (let k = 0; k < total; k++) {
    const due = loadStart + (k * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const name = `bench-${k}`;
    sent.push(name);
    const request = client
      .entity('customers')
      .patch(ids[k % ids.length], { name })
      .catch((error) => {
        failedChanges++;
        console.error(`change ${name} not made: ${String(error)}`);
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  const loadSeconds = (Date.now() - loadStart) / 1000;
  await client.close();

  // ---- drain: every change arrives, or 30 s pass ----
  const drainStart = Date.now();
  while (sent.some((name) => !writtenAt.has(name)) && Date.now() - drainStart < 30_000) {
    await sleep(250);
  }
  const latencies = [];
  let missing = 0;
  for (const name of sent) {
    const from = changedAt.get(name);
    const to = writtenAt.get(name);
    if (from === undefined || to === undefined) missing++;
    else latencies.push(to - from);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const lastWrite = Math.max(...sent.map((name) => writtenAt.get(name) ?? 0));
  const firstChange = Math.min(...sent.map((name) => changedAt.get(name) ?? Infinity));
  console.log(
    JSON.stringify(
      {
        changes: total,
        offeredPerSecond: Math.round(total / loadSeconds),
        appliedPerSecond: Math.round((latencies.length * 1000) / (lastWrite - firstChange)),
        latencyMs: { p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) },
        missing,
        changesNotMade: failedChanges,
        settings: { customers, rate, seconds, pollIntervalMs, safetyLagMs },
      },
      null,
      2,
    ),
  );
} finally {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) => (child.exitCode === null ? once(child) : Promise.resolve())),
  );
  await tsmSim.close();
  await zeyosSim.close();
}

function once(child) {
  return new Promise((resolve) => child.once('exit', resolve));
}
