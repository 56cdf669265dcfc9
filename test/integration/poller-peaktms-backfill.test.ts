import { afterEach, describe, expect, it } from 'vitest';
import { deleteTopics, messageToEvent, type KafkaClient } from '@tidemark/kafka';
import { stateHash, type PeaktmsSimulator } from '@tidemark/simulators';
import { askBackfill } from '../support/cli.js';
import { testKafka } from '../support/kafka.js';
import { killHard } from '../support/service.js';
import { collect, eventually } from '../support/poller.js';
import {
  checkPeakTopic,
  peakTopics,
  peakTruth,
  spawnPeakService,
  startPeakSim,
} from '../support/poller-peaktms.js';

const kind = 'activities';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The state of every record of the kind, logged types or not: its hash, null once deleted. */
function states(sim: PeaktmsSimulator): Map<string, string | null> {
  const current = new Map<string, string | null>();
  for (const entry of sim.journal.all())
    if (entry.kind === kind) current.set(entry.id, entry.op === 'delete' ? null : entry.hash);
  return current;
}

describe('PeakTMS poller service: backfill on request', () => {
  const kafka: KafkaClient = testKafka();
  let sim: PeaktmsSimulator | undefined;
  let topics: string[] = [];

  afterEach(async () => {
    await sim?.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('`tidemark backfill` snapshots every untouched record while changes flow, across a kill -9; live changes win', async () => {
    sim = await startPeakSim();
    const setup = await peakTopics(kafka, kind);
    topics = setup.all;
    sim.admin.workload.runOps(600, {
      entities: [kind],
      mix: { create: 6, update: 3, softDelete: 1, delete: 1 },
    });
    const reader = await collect(kafka, [setup.names.events]);
    // Small pages: the walk takes many turns, so the kill lands in the middle of it. The walk
    // leaves out what changed within the lookback before the request (records of unlogged
    // types among them, which the log never brings): 1 s keeps the workload well before it.
    const env = { TIDEMARK_POLL_PAGE_SIZE: '20', TIDEMARK_POLL_LOOKBACK_SECONDS: '1' };
    // Entries before the start are the start-mode snapshot's; from here on each is an event.
    const fromSeq = sim.journal.lastSeq;
    let child = spawnPeakService(sim, setup.prefix, kind, env);
    try {
      await child.ready;
      const port = await child.opsPort;
      // The start-mode snapshot and the log have caught up: the backfill can begin.
      const atStart = peakTruth(sim, kind);
      const caughtUp = () => checkPeakTopic(reader.messages, atStart, { fromSeq });
      expect((await eventually(caughtUp, 30_000)).slice(0, 10)).toEqual([]);

      const atRequest = states(sim);
      const asked = await askBackfill(setup.names.streamId, port);
      expect(asked).toEqual({ code: 0, out: `backfill of ${setup.names.streamId} started\n` });
      // The start was committed before the answer: a crash now must not lose the backfill.
      await killHard(child);
      child = spawnPeakService(sim, setup.prefix, kind, env);
      for (let round = 0; round < 5; round++) {
        sim.admin.workload.runOps(30, { entities: [kind] });
        await pause(100);
      }
      await child.ready;
      const again = await askBackfill(setup.names.streamId, await child.opsPort);
      // Either still walking, or done and a second one began: never an error.
      expect(again.code).toBe(0);

      const final = states(sim);
      // Live at the request and unchanged since (any type, logged or not): each gets its
      // snapshot of the first backfill, holding exactly that state.
      const untouched = [...atRequest].filter(
        ([id, hash]) => hash !== null && final.get(id) === hash,
      );
      expect(untouched.length).toBeGreaterThan(100);
      const problems = () => {
        const snapshots = new Map<string, string[]>();
        for (const message of reader.messages) {
          const received = messageToEvent(message);
          if (!received.ok || !received.event.data.version.endsWith(':b1')) continue;
          const { event } = received;
          const hash = event.data.after === null ? 'null' : stateHash(event.data.after);
          snapshots.set(event.subject ?? '', [
            ...(snapshots.get(event.subject ?? '') ?? []),
            `${event.data.op} ${hash}`,
          ]);
        }
        return untouched.flatMap(([id, hash]) => {
          const seen = snapshots.get(id) ?? [];
          return seen.length === 1 && seen[0] === `snapshot ${hash}`
            ? []
            : [`${id}: backfill events ${JSON.stringify(seen)}`];
        });
      };
      expect((await eventually(problems, 40_000)).slice(0, 10)).toEqual([]);
      // Every entry still once, and every record ends in its final state: no snapshot
      // overtook a change.
      const truth = peakTruth(sim, kind);
      const check = () => checkPeakTopic(reader.messages, truth, { fromSeq });
      expect((await eventually(check, 30_000)).slice(0, 10)).toEqual([]);

      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await killHard(child);
      await reader.close();
    }
  }, 150_000);
});
