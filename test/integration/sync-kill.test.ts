import { afterEach, describe, expect, it } from 'vitest';
import { deleteTopics, ensureTopics, headersToStrings, type KafkaClient } from '@tidemark/kafka';
import { checkpointTopicSpec } from '@tidemark/poller';
import { streamNames as zeyosStreams } from '@tidemark/poller-zeyos';
import { streamNames as tsmStreams } from '@tidemark/poller-tsm';
import type { PeaktmsSimulator, TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics } from '@tidemark/sink-sync';
import { testKafka, uniqueName } from '../support/kafka.js';
import { collect, simClient, startPoller, startSim } from '../support/poller.js';
import {
  peakClient,
  peakTopics,
  startPeakPoller,
  startPeakSim,
} from '../support/poller-peaktms.js';
import { startTsmPoller, startTsmSim, tsmSimClient } from '../support/poller-tsm.js';
import type { SpawnedService } from '../support/service.js';
import {
  accountsCustomersRules,
  differences as customerDifferences,
  pause,
  shippedRules,
  spawnSyncService,
  stores as customerStores,
} from '../support/sync.js';
import { appointmentDifferences, appointmentStores } from '../support/sync-appointments.js';

const KILLS = 5;
/** Retryable faults only: none may lose or repeat a write. */
const faults = { error500Rate: 0.05, error503Rate: 0.05, error429Rate: 0.05, retryAfterSeconds: 0 };

/** One shipped rule set with its systems running: simulators, pollers, workload and check. */
interface Running {
  zeyos: ZeyosSimulator;
  tsm?: TsmSimulator;
  peaktms?: PeaktmsSimulator;
  /** The topic prefix, where the setup chose its own. */
  prefix?: string;
  topics: string[];
  /** One round of edits on the source side(s). */
  edit(ops: number): void;
  /** What the rule set promises, as a list of differences (empty = converged). */
  check(): Promise<string[]>;
  deadLetterTopics: string[];
  close(): Promise<void>;
}

interface Scenario {
  name: string;
  rules: string;
  start(kafka: KafkaClient, prefix: string): Promise<Running>;
}

/** ZeyOS deletes are soft here: see the convergence tests for why (state polling). */
const zeyosMix = { create: 6, update: 3, softDelete: 2, delete: 0 };
const twoWayMix = { create: 6, update: 3, softDelete: 1, delete: 1 };

/** ZeyOS and tSM, both polled, for the two-way rule sets on `zeyosEntity` and `tsmEntity`. */
async function zeyosAndTsm(
  kafka: KafkaClient,
  prefix: string,
  zeyosEntity: string,
  tsmEntity: string,
  check: (
    zeyos: ReturnType<typeof simClient>,
    tsm: ReturnType<typeof tsmSimClient>,
  ) => Promise<string[]>,
): Promise<Running> {
  const zeyosSim = await startSim();
  const tsmSim = await startTsmSim();
  const zeyosNames = zeyosStreams(prefix, 'demo', zeyosEntity);
  const tsmNames = tsmStreams(prefix, 'demo', tsmEntity);
  const sync = syncTopics(prefix);
  await ensureTopics(kafka, [
    ...[zeyosNames.events, zeyosNames.deadLetters, tsmNames.events, tsmNames.deadLetters].map(
      (name) => ({ name, partitions: 3 }),
    ),
    { name: zeyosNames.heartbeats, partitions: 3, cleanupPolicy: 'compact' },
    checkpointTopicSpec(zeyosNames.checkpoints, { partitions: 3 }),
  ]);
  const zeyosLoad = { entities: [zeyosEntity], mix: zeyosMix };
  const tsmLoad = { entities: [tsmEntity], mix: twoWayMix };
  zeyosSim.admin.workload.runOps(40, zeyosLoad);
  tsmSim.admin.workload.runOps(40, tsmLoad);
  const zeyos = simClient(zeyosSim);
  const tsm = tsmSimClient(tsmSim);
  const pollers = [
    startPoller(kafka, zeyos, zeyosNames, { entity: zeyosEntity, startMode: { mode: 'snapshot' } }),
    startTsmPoller(kafka, tsm, tsmNames, { entity: tsmEntity }),
  ];
  return {
    zeyos: zeyosSim,
    tsm: tsmSim,
    topics: [
      zeyosNames.events,
      zeyosNames.deadLetters,
      zeyosNames.heartbeats,
      zeyosNames.checkpoints,
      tsmNames.events,
      tsmNames.deadLetters,
      sync.idMap,
      sync.deadLetters,
    ],
    edit(ops) {
      zeyosSim.admin.workload.runOps(ops, zeyosLoad);
      tsmSim.admin.workload.runOps(ops, tsmLoad);
    },
    check: () => check(zeyos, tsm),
    deadLetterTopics: [sync.deadLetters, zeyosNames.deadLetters, tsmNames.deadLetters],
    async close() {
      for (const poller of pollers) await poller.stop();
      await zeyos.close();
      await tsm.close();
      await zeyosSim.close();
      await tsmSim.close();
    },
  };
}

