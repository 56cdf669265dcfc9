import { afterEach, describe, expect, it } from 'vitest';
import { deleteTopics, ensureTopics, headersToStrings } from '@tidemark/kafka';
import { checkpointTopicSpec } from '@tidemark/poller';
import { streamNames as zeyosStreams } from '@tidemark/poller-zeyos';
import { streamNames as tsmStreams } from '@tidemark/poller-tsm';
import type { TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics } from '@tidemark/sink-sync';
import { testKafka, uniqueName } from '../support/kafka.js';
import {
  collect,
  simClient,
  startPoller,
  startSim,
  type InProcessPoller,
} from '../support/poller.js';
import { startTsmPoller, startTsmSim, tsmSimClient } from '../support/poller-tsm.js';
import { accountsCustomersRules, differences, spawnSyncService, stores } from '../support/sync.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KILLS = 6;

describe('sink-sync: kill -9 and faults in both systems', () => {
  const kafka = testKafka();
  let zeyosSim: ZeyosSimulator | undefined;
  let tsmSim: TsmSimulator | undefined;
  let sink: ReturnType<typeof spawnSyncService> | undefined;
  const closers: (() => Promise<void>)[] = [];
  let topics: string[] = [];

  afterEach(async () => {
    sink?.kill('SIGKILL');
    for (const close of closers.splice(0).reverse()) await close();
    await zeyosSim?.close();
    await tsmSim?.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it(`killed ${KILLS} times mid-run, the stores still converge and the sink goes quiet`, async () => {
    zeyosSim = await startSim();
    tsmSim = await startTsmSim();
    const prefix = uniqueName('synckill').replace(/[^a-z0-9-]/g, '');
    const zeyosNames = zeyosStreams(prefix, 'demo', 'accounts');
    const tsmNames = tsmStreams(prefix, 'demo', 'customers');
    const sync = syncTopics(prefix);
    topics = [
      zeyosNames.events,
      zeyosNames.deadLetters,
      zeyosNames.heartbeats,
      zeyosNames.checkpoints,
      tsmNames.events,
      tsmNames.deadLetters,
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

    // The same workload mix as the convergence test (see there why ZeyOS deletes are soft).
    const mix = { create: 6, update: 3, softDelete: 1, delete: 1 };
    const zeyosMix = { ...mix, softDelete: 2, delete: 0 };
    zeyosSim.admin.workload.runOps(40, { entities: ['accounts'], mix: zeyosMix });
    tsmSim.admin.workload.runOps(40, { entities: ['customers'], mix });

    // Faults on both sides, for the pollers and the sink alike: 5xx, 429 and short-lived
    // tokens. All are retryable; none may lose or repeat a write.
    const faults = { error500Rate: 0.05, error503Rate: 0.05, error429Rate: 0.05 };
    zeyosSim.admin.setKnobs({
      ...faults,
      retryAfterSeconds: 0,
      tokenTtlSeconds: 3,
      match: '/api/v1/accounts',
    });
    tsmSim.admin.setKnobs({ ...faults, retryAfterSeconds: 0, match: '/customers' });

    const zeyos = simClient(zeyosSim);
    const tsm = tsmSimClient(tsmSim);
    closers.push(
      () => zeyos.close(),
      () => tsm.close(),
    );
    const pollers: InProcessPoller[] = [
      startPoller(kafka, zeyos, zeyosNames, {
        entity: 'accounts',
        startMode: { mode: 'snapshot' },
      }),
      startTsmPoller(kafka, tsm, tsmNames, { entity: 'customers' }),
    ];
    for (const poller of pollers) closers.push(() => poller.stop());

    // Edits on both sides go on while the sink is killed at random moments and restarted.
    for (let kill = 0; kill < KILLS; kill++) {
      sink = spawnSyncService(zeyosSim, tsmSim, prefix, accountsCustomersRules);
      await sink.ready;
      zeyosSim.admin.workload.runOps(15, { entities: ['accounts'], mix: zeyosMix });
      tsmSim.admin.workload.runOps(15, { entities: ['customers'], mix });
      if (kill === 2) {
        zeyosSim.admin.expireTokens();
        tsmSim.admin.expireTokens();
      }
      await pause(200 + Math.floor(Math.random() * 1_500));
      const exited = new Promise((resolve) => sink?.once('exit', resolve));
      sink.kill('SIGKILL');
      await exited;
    }
    zeyosSim.admin.resetKnobs();
    tsmSim.admin.resetKnobs();
    sink = spawnSyncService(zeyosSim, tsmSim, prefix, accountsCustomersRules);
    await sink.ready;

    const check = async () => {
      const { accounts, customers } = await stores(zeyos, tsm);
      return differences(accounts, customers);
    };
    let last: string[] = ['not checked yet'];
    const deadline = Date.now() + 120_000;
    while (last.length > 0 && Date.now() < deadline) {
      last = await check();
      if (last.length > 0) await pause(500);
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(
      [...zeyosSim.admin.requests(), ...tsmSim.admin.requests()].some((r) => r.fault !== null),
    ).toBe(true);

    // Quiet: the sink's writes (journal entries made through the API) stop, and nothing was
    // dead-lettered: every fault was retryable.
    const apiWrites = () =>
      (zeyosSim?.journal.all().filter((e) => e.source === 'api').length ?? 0) +
      (tsmSim?.journal.all().filter((e) => e.source === 'api').length ?? 0);
    const deadLetters = await collect(kafka, [sync.deadLetters]);
    let seen = apiWrites();
    let lastWriteAt = Date.now();
    const quietBy = Date.now() + 60_000;
    while (Date.now() - lastWriteAt < 3_000 && Date.now() < quietBy) {
      await pause(250);
      if (apiWrites() !== seen) {
        seen = apiWrites();
        lastWriteAt = Date.now();
      }
    }
    expect(Date.now() - lastWriteAt).toBeGreaterThanOrEqual(3_000);
    expect(await check()).toEqual([]);
    const refused = deadLetters.messages.map(
      (m) => headersToStrings(m.headers)['tidemark-dlq-reason'],
    );
    await deadLetters.close();
    expect(refused).toEqual([]);
  }, 300_000);
});
