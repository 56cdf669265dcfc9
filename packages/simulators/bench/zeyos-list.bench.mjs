#!/usr/bin/env node
// Paged incremental reads over 1,000,000 ZeyOS accounts, the way a poller reads them:
//   filter (lastmodified, ID) > (X, Y) as an OR group, sort +lastmodified,+ID, limit N,
// over HTTP with a bearer token, until every record was seen once.
//
//   npm run bench -w @tidemark/simulators
//   BENCH_RECORDS=200000 BENCH_LIMITS=1000 node bench/zeyos-list.bench.mjs   (after a build)
//
// Records get lastmodified values in a shuffled order (a permutation of the IDs, ten per
// second), so ID order and lastmodified order differ and only the (lastmodified, ID) index
// makes the query cheap.
import console from 'node:console';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startZeyosSimulator, zeyosTestClient } from '../dist/index.js';

const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const limits = (process.env.BENCH_LIMITS ?? '1000,10000').split(',').map(Number);
const base = 1_700_000_000;

// The simulator runs in a worker thread, as it would in its own process: the client's JSON
// parsing does not eat into the server's time (two cores on the reference machine).
if (!isMainThread) {
  const sim = await startZeyosSimulator({ port: 0, demoRecords: 0, journalMaxEntries: 1000 });
  const loadStarted = performance.now();
  // A multiplicative permutation of 0..records-1 spreads lastmodified values over all IDs.
  const step = 7919;
  sim.admin.bulkLoad('demo', 'accounts', workerData.records, (i) => {
    const slot = (i * step) % workerData.records;
    const stamp = base + Math.floor(slot / 10);
    return {
      lastname: `Account ${i}`,
      firstname: '',
      type: i % 6,
      customernum: `C-${i}`,
      currency: 'EUR',
      creationdate: stamp,
      lastmodified: stamp,
      creator: 1,
    };
  });
  const loadMs = performance.now() - loadStarted;
  parentPort.postMessage({
    baseUrl: sim.baseUrl,
    credentials: sim.credentials,
    loadMs,
    heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  });
  await once(parentPort, 'message');
  await sim.close();
  process.exit(0);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const worker = new Worker(new URL(import.meta.url), {
  workerData: { records },
  resourceLimits: { maxOldGenerationSizeMb: 6144 },
});
const [ready] = await once(worker, 'message');
// zeyosTestClient needs only the base URL, the instance names and the credentials.
const sim = { baseUrl: ready.baseUrl, instances: ['demo'], credentials: ready.credentials };
const { loadMs, heapMb } = ready;
try {
  const client = zeyosTestClient(sim);
  await client.token();
  console.log(
    `loaded ${records.toLocaleString('en')} accounts in ${(loadMs / 1000).toFixed(1)} s (server heap ${heapMb} MB)`,
  );

  const results = [];
  for (const limit of limits) {
    let cursor = { lastmodified: base - 1, id: 0 };
    let seen = 0;
    let bytes = 0;
    const pageMs = [];
    const started = performance.now();
    for (;;) {
      const t0 = performance.now();
      const answer = await client.api('POST', '/accounts', {
        filter: {
          1: [
            'OR',
            { lastmodified: { '>': cursor.lastmodified } },
            ['AND', { lastmodified: cursor.lastmodified }, { ID: { '>': cursor.id } }],
          ],
        },
        sort: ['+lastmodified', '+ID'],
        limit,
      });
      pageMs.push(performance.now() - t0);
      if (answer.status !== 200)
        throw new Error(`page failed: ${answer.status} ${answer.text.slice(0, 200)}`);
      const page = answer.json;
      bytes += answer.text.length;
      if (page.length === 0) break;
      seen += page.length;
      const last = page[page.length - 1];
      cursor = { lastmodified: last.lastmodified, id: last.ID };
    }
    const seconds = (performance.now() - started) / 1000;
    if (seen !== records) throw new Error(`saw ${seen} records, expected ${records}`);
    pageMs.sort((a, b) => a - b);
    const result = {
      limit,
      records: seen,
      pages: pageMs.length,
      seconds: Number(seconds.toFixed(2)),
      recordsPerSecond: Math.round(seen / seconds),
      pageMsP50: Number(percentile(pageMs, 50).toFixed(1)),
      pageMsP95: Number(percentile(pageMs, 95).toFixed(1)),
      megabytes: Math.round(bytes / 1e6),
    };
    results.push(result);
    console.log(
      `limit ${String(limit).padStart(5)}: ${seen.toLocaleString('en')} records in ${result.seconds} s = ` +
        `${result.recordsPerSecond.toLocaleString('en')} records/s (page p50 ${result.pageMsP50} ms, p95 ${result.pageMsP95} ms, ${result.megabytes} MB JSON)`,
    );
  }

  // For contrast: one page whose filter the index cannot narrow (a full scan).
  const t0 = performance.now();
  const scan = await client.api('POST', '/accounts', {
    filter: { customernum: `C-${records}` },
    fields: ['ID'],
  });
  console.log(
    `full scan for one record by customernum: ${(performance.now() - t0).toFixed(0)} ms (${scan.json.length} hit)`,
  );

  console.log(
    JSON.stringify({
      bench: 'zeyos-list',
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      records,
      loadSeconds: Number((loadMs / 1000).toFixed(1)),
      heapMb,
      results,
    }),
  );
} finally {
  worker.postMessage('stop');
  await once(worker, 'exit');
}
