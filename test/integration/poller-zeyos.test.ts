import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KafkaClient } from '@tidemark/kafka';
import type { ZeyosSimulator } from '@tidemark/simulators';
import type { ZeyosClient } from '@tidemark/zeyos';
import { testKafka, topicJanitor } from '../support/kafka.js';
import {
  checkTopic,
  collect,
  eventually,
  groundTruth,
  pollerTopics,
  simClient,
  startPoller,
  startSim,
} from '../support/poller.js';

const entity = 'accounts';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ZeyOS poller: exactly once against ground truth', () => {
  let kafka: KafkaClient;
  let sim: ZeyosSimulator;
  let zeyos: ZeyosClient;
  let topics: string[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    sim = await startSim();
    zeyos = simClient(sim);
  });
  afterEach(async () => {
    await zeyos.close();
    await sim.close();
    const janitor = topicJanitor(kafka);
    await janitor.cleanup().catch(() => undefined);
    const { deleteTopics } = await import('@tidemark/kafka');
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('a seeded workload of thousands of changes: final states, deletes, no version twice', async () => {
    const setup = await pollerTopics(kafka, entity);
    topics = setup.all;
    sim.admin.workload.runOps(300, { entities: [entity] });
    const poller = startPoller(kafka, zeyos, setup.names, {
      entity,
      startMode: { mode: 'snapshot' },
    });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      for (let round = 0; round < 12; round++) {
        sim.admin.workload.runOps(250, { entities: [entity] });
        await pause(150);
      }
      const truth = groundTruth(sim, entity);
      expect(truth.purged.size).toBeGreaterThan(100);
      expect(truth.softDeleted.size).toBeGreaterThan(100);
      const problems = await eventually(() => checkTopic(reader.messages, truth), 30_000);
      expect(problems.slice(0, 10)).toEqual([]);
      // Let the idle poller run a few more cycles: nothing new may appear.
      const count = reader.messages.length;
      await pause(1_500);
      expect(reader.messages.length).toBe(count);
      expect(checkTopic(reader.messages, truth)).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
    expect(await poller.done).toBeUndefined();
  });

  it('the same second: many changes in one frozen second, across pages, polled mid-second', async () => {
    const setup = await pollerTopics(kafka, entity);
    topics = setup.all;
    const poller = startPoller(kafka, zeyos, setup.names, {
      entity,
      startMode: { mode: 'snapshot' },
      pageSize: 50,
      lookbackSeconds: 0,
    });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      sim.admin.clock.apply({ frozen: true });
      // Bursts inside the same second while the poller pages through it.
      for (let round = 0; round < 10; round++) {
        sim.admin.workload.runOps(120, {
          entities: [entity],
          mix: { create: 3, update: 5, softDelete: 1, delete: 0 },
        });
        await pause(60);
      }
      const truth = groundTruth(sim, entity);
      const problems = await eventually(() => checkTopic(reader.messages, truth), 30_000);
      expect(problems.slice(0, 10)).toEqual([]);
      // The next second, and again some changes in it.
      sim.admin.clock.apply({ advanceMs: 1_000 });
      sim.admin.workload.runOps(200, { entities: [entity] });
      const truth2 = groundTruth(sim, entity);
      expect(await eventually(() => checkTopic(reader.messages, truth2), 30_000)).toEqual([]);
    } finally {
      await reader.close();
      await poller.stop();
    }
  });
});
