import type { Rng } from '../core/prng.js';
import type { TsmChangeContext, TsmDb } from './db.js';
import { tsmEntities } from './schema.js';

/** Seeded demo values shared by the demo data and the workload. */
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tech Tron', 'Hooli'];
const SUFFIX = ['s.r.o.', 'a.s.', 'GmbH', 'Ltd', 'Inc.'];
const WORDS = ['router', 'outage', 'billing', 'upgrade', 'fiber', 'VIP', 'urgent', 'modem', 'SLA'];
const PEOPLE = ['Jana Novak', 'Peter Horvath', 'Eva Kovac', 'Martin Szabo'];

export function companyName(rng: Rng): string {
  return `${rng.pick(COMPANY)} ${rng.pick(SUFFIX)}`;
}

export function phrase(rng: Rng): string {
  return `${rng.pick(WORDS)} ${rng.pick(WORDS)} ${rng.int(1, 999)}`;
}

export function personName(rng: Rng): string {
  return rng.pick(PEOPLE);
}

/** A new record body for an entity (codes unique through `serial`). */
export function randomBody(
  db: TsmDb,
  entity: string,
  rng: Rng,
  serial: number,
): Record<string, unknown> {
  switch (entity) {
    case 'customers':
      return {
        code: `CUS-${String(serial).padStart(5, '0')}`,
        name: companyName(rng),
        status: rng.pick(['NEW', 'ACTIVE', 'ACTIVE', 'INACTIVE']),
        customerType: rng.pick(['B2B', 'B2C']),
        revenue: rng.int(0, 500) * 100,
        ...(rng.chance(0.5) ? { remarks: phrase(rng) } : {}),
        tags: rng.chance(0.3) ? ['VIP'] : [],
        chars: { segment: rng.pick(['SMB', 'ENTERPRISE']), score: rng.int(0, 100) },
      };
    case 'tickets': {
      const customer = db.store('customers').randomId(rng);
      return {
        code: `T-${1000 + serial}`,
        name: phrase(rng),
        description: phrase(rng),
        status: rng.pick(['NEW', 'IN_PROGRESS', 'RESOLVED']),
        priority: rng.pick(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
        ...(rng.chance(0.7) ? { assignee: personName(rng) } : {}),
        ...(customer === undefined ? {} : { customerId: customer }),
        estimatedHours: rng.int(1, 40) / 2,
        tags: rng.chance(0.3) ? ['urgent'] : [],
      };
    }
    case 'entity-catalogs':
      return {
        code: `CAT-${String(serial).padStart(3, '0')}`,
        name: `Internet ${rng.pick([100, 300, 500, 1000])}`,
        chars: { downloadMbps: rng.pick([100, 300, 500, 1000]) },
      };
    default:
      return { code: `${entity.toUpperCase()}-${serial}`, name: phrase(rng) };
  }
}

/**
 * Users, roles, groups, registers with values, and `perEntity` customers and tickets (and up
 * to 10 catalog entries), modified over the past 30 days. `at(ms)` moves the simulated clock.
 */
export function seedDemoData(
  db: TsmDb,
  rng: Rng,
  perEntity: number,
  demoUser: string,
  at: (ms: number | null) => void,
): void {
  const context: TsmChangeContext = { user: 'system', source: 'seed' };
  const startMs = Date.now() - 30 * 86_400_000;
  let step = 0;
  const tick = () => at(Math.floor(startMs + (step++ * 30 * 86_400_000) / (perEntity * 3 + 40)));
  const create = (entity: string, body: Record<string, unknown>) => {
    tick();
    const def = tsmEntities.get(entity);
    if (def === undefined) throw new Error(`unknown entity ${entity}`);
    return db.create(def, body, context);
  };
  const roles = ['ADMIN', 'AGENT', 'VIEWER'].map((code) =>
    create('roles', { code, name: code.charAt(0) + code.slice(1).toLowerCase() }),
  );
  const groups = ['OPERATIONS', 'SUPPORT'].map((code) =>
    create('groups', { code, name: code.charAt(0) + code.slice(1).toLowerCase() }),
  );
  create('users', {
    code: demoUser,
    name: 'Demo User',
    email: `${demoUser}@example.com`,
    roleIds: [roles[0]?.id],
    groupIds: groups.map((group) => group.id),
  });
  PEOPLE.forEach((name, i) =>
    create('users', {
      code: name.split(' ')[0]?.toLowerCase(),
      name,
      email: `${name.toLowerCase().replace(' ', '.')}@example.com`,
      roleIds: [roles[1 + (i % 2)]?.id],
      groupIds: [groups[i % 2]?.id],
    }),
  );
  const titles = create('registers', {
    code: 'Reg.Crm.Titul.Pred.Menom',
    name: 'Titles before name',
  });
  const partner = create('registers', { code: 'Reg.Crm.Type.Partner', name: 'Partner types' });
  ['Ing.', 'Mgr.', 'MUDr.', 'Bc.', 'Mgr. art.'].forEach((value, i) =>
    create('register-values', {
      code: `${titles.code as string}.${i + 1}`,
      registerId: titles.id,
      value,
      name: value,
      order: i + 1,
    }),
  );
  ['Standard', 'VIP Gold', 'VIP Platinum', 'Reseller'].forEach((value, i) =>
    create('register-values', {
      code: `${partner.code as string}.${i + 1}`,
      registerId: partner.id,
      value,
      order: i + 1,
    }),
  );
  for (let i = 1; i <= perEntity; i++) create('customers', randomBody(db, 'customers', rng, i));
  for (let i = 1; i <= perEntity; i++) create('tickets', randomBody(db, 'tickets', rng, i));
  for (let i = 1; i <= Math.min(perEntity, 10); i++)
    create('entity-catalogs', randomBody(db, 'entity-catalogs', rng, i));
  at(null);
}
