import { describe, expect, it } from 'vitest';
import type { Change, JsonObject } from '@tidemark/events';
import { applyRule, rulesFor, sourceView, targetShape } from './apply.js';
import { MappingError } from './convert.js';
import { loadRules } from './load.js';

const rules = loadRules(
  `
version: 1
rules:
  - name: accounts-to-customers
    from: { system: zeyos, entity: accounts, ops: [create, update, snapshot, delete] }
    when: visibility = 0
    to: { system: tsm, entity: customers }
    fields:
      name: { from: lastname }
      address.city: { from: contact.city }
      status: { from: type, values: { "0": ACTIVE, "1": INACTIVE }, default: OTHER }
      validFrom: { from: creationdate, convert: unix-seconds-to-iso }
      kind: { const: COMPANY }
      label: { expr: "firstname & ' ' & lastname & ' (' & $event.id & ')'" }
    onDelete: archive
  - name: activities-to-appointments
    from: { system: peaktms, entity: activities, ops: [create, update] }
    to: { system: zeyos, entity: appointments }
    fields:
      name: { from: name }
      datefrom: { from: begin, convert: zoned-to-unix-seconds }
      location: { from: attributes.Room }
      priority: { from: attributes.Priority, values: { high: 2, low: 0 } }
  - name: customers-to-peaktms-projects
    from: { system: tsm, entity: customers }
    to: { system: peaktms, entity: projects }
    fields:
      name: { from: name }
      attributes.Customer: { from: code }
      attributes.Since: { from: auditInfo.whenInserted, convert: iso-to-zoned, zone: Europe/Berlin }
`,
  'test.yaml',
);

function change(partial: Partial<Change> & Pick<Change, 'system' | 'entityType'>): Change {
  return {
    op: 'update',
    instance: 'demo',
    entityId: '42',
    after: {},
    changedAt: '2026-11-23T10:00:00.000Z',
    version: '1',
    ...partial,
  };
}

const account: JsonObject = {
  ID: 42,
  lastname: 'Lovelace',
  firstname: 'Ada',
  type: 1,
  creationdate: 1_795_428_212,
  visibility: 0,
  contact: { city: 'London' },
};

function rule(name: string) {
  const found = rules.rules.find((r) => r.rule.name === name);
  if (found === undefined) throw new Error(name);
  return found;
}

describe('applyRule', () => {
  it('renames, nests, maps values, converts, sets constants and evaluates expressions', async () => {
    const outcome = await applyRule(
      rule('accounts-to-customers'),
      change({ system: 'zeyos', entityType: 'accounts', after: account }),
    );
    expect(outcome).toEqual({
      kind: 'write',
      fields: {
        name: 'Lovelace',
        address: { city: 'London' },
        status: 'INACTIVE',
        validFrom: '2026-11-23T10:03:32.000Z',
        kind: 'COMPANY',
        label: 'Ada Lovelace (42)',
      },
    });
  });

  it('uses the default for a value not in the map, and null for a missing source field', async () => {
    const outcome = await applyRule(
      rule('accounts-to-customers'),
      change({
        system: 'zeyos',
        entityType: 'accounts',
        after: { ...account, type: 5, contact: null },
      }),
    );
    expect(outcome.kind === 'write' && outcome.fields).toMatchObject({
      status: 'OTHER',
      address: { city: null },
    });
  });

  it('skips what the condition excludes and maps a delete to the rule delete mode', async () => {
    const archived = await applyRule(
      rule('accounts-to-customers'),
      change({ system: 'zeyos', entityType: 'accounts', after: { ...account, visibility: 1 } }),
    );
    expect(archived).toEqual({ kind: 'skip', reason: 'condition' });
    const deleted = await applyRule(
      rule('accounts-to-customers'),
      change({ system: 'zeyos', entityType: 'accounts', op: 'delete', after: null }),
    );
    expect(deleted).toEqual({ kind: 'delete', mode: 'archive' });
  });

  it('skips operations the rule does not list, and deletes when onDelete is ignore', async () => {
    const activity = rule('activities-to-appointments');
    expect(
      await applyRule(
        activity,
        change({ system: 'peaktms', entityType: 'activities', op: 'snapshot', after: {} }),
      ),
    ).toEqual({ kind: 'skip', reason: 'op' });
    const customers = rule('customers-to-peaktms-projects');
    expect(
      await applyRule(
        customers,
        change({ system: 'tsm', entityType: 'customers', op: 'delete', after: null }),
      ),
    ).toEqual({ kind: 'skip', reason: 'delete-ignored' });
  });

  it('reads PeakTMS attributes by name and writes them back as a list', async () => {
    const read = await applyRule(
      rule('activities-to-appointments'),
      change({
        system: 'peaktms',
        entityType: 'activities',
        after: {
          name: 'Review',
          begin: '2026-11-23T11:00:00+01:00[Europe/Berlin]',
          attributes: [
            { name: 'Room', dataType: 'TEXT', value: 'B12' },
            { name: 'Priority', dataType: 'VALUELIST', value: 'high' },
          ],
        },
      }),
    );
    expect(read).toEqual({
      kind: 'write',
      fields: { name: 'Review', datefrom: 1_795_428_000, location: 'B12', priority: 2 },
    });
    const written = await applyRule(
      rule('customers-to-peaktms-projects'),
      change({
        system: 'tsm',
        entityType: 'customers',
        after: { name: 'Acme', code: 'C-1', auditInfo: { whenInserted: '2026-07-01T08:00:00Z' } },
      }),
    );
    expect(written).toEqual({
      kind: 'write',
      fields: {
        name: 'Acme',
        attributes: [
          { name: 'Customer', value: 'C-1' },
          { name: 'Since', value: '2026-07-01T10:00:00+02:00[Europe/Berlin]' },
        ],
      },
    });
  });

  it('refuses a value the map does not know when there is no default', async () => {
    const outcome = applyRule(
      rule('activities-to-appointments'),
      change({
        system: 'peaktms',
        entityType: 'activities',
        after: { name: 'x', attributes: [{ name: 'Priority', value: 'urgent' }] },
      }),
    );
    await expect(outcome).rejects.toThrow(MappingError);
    await expect(outcome).rejects.toThrow(/priority: no value for "urgent"/);
  });

  it('refuses a value its conversion cannot read', async () => {
    const outcome = applyRule(
      rule('accounts-to-customers'),
      change({
        system: 'zeyos',
        entityType: 'accounts',
        after: { ...account, creationdate: 'yesterday' },
      }),
    );
    await expect(outcome).rejects.toThrow(/validFrom: not Unix seconds/);
  });
});

describe('rulesFor', () => {
  it('picks the rules reading from the change system and entity, in file order', () => {
    expect(
      rulesFor(rules, { system: 'zeyos', entityType: 'accounts' }).map((r) => r.rule.name),
    ).toEqual(['accounts-to-customers']);
    expect(rulesFor(rules, { system: 'zeyos', entityType: 'contacts' })).toEqual([]);
  });
});

describe('sourceView and targetShape', () => {
  it('leave other systems and records without an attribute list as they are', () => {
    const record = { attributes: [{ name: 'a', value: 1 }] };
    expect(sourceView('tsm', record)).toBe(record);
    expect(sourceView('peaktms', { name: 'x' })).toEqual({ name: 'x' });
    expect(targetShape('zeyos', { attributes: { a: 1 } })).toEqual({ attributes: { a: 1 } });
  });
});
