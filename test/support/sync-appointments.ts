/**
 * What the shipped rule set PeakTMS activities -> ZeyOS appointments promises, checked against
 * both stores.
 */
import type { PeaktmsClient } from '@tidemark/peaktms';
import type { ZeyosClient } from '@tidemark/zeyos';

type Row = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** A PeakTMS zoned date-time (`…+01:00[Europe/Berlin]`) as Unix seconds, by its offset. */
function unixSeconds(zoned: unknown): number {
  return Math.floor(Date.parse(text(zoned).replace(/\[[^\]]*\]$/, '')) / 1000);
}

export function activityAttribute(activity: Row, name: string): unknown {
  const list = Array.isArray(activity['attributes']) ? (activity['attributes'] as Row[]) : [];
  return list.find((entry) => entry['name'] === name)?.['value'] ?? null;
}

/** Every activity and every appointment, read through the clients (the stores' own answers). */
export async function appointmentStores(peaktms: PeaktmsClient, zeyos: ZeyosClient) {
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
export function appointmentDifferences(activities: Row[], appointments: Row[]): string[] {
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
      description: text(activityAttribute(activity, 'Description')),
      visibility: activityAttribute(activity, 'Status') === 'Cancelled' ? 1 : 0,
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
