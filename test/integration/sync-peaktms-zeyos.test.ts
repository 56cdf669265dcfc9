import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { deleteTopics, headersToStrings } from '@tidemark/kafka';
import type { PeaktmsClient } from '@tidemark/peaktms';
import type { PeaktmsSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { syncTopics, zeyosTarget, type SyncTarget } from '@tidemark/sink-sync';
import type { ZeyosClient } from '@tidemark/zeyos';
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

const rulesFile = shippedRules('peaktms-activities-zeyos-appointments.yaml');

type Row = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** A PeakTMS zoned date-time (`…+01:00[Europe/Berlin]`) as Unix seconds, by its offset. */
function unixSeconds(zoned: unknown): number {
  return Math.floor(Date.parse(text(zoned).replace(/\[[^\]]*\]$/, '')) / 1000);
}

function attribute(activity: Row, name: string): unknown {
  const list = Array.isArray(activity['attributes']) ? (activity['attributes'] as Row[]) : [];
  return list.find((entry) => entry['name'] === name)?.['value'] ?? null;
}

/** Every activity and every appointment, read through the clients (the stores' own answers). */
async function stores(peaktms: PeaktmsClient, zeyos: ZeyosClient) {
  const activities: Row[] = [];
  for await (const record of peaktms.activities.queryAll({ pageSize: 1000 })) {
    activities.push(record);
  }
  const appointments: Row[] = [];
  const fields = ['ID', 'name', 'datefrom', 'dateto', 'location', 'description', 'visibility'];
  for await (const page of zeyos.pages(
    'appointments',
    { fields: [...fields, 'extdata.peaktmsid'] },
    { pageSize: 1000 },
  )) {
    appointments.push(...(page as Row[]));
  }
  return { activities, appointments };
}

/**
 * What the rule set promises, record by record, as a list of differences (empty = converged):
 * every activity PeakTMS logs (type Test) has exactly one appointment carrying its id, with
 * the mapped values, archived when cancelled; every appointment that carries an activity id
 * has that activity (a deleted activity's appointment is deleted). The demo appointments,
 * which carry no id, are not the rules' business.
 */
function differences(activities: Row[], appointments: Row[]): string[] {
  const problems: string[] = [];
  const byActivity = new Map<string, Row[]>();
  for (const appointment of appointments) {
    const id = text(appointment['extdata.peaktmsid']);
    if (id === '') continue;
    byActivity.set(id, [...(byActivity.get(id) ?? []), appointment]);
  }
  const logged = activities.filter((activity) => activity['type'] === 'Test');
  for (const activity of logged) {
    const id = text(activity['id']);
    const found = byActivity.get(id) ?? [];
    if (found.length !== 1) {
      problems.push(`activity ${id}: ${found.length} appointments`);
      continue;
    }
    const appointment = found[0] ?? {};
    const expected: Row = {
      name: activity['name'],
      datefrom: unixSeconds(activity['begin']),
      dateto: unixSeconds(activity['end']),
      location: text(activity['location']),
      description: text(attribute(activity, 'Description')),
      visibility: attribute(activity, 'Status') === 'Cancelled' ? 1 : 0,
    };
    for (const [field, value] of Object.entries(expected)) {
      if (appointment[field] !== value) {
        problems.push(
          `activity ${id}: ${field} ${JSON.stringify(appointment[field])}, expected ${JSON.stringify(value)}`,
        );
      }
    }
  }
  const live = new Set(activities.map((activity) => text(activity['id'])));
  for (const id of byActivity.keys()) {
    if (!live.has(id)) problems.push(`appointment of deleted activity ${id}`);
  }
  return problems;
}

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
      const { activities, appointments } = await stores(peaktms, zeyos);
      return differences(activities, appointments);
    };
    const last = await untilSettled(check, counting, 60_000);
    if (last.length > 0) {
      console.error('not converged', { writes: counting.writes, skips: [...counting.skips] });
    }
    expect(last.slice(0, 10)).toEqual([]);
    expect(counting.writes).toBeGreaterThan(50);
    // The workload did what the comparison is meant to cover.
    const { activities } = await stores(peaktms, zeyos);
    expect(activities.length).toBeGreaterThan(50);
    expect(activities.some((a) => attribute(a, 'Status') === 'Cancelled')).toBe(true);
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
