import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteTopics, type KafkaClient } from '@tidemark/kafka';
import type { ZeyosSimulator } from '@tidemark/simulators';
import { testKafka } from '../support/kafka.js';
import { killHard } from '../support/service.js';
import {
  checkTopic,
  collect,
  eventually,
  groundTruth,
  pollerTopics,
  spawnPollerService,
  startSim,
} from '../support/poller.js';

const entity = 'contacts';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ZeyOS poller service: kill -9 at random moments', () => {
  let kafka: KafkaClient;
  let sim: ZeyosSimulator;
  let topics: string[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('the built service killed 10 times while changes flow: nothing lost, nothing twice', async () => {
    const setup = await pollerTopics(kafka, entity);
    topics = setup.all;
    sim.admin.workload.runOps(400, { entities: [entity] });
    const reader = await collect(kafka, [setup.names.events]);
    let child = spawnPollerService(sim, setup.prefix, entity);
    try {
      for (let kill = 0; kill < 10; kill++) {
        sim.admin.workload.runOps(150, { entities: [entity] });
        // A random moment: during start-up, a snapshot page, a poll or a commit.
        await pause(500 + Math.floor(Math.random() * 2_000));
        await killHard(child);
        child = spawnPollerService(sim, setup.prefix, entity);
      }
      const truth = groundTruth(sim, entity);
      const problems = await eventually(() => checkTopic(reader.messages, truth), 60_000);
      expect(problems.slice(0, 10)).toEqual([]);
      // SIGTERM once it runs (a signal during Node's own start-up, before any code of ours, is
      // the default kill): the service finishes or aborts its open transaction and exits 0.
      await child.ready;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(checkTopic(reader.messages, truth)).toEqual([]);
    } finally {
      await killHard(child);
      await reader.close();
    }
  }, 180_000);
});
