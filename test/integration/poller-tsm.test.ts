import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteTopics, headerValue, type KafkaClient } from '@tidemark/kafka';
import { tsmEntities, type TsmSimulator } from '@tidemark/simulators';
import type { TsmClient } from '@tidemark/tsm';
import { testKafka } from '../support/kafka.js';
import { killHard } from '../support/service.js';
import { collect, eventually, isFenced } from '../support/poller.js';
import {
  checkTsmTopic,
  spawnTsmPollerService,
  startTsmPoller,
  startTsmSim,
  tsmGroundTruth,
  tsmPollerTopics,
  tsmSimClient,
} from '../support/poller-tsm.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tSM poller: exactly once against ground truth', () => {
  let kafka: KafkaClient;
  let sim: TsmSimulator | undefined;
  let tsm: TsmClient | undefined;
  let topics: string[] = [];

  beforeEach(() => {
    kafka = testKafka();
  });
  afterEach(async () => {
    await tsm?.close();
    await sim?.close();
    tsm = undefined;
    sim = undefined;
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  async function setUp(entity: string, simOptions: { rateLimitPerSecond?: number | null } = {}) {
    sim = await startTsmSim(simOptions);
    tsm = tsmSimClient(sim);
    const setup = await tsmPollerTopics(kafka, entity);
    topics = setup.all;
    return { sim, tsm, setup };
  }

  it('a seeded workload of thousands of changes: final states, deletes, no version twice', async () => {
    const entity = 'customers';
    const { sim, tsm, setup } = await setUp(entity);
    sim.admin.workload.runOps(300, { entities: [entity] });
    // The snapshot reads what was edited before its bound, as it is when the page is read: a
    // record edited meanwhile has moved above the bound and comes as a change instead. The
    // bursts below edit nearly every record, so they wait for the snapshot's first commit (its
    // one page holds every record here); started earlier, on a loaded machine they emptied the
    // snapshot and the check for snapshot events below failed.
    // And the stream starts more than its safety lag after the records were written.
    await pause(500);
    let snapshotted: () => void = () => undefined;
    const snapshotCommitted = new Promise<void>((resolve) => (snapshotted = resolve));
    const poller = startTsmPoller(kafka, tsm, setup.names, {
      entity,
      observer: { committed: (_stream, info) => info.events > 0 && snapshotted() },
    });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      await snapshotCommitted;
      // Each burst runs in one tick: hundreds of changes share a whenEdited millisecond.
      for (let round = 0; round < 12; round++) {
        sim.admin.workload.runOps(250, { entities: [entity] });
        await pause(150);
      }
      const truth = tsmGroundTruth(sim, entity);
      expect(sim.journal.all().filter((e) => e.entity === entity).length).toBeGreaterThan(3_000);
      expect(truth.purged.size).toBeGreaterThan(100);
      const problems = await eventually(() => checkTsmTopic(reader.messages, truth), 30_000);
      expect(problems.slice(0, 10)).toEqual([]);
      const ops = new Set(reader.messages.map((m) => headerValue(m.headers, 'ce_type')));
      for (const verb of ['snapshot', 'created', 'updated', 'deleted'])
        expect(ops).toContain(`com.tidemark.tsm.${entity}.${verb}.v1`);
      // Let the idle poller run a few more cycles (lookback re-reads): nothing new may appear.
      const count = reader.messages.length;
      await pause(1_500);
      expect(reader.messages.length).toBe(count);
      expect(checkTsmTopic(reader.messages, truth)).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
    expect(await poller.done).toBeUndefined();
  });

  it('start mode now: nothing from before the start, every change after it', async () => {
    const entity = 'customers';
    const { sim, tsm, setup } = await setUp(entity);
    sim.admin.workload.runOps(300, { entities: [entity] });
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const poller = startTsmPoller(kafka, tsm, setup.names, {
      entity,
      startMode: { mode: 'now' },
      observer: { ready: (_stream, isReady) => (isReady ? markReady() : undefined) },
    });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      await ready;
      const startSeq = sim.journal.all().at(-1)?.seq ?? 0;
      for (let round = 0; round < 4; round++) {
        sim.admin.workload.runOps(150, { entities: [entity] });
        await pause(200);
      }
      const changedAfter = new Set(
        sim.journal
          .all()
          .filter((e) => e.entity === entity && e.seq > startSeq)
          .map((e) => e.id),
      );
      const before = new Set(
        sim.journal
          .all()
          .filter((e) => e.entity === entity && !changedAfter.has(e.id))
          .map((e) => e.id),
      );
      expect(changedAfter.size).toBeGreaterThan(100);
      const truth = tsmGroundTruth(sim, entity);
      const problems = await eventually(
        () => checkTsmTopic(reader.messages, truth, { ignoreIds: before }),
        30_000,
      );
      expect(problems.slice(0, 10)).toEqual([]);
      expect(reader.messages.filter((m) => before.has(m.key?.toString() ?? ''))).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
  });

  it('deletes by reconciliation where /log is not used: every delete ends its record', async () => {
    const entity = 'tickets';
    const { sim, tsm, setup } = await setUp(entity);
    sim.admin.workload.runOps(200, { entities: [entity] });
    const poller = startTsmPoller(kafka, tsm, setup.names, { entity, deletes: 'reconcile' });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      for (let round = 0; round < 4; round++) {
        sim.admin.workload.runOps(150, { entities: [entity] });
        await pause(300);
      }
      const truth = tsmGroundTruth(sim, entity);
      expect(truth.purged.size).toBeGreaterThan(30);
      const problems = await eventually(() => checkTsmTopic(reader.messages, truth), 30_000);
      expect(problems.slice(0, 10)).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
  });

  it('5xx, 429, rate limit, token expiry and malformed records: same result, bad records dead-lettered', async () => {
    const entity = 'customers';
    const { sim, tsm, setup } = await setUp(entity, { rateLimitPerSecond: 40 });
    sim.admin.setKnobs({
      error500Rate: 0.1,
      error503Rate: 0.1,
      error429Rate: 0.1,
      retryAfterSeconds: 0,
      truncateRate: 0.02,
      tokenTtlSeconds: 2,
      match: '/api/v2/customers',
    });
    const poller = startTsmPoller(kafka, tsm, setup.names, { entity });
    const reader = await collect(kafka, [setup.names.events]);
    const dead = await collect(kafka, [setup.names.deadLetters]);
    const bad = new Set<string>();
    const def = tsmEntities.get(entity);
    if (def === undefined) throw new Error('no customers entity');
    try {
      for (let round = 0; round < 8; round++) {
        sim.admin.workload.runOps(200, { entities: [entity] });
        // Random faults may spare a kind in a short run; these come for sure.
        if (round === 2)
          sim.admin.injectFaults([
            { fault: '429', times: 2, match: '/page' },
            { fault: '503', match: '/log' },
            { fault: '500', match: '/page' },
          ]);
        if (round === 4) sim.admin.expireTokens();
        await pause(200);
      }
      // Records the schema refuses (name is a string), after the workload so no later update
      // repairs them. The simulator validates what it stores, so the record is damaged in
      // place in the same tick as its insert: no poll can see a valid version of it.
      for (let n = 0; n < 3; n++) {
        const row = sim.db.create(
          def,
          { code: `BAD-${n}`, name: `bad-${n}` },
          { user: 'demo', source: 'admin' },
        );
        sim.db.store(entity).replace(Object.freeze({ ...row, name: 42 }));
        bad.add(String(row.id));
      }
      const truth = tsmGroundTruth(sim, entity);
      const problems = await eventually(
        () => checkTsmTopic(reader.messages, truth, { ignoreIds: bad }),
        40_000,
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
        expect(headerValue(message.headers, 'tidemark-dlq-reason')).toBeTruthy();
        expect(JSON.parse(message.value?.toString() ?? 'null')).toHaveProperty('name', 42);
      }
      // No event for a malformed record: it went to the dead-letter topic instead.
      expect(reader.messages.filter((m) => bad.has(m.key?.toString() ?? ''))).toEqual([]);
      const faults = new Set(sim.admin.requests().map((r) => r.fault));
      for (const fault of ['500', '503', '429']) expect(faults).toContain(fault);
    } finally {
      sim.admin.resetKnobs();
      await reader.close();
      await dead.close();
      await poller.stop();
    }
  });

  it('two instances of one stream: the older is fenced, no duplicates', async () => {
    const entity = 'customers';
    const { sim, tsm, setup } = await setUp(entity);
    const first = startTsmPoller(kafka, tsm, setup.names, { entity });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      sim.admin.workload.runOps(300, { entities: [entity] });
      await pause(1_000);
      const second = startTsmPoller(kafka, tsm, setup.names, { entity });
      for (let round = 0; round < 5; round++) {
        sim.admin.workload.runOps(200, { entities: [entity] });
        await pause(200);
      }
      expect(isFenced(await first.done)).toBe(true);
      const truth = tsmGroundTruth(sim, entity);
      expect(
        (await eventually(() => checkTsmTopic(reader.messages, truth), 30_000)).slice(0, 10),
      ).toEqual([]);
      await second.stop();
      expect(await second.done).toBeUndefined();
    } finally {
      await reader.close();
      await first.stop();
    }
  });

  it('the built service killed 10 times while changes flow: nothing lost, nothing twice', async () => {
    const entity = 'tickets';
    const { sim, setup } = await setUp(entity);
    sim.admin.workload.runOps(400, { entities: [entity] });
    const reader = await collect(kafka, [setup.names.events]);
    let child = spawnTsmPollerService(sim, setup.prefix, entity);
    try {
      for (let kill = 0; kill < 10; kill++) {
        sim.admin.workload.runOps(150, { entities: [entity] });
        // A random moment: during start-up, a snapshot page, a poll or a commit.
        await pause(400 + Math.floor(Math.random() * 1_600));
        await killHard(child);
        child = spawnTsmPollerService(sim, setup.prefix, entity);
      }
      const truth = tsmGroundTruth(sim, entity);
      const problems = await eventually(() => checkTsmTopic(reader.messages, truth), 40_000);
      expect(problems.slice(0, 10)).toEqual([]);
      // SIGTERM once it runs (a signal during Node's own start-up, before any code of ours, is
      // the default kill): the service finishes or aborts its open transaction and exits 0.
      await child.ready;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(checkTsmTopic(reader.messages, truth)).toEqual([]);
    } finally {
      await killHard(child);
      await reader.close();
    }
  }, 120_000);
});
