import type { Rng } from '../core/prng.js';
import type { ChangeContext, ZeyosInstanceDb } from './db.js';

/**
 * Seeded demo records: plausible values for the main entities, linked to each other, so the
 * local demo and tests have something to list, join and filter. Everything is drawn from the
 * seeded generator; the same seed gives the same records.
 */

const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Eva',
  'Felix',
  'Greta',
  'Hannah',
  'Jonas',
  'Lena',
  'Mia',
  'Noah',
  'Paul',
  'Sofia',
];
const LAST_NAMES = [
  'Becker',
  'Fischer',
  'Hoffmann',
  'Klein',
  'Koch',
  'Meyer',
  'Richter',
  'Schmidt',
  'Schulz',
  'Wagner',
  'Weber',
  'Wolf',
];
const COMPANY_WORDS = [
  'Alpine',
  'Blue',
  'Cedar',
  'Delta',
  'Falcon',
  'Harbor',
  'Lumen',
  'Nordic',
  'Orbit',
  'Quartz',
  'Silver',
  'Summit',
];
const COMPANY_KINDS = [
  'Building Equipment',
  'Logistics',
  'Textiles',
  'Lighting',
  'Software',
  'Foods',
  'Consulting',
  'Energy',
];
const LEGAL_FORMS = ['AG', 'GmbH', 'Ltd', 'KG', 'Inc.'];
const PLACES: readonly { city: string; postalcode: string; country: string; street: string }[] = [
  { city: 'Munich', postalcode: '80331', country: 'DE', street: 'Schmittstr.' },
  { city: 'Berlin', postalcode: '10115', country: 'DE', street: 'Invalidenstr.' },
  { city: 'Hamburg', postalcode: '20095', country: 'DE', street: 'Mönckebergstr.' },
  { city: 'Vienna', postalcode: '1010', country: 'AT', street: 'Graben' },
  { city: 'Graz', postalcode: '8010', country: 'AT', street: 'Herrengasse' },
  { city: 'London', postalcode: 'EC1A 1BB', country: 'GB', street: 'Queensstreet' },
  { city: 'Zurich', postalcode: '8001', country: 'CH', street: 'Bahnhofstr.' },
  { city: 'Paris', postalcode: '75001', country: 'FR', street: 'Rue de Rivoli' },
];
const VERBS = [
  'Review',
  'Prepare',
  'Call',
  'Ship',
  'Install',
  'Invoice',
  'Plan',
  'Check',
  'Update',
  'Order',
];
const OBJECTS = [
  'contract',
  'quote',
  'delivery',
  'meeting',
  'invoice',
  'report',
  'order',
  'website',
  'offer',
  'samples',
];

export function personName(rng: Rng): { firstname: string; lastname: string } {
  return { firstname: rng.pick(FIRST_NAMES), lastname: rng.pick(LAST_NAMES) };
}

export function companyName(rng: Rng): string {
  return `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_KINDS)} ${rng.pick(LEGAL_FORMS)}`;
}

export function phrase(rng: Rng): string {
  return `${rng.pick(VERBS)} ${rng.pick(OBJECTS)}`;
}

export function place(rng: Rng): (typeof PLACES)[number] {
  return rng.pick(PLACES);
}

