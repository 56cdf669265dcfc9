import type { Rng } from '../core/prng.js';
import type { ObjectKind } from './catalogue.js';
import type { PeakChangeContext, PeakDb } from './db.js';
import { formatZoned } from './zoned.js';

const CUSTOMERS = ['Acme GmbH', 'Globex AG', 'Initech', 'Umbrella Labs', 'Stark Industries'];
const TESTS = ['Climate chamber', 'Vibration', 'EMC emission', 'Salt spray', 'Drop test'];

/** A valid create body for `kind`, drawn from `rng`; references only existing records. */
export function randomBody(db: PeakDb, kind: ObjectKind, rng: Rng): Record<string, unknown> {
  const nowMs = db.nowMs();
  const dayMs = 86_400_000;
  const begin = nowMs + rng.int(-20, 40) * dayMs;
  const period = {
    begin: formatZoned(begin, db.zone),
    end: formatZoned(begin + rng.int(1, 48) * 3_600_000, db.zone),
  };
  const pick = (of: ObjectKind) => {
    const ids = [...db.store(of).keys()];
    return ids.length === 0 ? null : rng.pick(ids);
  };
  const pool = rng.pick([...db.dataPools]);
  switch (kind) {
    case 'projects':
      return {
        type: 'Customer project',
        name: `${rng.pick(CUSTOMERS)} qualification ${rng.int(1, 999)}`,
        dataPool: pool,
        ...period,
        attributes: [
          { name: 'Customer', value: rng.pick(CUSTOMERS) },
          { name: 'Budget', value: rng.int(10, 5000) * 100 },
        ],
      };
    case 'resources':
      return {
        type: 'Test bench',
        name: `Bench ${rng.int(1, 999)}`,
        dataPool: pool,
        location: rng.pick(['Berlin', 'Munich']),
        attributes: [
          { name: 'Serial number', value: `SN-${rng.hex(6)}` },
          { name: 'Capacity', value: rng.int(1, 8) },
          { name: 'In service', value: rng.chance(0.8) },
        ],
      };
    case 'activityseries':
      return {
        type: 'Test series',
        name: `${rng.pick(TESTS)} series`,
        dataPool: pool,
        projectId: pick('projects'),
        ...period,
        attributes: [{ name: 'Interval days', value: rng.int(1, 14) }],
      };
    case 'activities': {
      const resource = pick('resources');
      return {
        type: 'Test',
        name: `${rng.pick(TESTS)} #${rng.int(1, 9999)}`,
        dataPool: pool,
        location: rng.pick(['Berlin', 'Munich', 'Remote']),
        projectId: pick('projects'),
        seriesId: pick('activityseries'),
        resources: resource === null ? [] : [resource],
        ...period,
        attributes: [
          { name: 'Customer', value: rng.pick(CUSTOMERS) },
          { name: 'Samples', value: rng.int(1, 20) },
          { name: 'Priority', value: rng.pick(['Low', 'Medium', 'High']) },
          { name: 'Labels', value: [rng.pick(['EMC', 'Climate', 'Vibration'])] },
          { name: 'Billable', value: rng.chance(0.5) },
        ],
      };
    }
  }
}

/**
 * The demo data of a fresh start: resources, projects, one series per project and activities,
 * created by the demo user over the past days (the clock is stepped while seeding).
 */
export function seedDemoData(
  db: PeakDb,
  rng: Rng,
  count: number,
  user: string,
  setClock: (ms: number | null) => void,
): void {
  if (count === 0) return;
  const context: PeakChangeContext = { user, source: 'seed' };
  const startMs = Date.now() - 10 * 86_400_000;
  const order: ObjectKind[] = ['resources', 'projects', 'activityseries'];
  const total = order.length + count;
  let step = 0;
  const at = () => setClock(startMs + Math.floor((step++ * 9 * 86_400_000) / total));
  try {
    for (const kind of order) {
      at();
      db.create(kind, randomBody(db, kind, rng), context);
    }
    for (let i = 0; i < count; i++) {
      at();
      const kind = rng.pick<ObjectKind>([
        'activities',
        'activities',
        'activities',
        'resources',
        'projects',
      ]);
      db.create(kind, randomBody(db, kind, rng), context);
    }
  } finally {
    setClock(null);
  }
}
