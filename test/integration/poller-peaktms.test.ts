import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeError, isTidemarkError } from '@tidemark/errors';
import { deleteTopics, headerValue, type KafkaClient } from '@tidemark/kafka';
import type { PeaktmsClient } from '@tidemark/peaktms';
import type { PeaktmsSimulator } from '@tidemark/simulators';
import { testKafka } from '../support/kafka.js';
import { killHard } from '../support/service.js';
import { collect, eventually, isFenced } from '../support/poller.js';
import {
  checkPeakTopic,
  peakClient,
  peakTopics,
  peakTruth,
  spawnPeakService,
  startPeakPoller,
  startPeakSim,
} from '../support/poller-peaktms.js';

const kind = 'activities';
const workload = { entities: [kind] };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeakTMS poller: every history entry exactly once, against ground truth', () => {
  let kafka: KafkaClient;
  let sim: PeaktmsSimulator;
  let peaktms: PeaktmsClient;
  let topics: string[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    sim = await startPeakSim();
    peaktms = peakClient(sim);
  });
  afterEach(async () => {
    await peaktms.close();
    await sim.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('a seeded workload of thousands of changes: one event per entry, in order, final states', async () => {
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    sim.admin.workload.runOps(400, workload);
    const fromSeq = sim.journal.lastSeq;
    const poller = startPeakPoller(kafka, peaktms, setup.names, { kind });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      for (let round = 0; round < 12; round++) {
        sim.admin.workload.runOps(250, workload);
        await pause(150);
      }
      const truth = peakTruth(sim, kind);
      const changes = [...truth.entries.values()].filter((e) => e.seq > fromSeq);
      expect(changes.length).toBeGreaterThan(1_000);
      expect(changes.filter((e) => e.op === 'delete').length).toBeGreaterThan(50);
      const problems = await eventually(
        () => checkPeakTopic(reader.messages, truth, { fromSeq }),
        40_000,
      );
      expect(problems.slice(0, 10)).toEqual([]);
      // Idle polls add nothing.
      const count = reader.messages.length;
      await pause(1_500);
      expect(reader.messages.length).toBe(count);
    } finally {
      await reader.close();
      await poller.stop();
    }
    expect(await poller.done).toBeUndefined();
  });

  it('5xx, 429, token expiry, malformed records and a maintenance window: same result', async () => {
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    const fromSeq = sim.journal.lastSeq;
    const poller = startPeakPoller(kafka, peaktms, setup.names, { kind });
    const reader = await collect(kafka, [setup.names.events]);
    const dead = await collect(kafka, [setup.names.deadLetters]);
    const bad = new Set<string>();
    try {
      // Let the snapshot finish before the faults (a schema failure inside a /query page
      // fails the page as a whole: the client parses pages whole).
      await pause(1_000);
      sim.admin.setKnobs({
        error500Rate: 0.1,
        error503Rate: 0.1,
        error429Rate: 0.1,
        retryAfterSeconds: 0,
        truncateRate: 0.02,
        tokenTtlSeconds: 2,
        match: '/tms_rest/activities',
      });
      for (let round = 0; round < 8; round++) {
        sim.admin.workload.runOps(200, workload);
        if (round === 3) sim.admin.expireTokens();
        if (round === 4) {
          const start = sim.admin.clock.nowMs() + 1_500;
          sim.admin.setMaintenanceWindows([{ start, end: start + 2_500 }]);
        }
        await pause(300);
      }
      // Records that fail the client's schema (attributes not a list), damaged in place in
      // the tick they are created, so no poll can see them valid: dead letters, stream goes on.
      for (let n = 0; n < 3; n++) {
        const record = sim.db.create(
          kind,
          { type: 'Test', name: `bad-${n}` },
          { user: 'demo', source: 'admin' },
        );
        const id = String(record.id);
        sim.db.store(kind).set(id, { ...record, attributes: 'damaged' });
        bad.add(id);
      }
      const truth = peakTruth(sim, kind);
      const problems = await eventually(
        () => checkPeakTopic(reader.messages, truth, { fromSeq, ignoreIds: bad }),
        45_000,
      );
      expect(problems.slice(0, 10)).toEqual([]);
      const deadIds = () =>
        new Set(dead.messages.map((m) => headerValue(m.headers, 'tidemark-dlq-entity-id')));
      await eventually(
        () => ([...bad].every((id) => deadIds().has(id)) ? [] : ['waiting']),
        10_000,
      );
      expect([...deadIds()].sort()).toEqual([...bad].sort());
      for (const message of dead.messages) {
        expect(headerValue(message.headers, 'tidemark-dlq-code')).toBe('EVENT_INVALID');
        expect(headerValue(message.headers, 'tidemark-dlq-reason')).toMatch(/schema/);
        // The raw payload: the history entry that could not become an event.
        expect(JSON.parse(message.value?.toString() ?? 'null')).toMatchObject({
          operation: 'CREATE',
        });
      }
      expect(sim.admin.requests().some((r) => r.fault !== null)).toBe(true);
    } finally {
      sim.admin.resetKnobs();
      await reader.close();
      await dead.close();
      await poller.stop();
    }
  });

  it('a maintenance window: the poller pauses around it instead of failing', async () => {
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    const fromSeq = sim.journal.lastSeq;
    const failures: string[] = [];
    const poller = startPeakPoller(kafka, peaktms, setup.names, {
      kind,
      maintenanceMarginMs: 1_000,
      observer: {
        // Source failures only: a fresh topic's leader election may fail a Kafka call.
        failed: (_, error) => {
          if (isTidemarkError(error) && error.code.startsWith('HTTP_'))
            failures.push(describeError(error));
        },
      },
    });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      await pause(800);
      const start = sim.admin.clock.nowMs() + 1_500;
      const end = start + 3_000;
      sim.admin.setMaintenanceWindows([{ start, end }]);
      while (sim.admin.clock.nowMs() < end + 500) {
        sim.admin.workload.runOps(100, workload);
        await pause(250);
      }
      const truth = peakTruth(sim, kind);
      expect(
        (await eventually(() => checkPeakTopic(reader.messages, truth, { fromSeq }), 30_000)).slice(
          0,
          10,
        ),
      ).toEqual([]);
      // Nothing was sent into the window (it would have been answered 503), no poll failed.
      const during = sim.admin.requests().filter((r) => r.atMs >= start && r.atMs < end);
      expect(during).toEqual([]);
      expect(failures).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
  });

  it('two instances of one stream: the older is fenced, no duplicates', async () => {
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    const fromSeq = sim.journal.lastSeq;
    const first = startPeakPoller(kafka, peaktms, setup.names, { kind });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      sim.admin.workload.runOps(300, workload);
      await pause(1_000);
      const second = startPeakPoller(kafka, peaktms, setup.names, { kind });
      for (let round = 0; round < 5; round++) {
        sim.admin.workload.runOps(200, workload);
        await pause(200);
      }
      expect(isFenced(await first.done)).toBe(true);
      const truth = peakTruth(sim, kind);
      expect(
        (await eventually(() => checkPeakTopic(reader.messages, truth, { fromSeq }), 30_000)).slice(
          0,
          10,
        ),
      ).toEqual([]);
      await second.stop();
      expect(await second.done).toBeUndefined();
    } finally {
      await reader.close();
      await first.stop();
    }
  });

  it('the built service killed 10 times while changes flow: nothing lost, nothing twice', async () => {
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    // From a known instant: an instance killed before its first commit leaves no checkpoint,
    // and a restart in mode `now` or `snapshot` would begin at its own start instead.
    const env = {
      TIDEMARK_POLL_START_MODE: 'timestamp',
      TIDEMARK_POLL_START_AT: new Date(sim.admin.clock.nowMs()).toISOString(),
      TIDEMARK_POLL_LOOKBACK_SECONDS: '0',
    };
    const fromSeq = sim.journal.lastSeq;
    sim.admin.workload.runOps(300, workload);
    const reader = await collect(kafka, [setup.names.events]);
    let child = spawnPeakService(sim, setup.prefix, kind, env);
    try {
      for (let kill = 0; kill < 10; kill++) {
        sim.admin.workload.runOps(150, workload);
        // A random moment: during start-up, a poll or a commit.
        await pause(400 + Math.floor(Math.random() * 1_600));
        await killHard(child);
        child = spawnPeakService(sim, setup.prefix, kind, env);
      }
      const truth = peakTruth(sim, kind);
      const check = () => checkPeakTopic(reader.messages, truth, { fromSeq, snapshot: false });
      expect((await eventually(check, 40_000)).slice(0, 10)).toEqual([]);
      // SIGTERM once it runs: it finishes or aborts its open transaction and exits 0.
      await child.ready;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(check()).toEqual([]);
    } finally {
      await killHard(child);
      await reader.close();
    }
  }, 120_000);
});
