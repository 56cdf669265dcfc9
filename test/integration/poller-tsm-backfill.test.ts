import { afterEach, describe, expect, it } from 'vitest';
import { deleteTopics, messageToEvent, type KafkaClient } from '@tidemark/kafka';
import type { TsmSimulator } from '@tidemark/simulators';
import { askBackfill } from '../support/cli.js';
import { testKafka } from '../support/kafka.js';
import { collect, eventually } from '../support/poller.js';
import {
  checkTsmTopic,
  spawnTsmPollerService,
  startTsmSim,
  tsmGroundTruth,
  tsmPollerTopics,
} from '../support/poller-tsm.js';

const entity = 'customers';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tSM poller service: backfill on request', () => {
  const kafka: KafkaClient = testKafka();
  let sim: TsmSimulator | undefined;
  let topics: string[] = [];

  afterEach(async () => {
    await sim?.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('`tidemark backfill` snapshots every untouched record while changes flow; live changes win', async () => {
    sim = await startTsmSim();
    const setup = await tsmPollerTopics(kafka, entity);
    topics = setup.all;
    sim.admin.workload.runOps(600, {
      entities: [entity],
      mix: { create: 6, update: 3, softDelete: 1, delete: 1 },
    });
    const reader = await collect(kafka, [setup.names.events]);
    const child = spawnTsmPollerService(sim, setup.prefix, entity);
    try {
      await child.ready;
      const port = await child.opsPort;
      const atRequest = tsmGroundTruth(sim, entity);
      expect(await eventually(() => checkTsmTopic(reader.messages, atRequest), 30_000)).toEqual([]);
      const asked = await askBackfill(setup.names.streamId, port);
      expect(asked).toEqual({ code: 0, out: `backfill of ${setup.names.streamId} started\n` });
      for (let round = 0; round < 5; round++) {
        sim.admin.workload.runOps(30, { entities: [entity] });
        await pause(100);
      }
      const final = tsmGroundTruth(sim, entity);
      // Live at the request and unchanged since: each must get its backfill snapshot.
      const untouched = [...atRequest.live].filter(([id, state]) => final.live.get(id) === state);
      expect(untouched.length).toBeGreaterThan(100);
      const missing = () => {
        const snapshotted = new Set<string>();
        for (const message of reader.messages) {
          const received = messageToEvent(message);
          if (received.ok && received.event.data.version.endsWith(':b1')) {
            expect(received.event.data.op).toBe('snapshot');
            snapshotted.add(received.event.subject);
          }
        }
        return untouched.filter(([id]) => !snapshotted.has(id)).map(([id]) => `no snapshot: ${id}`);
      };
      expect(await eventually(missing, 30_000)).toEqual([]);
      // Every record still ends in its final state: no snapshot overtook a change.
      expect(await eventually(() => checkTsmTopic(reader.messages, final), 30_000)).toEqual([]);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await reader.close();
    }
  }, 120_000);
});
