import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteTopics, headerValue, type KafkaClient } from '@tidemark/kafka';
import type { ZeyosSimulator } from '@tidemark/simulators';
import type { ZeyosClient } from '@tidemark/zeyos';
import { testKafka } from '../support/kafka.js';
import {
  checkTopic,
  collect,
  eventually,
  groundTruth,
  isFenced,
  pollerTopics,
  simClient,
  startPoller,
  startSim,
} from '../support/poller.js';

const entity = 'accounts';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ZeyOS poller: source faults and fencing', () => {
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
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('5xx, 429, token expiry and malformed records: same result, bad records dead-lettered', async () => {
    const setup = await pollerTopics(kafka, entity);
    topics = setup.all;
    sim.admin.setKnobs({
      error500Rate: 0.1,
      error503Rate: 0.1,
      error429Rate: 0.1,
      retryAfterSeconds: 0,
      truncateRate: 0.02,
      tokenTtlSeconds: 2,
      match: '/api/v1/accounts',
    });
    const poller = startPoller(kafka, zeyos, setup.names, { entity });
    const reader = await collect(kafka, [setup.names.events]);
    const dead = await collect(kafka, [setup.names.deadLetters]);
    const bad = new Set<string>();
    try {
      for (let round = 0; round < 8; round++) {
        sim.admin.workload.runOps(200, { entities: [entity] });
        if (round === 4) sim.admin.expireTokens();
        await pause(200);
      }
      // Records the schema refuses (type is 0…5), written after the workload so no later
      // update can repair them before a poll sees them: dead letters, and the stream goes on.
      // The simulator validates what it stores, so the value is damaged in place, in the same
      // tick as the insert (no poll can see the valid version).
      for (let n = 0; n < 3; n++) {
        const record = sim.admin.insert('demo', entity, { lastname: `bad-${n}`, type: 1 });
        const row = sim.db('demo').get(entity, Number(record.ID));
        if (row !== undefined) (row.data as Record<string, unknown>).type = 42;
        bad.add(String(record.ID));
      }
      const truth = groundTruth(sim, entity);
      const problems = await eventually(
        () => checkTopic(reader.messages, truth, { ignoreIds: bad }),
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
        expect(headerValue(message.headers, 'tidemark-dlq-reason')).toBeTruthy();
        expect(JSON.parse(message.value?.toString() ?? 'null')).toHaveProperty('type', 42);
      }
      expect(sim.admin.requests().some((r) => r.fault !== null)).toBe(true);
    } finally {
      sim.admin.resetKnobs();
      await reader.close();
      await dead.close();
      await poller.stop();
    }
  });

  it('two instances of one stream: the older is fenced, no duplicates', async () => {
    const setup = await pollerTopics(kafka, entity);
    topics = setup.all;
    const first = startPoller(kafka, zeyos, setup.names, { entity });
    const reader = await collect(kafka, [setup.names.events]);
    try {
      sim.admin.workload.runOps(300, { entities: [entity] });
      await pause(1_000);
      const second = startPoller(kafka, zeyos, setup.names, { entity });
      for (let round = 0; round < 5; round++) {
        sim.admin.workload.runOps(200, { entities: [entity] });
        await pause(200);
      }
      expect(isFenced(await first.done)).toBe(true);
      const truth = groundTruth(sim, entity);
      expect(
        (await eventually(() => checkTopic(reader.messages, truth), 30_000)).slice(0, 10),
      ).toEqual([]);
      await second.stop();
      expect(await second.done).toBeUndefined();
    } finally {
      await reader.close();
      await first.stop();
    }
  });
});