const scenarios: Scenario[] = [
  {
    name: 'ZeyOS accounts <-> tSM customers',
    rules: accountsCustomersRules,
    start: (kafka, prefix) =>
      zeyosAndTsm(kafka, prefix, 'accounts', 'customers', async (zeyos, tsm) => {
        const { accounts, customers } = await customerStores(zeyos, tsm);
        return customerDifferences(accounts, customers);
      }),
  },
  {
    name: 'PeakTMS activities -> ZeyOS appointments',
    rules: shippedRules('peaktms-activities-zeyos-appointments.yaml'),
    async start(kafka) {
      const peakSim = await startPeakSim();
      const zeyosSim = await startSim();
      const setup = await peakTopics(kafka, 'activities');
      const sync = syncTopics(setup.prefix);
      const load = { entities: ['activities'], mix: twoWayMix };
      peakSim.admin.workload.runOps(40, load);
      const peaktms = peakClient(peakSim);
      const zeyos = simClient(zeyosSim);
      const poller = startPeakPoller(kafka, peakClient(peakSim), setup.names, {
        kind: 'activities',
      });
      return {
        zeyos: zeyosSim,
        peaktms: peakSim,
        prefix: setup.prefix,
        topics: [...setup.all, sync.idMap, sync.deadLetters],
        edit: (ops) => void peakSim.admin.workload.runOps(ops, load),
        async check() {
          const { activities, appointments } = await appointmentStores(peaktms, zeyos);
          return appointmentDifferences(activities, appointments);
        },
        deadLetterTopics: [sync.deadLetters, setup.names.deadLetters],
        async close() {
          await poller.stop();
          await peaktms.close();
          await zeyos.close();
          await peakSim.close();
          await zeyosSim.close();
        },
      };
    },
  },
];

describe.each(scenarios)('sink-sync, $name: kill -9 and faults', (scenario) => {
  const kafka = testKafka();
  let running: Running | undefined;
  let sink: SpawnedService | undefined;

  afterEach(async () => {
    sink?.kill('SIGKILL');
    await running?.close();
    await deleteTopics(kafka, running?.topics ?? []).catch(() => undefined);
    running = undefined;
  });

  it(`killed ${KILLS} times mid-run, the stores still converge and the sink goes quiet`, async () => {
    const prefixWanted = uniqueName('synckill').replace(/[^a-z0-9-]/g, '');
    running = await scenario.start(kafka, prefixWanted);
    const prefix = running.prefix ?? prefixWanted;
    const sims = [running.zeyos, running.tsm, running.peaktms].filter((sim) => sim !== undefined);
    // Faults on every system, for the pollers and the sink alike, and short-lived ZeyOS tokens.
    for (const sim of sims) sim.admin.setKnobs(faults);
    running.zeyos.admin.setKnobs({ tokenTtlSeconds: 3 });
    const targets = { zeyos: running.zeyos, tsm: running.tsm };

    // Edits go on while the sink is killed at random moments and restarted.
    for (let kill = 0; kill < KILLS; kill++) {
      sink = spawnSyncService(targets, prefix, scenario.rules);
      await sink.ready;
      running.edit(15);
      if (kill === 2) for (const sim of sims) sim.admin.expireTokens();
      await pause(200 + Math.floor(Math.random() * 1_500));
      const exited = new Promise((resolve) => sink?.once('exit', resolve));
      sink.kill('SIGKILL');
      await exited;
    }
    for (const sim of sims) sim.admin.resetKnobs();
    sink = spawnSyncService(targets, prefix, scenario.rules);
    await sink.ready;

    let last: string[] = ['not checked yet'];
    const deadline = Date.now() + 120_000;
    while (last.length > 0 && Date.now() < deadline) {
      last = await running.check();
      if (last.length > 0) await pause(500);
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(sims.some((sim) => sim.admin.requests().some((r) => r.fault !== null))).toBe(true);

    // Quiet: the sink's writes (journal entries made through the API of the target systems)
    // stop, and nothing was dead-lettered: every fault was retryable.
    const apiWrites = () =>
      (running?.zeyos.journal.all().filter((e) => e.source === 'api').length ?? 0) +
      (running?.tsm?.journal.all().filter((e) => e.source === 'api').length ?? 0);
    const deadLetters = await collect(kafka, running.deadLetterTopics);
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
    expect(await running.check()).toEqual([]);
    const refused = deadLetters.messages.map(
      (m) => headersToStrings(m.headers)['tidemark-dlq-reason'],
    );
    await deadLetters.close();
    expect(refused).toEqual([]);
  }, 300_000);
});
