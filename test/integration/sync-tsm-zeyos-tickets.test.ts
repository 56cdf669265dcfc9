import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { deleteTopics, ensureTopics, headersToStrings } from '@tidemark/kafka';
import { checkpointTopicSpec } from '@tidemark/poller';
import { streamNames as zeyosStreams } from '@tidemark/poller-zeyos';
import { streamNames as tsmStreams } from '@tidemark/poller-tsm';
import type { TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics, tsmTarget, zeyosTarget, type SyncTarget } from '@tidemark/sink-sync';
import { testKafka, uniqueName } from '../support/kafka.js';
import {
  collect,
  simClient,
  startPoller,
  startSim,
  type InProcessPoller,
} from '../support/poller.js';
import { startTsmPoller, startTsmSim, tsmSimClient } from '../support/poller-tsm.js';
import {
  pause,
  shippedRules,
  startCountingSink,
  untilSettled,
  type CountingSink,
} from '../support/sync.js';
import { ticketDifferences, ticketStores } from '../support/sync-tickets.js';

const rulesFile = shippedRules('tsm-tickets-zeyos-tickets.yaml');

describe('sink-sync: tSM tickets <-> ZeyOS tickets (shipped rule set)', () => {
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
    const zeyosNames = zeyosStreams(prefix, 'demo', 'tickets');
    const tsmNames = tsmStreams(prefix, 'demo', 'tickets');
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

    // Both sides hold tickets before the sync starts. ZeyOS deletes are soft (visibility 2):
    // ZeyOS is state-polled, so a ticket the sync creates and someone purges before the next
    // poll is never seen (the sink's README says so). tSM reports every delete through its
    // /log; its soft delete is status CANCELED, an ordinary state for these rules.
    const tsmMix = { create: 6, update: 4, softDelete: 1, delete: 1 };
    const zeyosMix = { create: 6, update: 4, softDelete: 2, delete: 0 };
    const tsmLoad = { entities: ['tickets'], mix: tsmMix };
    const zeyosLoad = { entities: ['tickets'], mix: zeyosMix };
    zeyosSim.admin.workload.runOps(60, zeyosLoad);
    tsmSim.admin.workload.runOps(60, tsmLoad);

    const zeyos = simClient(zeyosSim);
    const tsm = tsmSimClient(tsmSim);
    const zeyosForSink = simClient(zeyosSim);
    const tsmForSink = tsmSimClient(tsmSim);
    clients.push(zeyos, tsm, zeyosForSink, tsmForSink);
    pollers.push(
      startPoller(kafka, zeyos, zeyosNames, { entity: 'tickets', startMode: { mode: 'snapshot' } }),
      startTsmPoller(kafka, tsm, tsmNames, { entity: 'tickets' }),
    );
    const targets = new Map<System, SyncTarget>([
      ['zeyos', zeyosTarget(zeyosForSink)],
      ['tsm', tsmTarget(tsmForSink)],
    ]);
    counting = await startCountingSink(kafka, rulesFile, targets, prefix);
    // From the beginning, once the sink has made its dead-letter topic.
    const deadLetters = await collect(kafka, [
      sync.deadLetters,
      zeyosNames.deadLetters,
      tsmNames.deadLetters,
    ]);
    clients.push(deadLetters);

    // Concurrent edits on both sides while the sync runs.
    for (let round = 0; round < 6; round++) {
      zeyosSim.admin.workload.runOps(20, zeyosLoad);
      tsmSim.admin.workload.runOps(20, tsmLoad);
      await pause(300);
    }

    const check = async () => {
      const { zeyosTickets, tsmTickets } = await ticketStores(zeyos, tsm);
      return ticketDifferences(zeyosTickets, tsmTickets);
    };
    const last = await untilSettled(check, counting, 90_000);
    if (last.length > 0) {
      // Not converged: what the sink skipped, and each differing ticket's history on both
      // sides (who changed it when), so a failure can be explained from its output alone.
      console.error('not converged', { writes: counting.writes, skips: [...counting.skips] });
      for (const problem of last.slice(0, 5)) {
        const code = /ticket (\S+) \(/.exec(problem)?.[1];
        const id = /\(ID (\d+)\)/.exec(problem)?.[1];
        const zeyosHistory = zeyosSim.journal
          .all()
          .filter((e) => e.entity === 'tickets' && String(e.id) === id)
          .map((e) => `${e.op}/${String(e.visibility)}@${String(e.lastmodified)} ${e.source}`);
        const tsmHistory = tsmSim.journal
          .all()
          .filter((e) => e.entity === 'tickets' && e.code === code)
          .map((e) => `${e.op} v${e.version}@${e.whenEdited} ${e.source}`);
        console.error(problem, JSON.stringify({ zeyosHistory, tsmHistory }));
      }
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(counting.writes).toBeGreaterThan(50);
    // The workloads did what the comparison is meant to cover.
    const { zeyosTickets, tsmTickets } = await ticketStores(zeyos, tsm);
    expect(zeyosTickets.filter((t) => t['visibility'] !== 0).length).toBeGreaterThan(3);
    expect(tsmTickets.some((t) => t['status'] === 'CANCELED')).toBe(true);
    const tsmDeletes = tsmSim.journal
      .all()
      .filter((e) => e.entity === 'tickets' && e.op === 'delete' && e.source === 'workload');
    expect(tsmDeletes.length).toBeGreaterThan(3);

    // Quiet: no write for a while (no ping-pong), still converged, nothing dead-lettered.
    const before = counting.writes;
    await pause(3_000);
    expect(counting.applied.slice(before)).toEqual([]);
    expect(await check()).toEqual([]);
    const reasons = deadLetters.messages.map(
      (message) => headersToStrings(message.headers)['tidemark-dlq-reason'],
    );
    expect(reasons).toEqual([]);
  }, 180_000);
});
