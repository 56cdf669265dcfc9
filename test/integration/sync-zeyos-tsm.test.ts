import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { deleteTopics, ensureTopics } from '@tidemark/kafka';
import { checkpointTopicSpec } from '@tidemark/poller';
import { streamNames as zeyosStreams } from '@tidemark/poller-zeyos';
import { streamNames as tsmStreams } from '@tidemark/poller-tsm';
import type { TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics, tsmTarget, zeyosTarget, type SyncTarget } from '@tidemark/sink-sync';
import { testKafka, uniqueName } from '../support/kafka.js';
import {
  collect,
  headersToStrings,
  simClient,
  startPoller,
  startSim,
  type InProcessPoller,
} from '../support/poller.js';
import { startTsmPoller, startTsmSim, tsmSimClient } from '../support/poller-tsm.js';
import {
  accountsCustomersRules,
  differences,
  startCountingSink,
  stores,
  type CountingSink,
} from '../support/sync.js';

const rulesFile = accountsCustomersRules;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sink-sync: ZeyOS accounts <-> tSM customers (shipped rule set)', () => {
  const kafka = testKafka();
  let zeyosSim: ZeyosSimulator | undefined;
  let tsmSim: TsmSimulator | undefined;
  const clients: { close(): Promise<void> }[] = [];
  const pollers: InProcessPoller[] = [];
  let counting: CountingSink | undefined;
  let topics: string[] = [];

  afterEach(async () => {
    await counting?.sink.stop();
    for (const poller of pollers.splice(0)) await poller.stop();
    for (const client of clients.splice(0)) await client.close();
    await zeyosSim?.close();
    await tsmSim?.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('under workloads on both sides the stores converge record by record and go quiet', async () => {
    zeyosSim = await startSim();
    tsmSim = await startTsmSim();
    const prefix = uniqueName('sync').replace(/[^a-z0-9-]/g, '');
    const zeyosNames = zeyosStreams(prefix, 'demo', 'accounts');
    const tsmNames = tsmStreams(prefix, 'demo', 'customers');
    const sync = syncTopics(prefix);
    topics = [
      zeyosNames.events,
      zeyosNames.deadLetters,
      tsmNames.events,
      tsmNames.deadLetters,
      zeyosNames.heartbeats,
      zeyosNames.checkpoints,
      sync.idMap,
      sync.deadLetters,
    ];
    await ensureTopics(kafka, [
      ...[zeyosNames.events, zeyosNames.deadLetters, tsmNames.events, tsmNames.deadLetters].map(
        (name) => ({ name, partitions: 3 }),
      ),
      { name: zeyosNames.heartbeats, partitions: 3, cleanupPolicy: 'compact' },
      checkpointTopicSpec(zeyosNames.checkpoints, { partitions: 3 }),
    ]);

    // Both sides hold customers before the sync starts. ZeyOS deletes are soft (visibility 2)
    // here: ZeyOS is state-polled, so an account the sync creates and someone purges before
    // the next poll is never seen at all, and its customer stays live (the README says so).
    // tSM reports every delete through its /log, so tSM purges are part of the workload.
    const mix = { create: 6, update: 3, softDelete: 1, delete: 1 };
    const zeyosMix = { ...mix, softDelete: 2, delete: 0 };
    zeyosSim.admin.workload.runOps(60, { entities: ['accounts'], mix: zeyosMix });
    tsmSim.admin.workload.runOps(60, { entities: ['customers'], mix });

    const zeyos = simClient(zeyosSim);
    const tsm = tsmSimClient(tsmSim);
    const zeyosForSink = simClient(zeyosSim);
    const tsmForSink = tsmSimClient(tsmSim);
    clients.push(zeyos, tsm, zeyosForSink, tsmForSink);
    pollers.push(
      startPoller(kafka, zeyos, zeyosNames, {
        entity: 'accounts',
        startMode: { mode: 'snapshot' },
      }),
      startTsmPoller(kafka, tsm, tsmNames, { entity: 'customers' }),
    );
    const targets = new Map<System, SyncTarget>([
      ['zeyos', zeyosTarget(zeyosForSink)],
      ['tsm', tsmTarget(tsmForSink)],
    ]);
    counting = await startCountingSink(kafka, rulesFile, targets, prefix);

    // Concurrent edits on both sides while the sync runs.
    for (let round = 0; round < 6; round++) {
      zeyosSim.admin.workload.runOps(20, { entities: ['accounts'], mix: zeyosMix });
      tsmSim.admin.workload.runOps(20, { entities: ['customers'], mix });
      await pause(300);
    }

    const check = async () => {
      const { accounts, customers } = await stores(zeyos, tsm);
      return differences(accounts, customers);
    };
    let last: string[] = ['not checked yet'];
    const deadline = Date.now() + 90_000;
    while (last.length > 0 && Date.now() < deadline) {
      last = await check();
      if (last.length > 0) await pause(500);
    }
    if (last.length > 0) {
      // Not converged: what the sink dead-lettered and skipped, and each differing tSM record's
      // journal and events, so a failure can be explained from its output alone.
      const dlq = await collect(kafka, [sync.deadLetters]);
      const events = await collect(kafka, [tsmNames.events]);
      await pause(3_000);
      const reasons = dlq.messages.map((m) => headersToStrings(m.headers)['tidemark-dlq-reason']);
      console.error('not converged', {
        writes: counting.writes,
        skips: [...counting.skips],
        deadLetters: reasons,
      });
      for (const problem of last) {
        const id = /\(([0-9a-f-]{36})\)/.exec(problem)?.[1];
        if (id === undefined) continue;
        const journal = tsmSim.journal.all().filter((entry) => entry.id === id);
        const types = events.messages
          .filter((m) => m.key?.toString() === id)
          .map((m) => `${String(headersToStrings(m.headers)['ce_type'])}@${m.offset}`);
        console.error(problem, JSON.stringify({ journal, events: types }));
      }
      await events.close();
      await dlq.close();
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(counting.writes).toBeGreaterThan(50);

    // Quiet: the sink stops writing (no ping-pong), and the stores stay converged. It may
    // still be working off events whose writes the comparison does not see (a tSM customer
    // made NEW becomes ACTIVE once its account changes), so quiet means no write for 3 s,
    // reached within 60 s.
    const deadLetters = await collect(kafka, [sync.deadLetters]);
    let seen = counting.writes;
    let lastWriteAt = Date.now();
    const quietBy = Date.now() + 60_000;
    while (Date.now() - lastWriteAt < 3_000 && Date.now() < quietBy) {
      await pause(250);
      if (counting.writes !== seen) {
        seen = counting.writes;
        lastWriteAt = Date.now();
      }
    }
    expect(Date.now() - lastWriteAt).toBeGreaterThanOrEqual(3_000);
    expect(await check()).toEqual([]);
    // Nothing refused: in this workload every record has a match value of its own.
    const refused = deadLetters.messages.map(
      (m) => headersToStrings(m.headers)['tidemark-dlq-reason'],
    );
    await deadLetters.close();
    expect(refused).toEqual([]);
  }, 180_000);
});