/** Field values for a new record of `entity` that reference existing records where needed. */
export function randomRecord(
  db: ZeyosInstanceDb,
  entity: string,
  rng: Rng,
  userIds: readonly number[],
): Record<string, unknown> {
  const someId = (target: string): number | null => {
    const collection = db.collection(target);
    const top = collection.idWatermark;
    for (let i = 0; i < 8 && top > 0; i++) {
      const id = rng.int(1, top);
      if (collection.has(id)) return id;
    }
    return null;
  };
  const user = userIds.length === 0 ? null : rng.pick(userIds);
  // Business numbers (customer, project, ticket ...) come from a number range in an ERP, so
  // they are unique: derived from the ID the record is about to get. Random draws collided
  // (about 1 in 20 runs of a few hundred accounts), which no real ZeyOS install would do.
  const number = (prefix: string) =>
    `${prefix}-${String(100000 + db.collection(entity).idWatermark + 1)}`;
  switch (entity) {
    case 'contacts': {
      const at = place(rng);
      const person = rng.chance(0.6);
      const name = personName(rng);
      return {
        type: person ? 1 : 0,
        ...(person ? name : { lastname: companyName(rng) }),
        address: `${at.street} ${String(rng.int(1, 120))}`,
        postalcode: at.postalcode,
        city: at.city,
        country: at.country,
        email: `${name.firstname.toLowerCase()}.${name.lastname.toLowerCase()}@example.com`,
        phone: `+49 ${String(rng.int(100, 999))} ${String(rng.int(100000, 999999))}`,
        assigneduser: user,
      };
    }
    case 'accounts':
      return {
        lastname: companyName(rng),
        type: rng.int(0, 3),
        customernum: number('C'),
        currency: rng.pick(['EUR', 'EUR', 'GBP', 'CHF']),
        contact: someId('contacts'),
        assigneduser: rng.chance(0.7) ? user : null,
      };
    case 'addresses':
      return {
        account: someId('accounts') ?? 1,
        contact: someId('contacts') ?? 1,
        type: rng.int(0, 4),
      };
    case 'projects':
      return {
        name: `${phrase(rng)} project`,
        projectnum: number('P'),
        status: rng.int(0, 11),
        account: someId('accounts'),
        assigneduser: user,
      };
    case 'tasks':
      return {
        name: phrase(rng),
        tasknum: number('T'),
        status: rng.int(0, 11),
        priority: rng.int(0, 4),
        project: someId('projects'),
        assigneduser: user,
      };
    case 'tickets':
      return {
        name: phrase(rng),
        ticketnum: number('TK'),
        status: rng.int(0, 11),
        priority: rng.int(0, 4),
        account: someId('accounts'),
        assigneduser: user,
      };
    case 'appointments': {
      const start = db.clockSeconds() + rng.int(-30, 30) * 86_400;
      return {
        name: `${phrase(rng)} meeting`,
        location: place(rng).city,
        datefrom: start,
        dateto: start + 3600,
        assigneduser: user,
      };
    }
    case 'actionsteps':
      return {
        name: phrase(rng),
        actionnum: number('A'),
        status: rng.int(0, 3),
        effort: rng.int(0, 240),
        account: someId('accounts'),
        assigneduser: user,
      };
    case 'items':
      return {
        name: `${rng.pick(COMPANY_WORDS)} ${rng.pick(OBJECTS)}`,
        itemnum: number('SKU'),
        sellingprice: rng.int(100, 100000) / 100,
        purchaseprice: rng.int(50, 50000) / 100,
        unit: 'C62',
      };
    case 'transactions':
      return {
        transactionnum: number('INV'),
        type: rng.int(0, 3),
        status: rng.int(0, 4),
        account: someId('accounts'),
        currency: 'EUR',
        netamount: rng.int(1000, 1000000) / 100,
      };
    case 'notes':
      return {
        name: `${phrase(rng)} notes`,
        text: `${phrase(rng)}; ${phrase(rng)}.`,
        assigneduser: user,
      };
    default:
      return {};
  }
}

/** Entities that get demo records, in an order where references find earlier records. */
export const DEMO_ENTITIES = [
  'contacts',
  'accounts',
  'addresses',
  'projects',
  'tasks',
  'tickets',
  'appointments',
  'actionsteps',
  'items',
  'transactions',
  'notes',
] as const;

/**
 * Creates `perEntity` records of each demo entity, with creation and modification times spread
 * over the past 30 days (so incremental pollers have history to page through).
 */
export function seedDemoRecords(
  db: ZeyosInstanceDb,
  rng: Rng,
  perEntity: number,
  userIds: readonly number[],
  context: ChangeContext,
): void {
  const now = db.clockSeconds();
  for (const entity of DEMO_ENTITIES) {
    const stamps = Array.from({ length: perEntity }, () => now - rng.int(60, 30 * 86_400)).sort(
      (a, b) => a - b,
    );
    for (const stamp of stamps) {
      const values = randomRecord(db, entity, rng, userIds);
      db.insertRaw(entity, { ...values, creationdate: stamp, lastmodified: stamp }, context);
    }
  }
}
