import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { deleteTopics, headersToStrings } from '@tidemark/kafka';
import type { PeaktmsSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics, zeyosTarget, type SyncTarget } from '@tidemark/sink-sync';
import { testKafka } from '../support/kafka.js';
import { collect, simClient, startSim, type InProcessPoller } from '../support/poller.js';
import {
  peakClient,
  peakTopics,
  startPeakPoller,
  startPeakSim,
} from '../support/poller-peaktms.js';
import {
  pause,
  shippedRules,
  startCountingSink,
  untilSettled,
  type CountingSink,
} from '../support/sync.js';
import {
  activityAttribute,
  appointmentDifferences,
  appointmentStores,
} from '../support/sync-appointments.js';

const rulesFile = shippedRules('peaktms-activities-zeyos-appointments.yaml');

describe('sink-sync: PeakTMS activities -> ZeyOS appointments (shipped rule set)', () => {
  const kafka = testKafka();
  let peakSim: PeaktmsSimulator | undefined;
  let zeyosSim: ZeyosSimulator | undefined;
  const clients: { close(): Promise<void> }[] = [];
  const pollers: InProcessPoller[] = [];
  let counting: CountingSink | undefined;
  let topics: string[] = [];

  afterEach(async () => {
    await counting?.sink.stop();
    for (const poller of pollers.splice(0)) await poller.stop();
    for (const client of clients.splice(0)) await client.close();
    await peakSim?.close();
    await zeyosSim?.close();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('under a PeakTMS workload the appointments follow record by record and go quiet', async () => {
    peakSim = await startPeakSim();
    zeyosSim = await startSim();
    const setup = await peakTopics(kafka, 'activities');
    const sync = syncTopics(setup.prefix);
    topics = [...setup.all, sync.idMap, sync.deadLetters];

    // Creates, edits (names, periods, descriptions, other attributes), cancellations and
    // deletes, before the sync starts (its snapshot) and while it runs.
    const workload = {
      entities: ['activities'],
      mix: { create: 6, update: 4, softDelete: 1, delete: 1 },
    };
    peakSim.admin.workload.runOps(60, workload);

    const peaktms = peakClient(peakSim);
    const zeyos = simClient(zeyosSim);
    const peaktmsForPoller = peakClient(peakSim);
    const zeyosForSink = simClient(zeyosSim);
    clients.push(peaktms, zeyos, peaktmsForPoller, zeyosForSink);
    pollers.push(startPeakPoller(kafka, peaktmsForPoller, setup.names, { kind: 'activities' }));
    const targets = new Map<System, SyncTarget>([['zeyos', zeyosTarget(zeyosForSink)]]);
    counting = await startCountingSink(kafka, rulesFile, targets, setup.prefix);
    // From the beginning, once the sink has made its dead-letter topic.
    const deadLetters = await collect(kafka, [sync.deadLetters, setup.names.deadLetters]);
    clients.push(deadLetters);

    for (let round = 0; round < 6; round++) {
      peakSim.admin.workload.runOps(20, workload);
      await pause(300);
    }

    const check = async () => {
      const { activities, appointments } = await appointmentStores(peaktms, zeyos);
      return appointmentDifferences(activities, appointments);
    };
    const last = await untilSettled(check, counting, 60_000);
    if (last.length > 0) {
      console.error('not converged', { writes: counting.writes, skips: [...counting.skips] });
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(counting.writes).toBeGreaterThan(50);
    // The workload did what the comparison is meant to cover.
    const { activities } = await appointmentStores(peaktms, zeyos);
    expect(activities.length).toBeGreaterThan(50);
    expect(activities.some((a) => activityAttribute(a, 'Status') === 'Cancelled')).toBe(true);
    const ops = peakSim.journal
      .all()
      .filter((e) => e.kind === 'activities' && e.source === 'workload');
    expect(ops.filter((e) => e.op === 'delete').length).toBeGreaterThan(3);

    // Quiet: no write for a while, still converged, and nothing dead-lettered.
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
