import { describe, expect, it } from 'vitest';
import { IdMap } from './id-map.js';

const account = { system: 'zeyos' as const, entity: 'accounts', id: '42' };
const customer = {
  system: 'tsm' as const,
  entity: 'customers',
  id: '0b9a6a4e-1111-4c2e-9d35-7c1a2b3c4d5e',
};

describe('IdMap', () => {
  it('links both ways and gives the records that make the link durable', () => {
    const map = new IdMap();
    const records = map.link(account, customer, 1_000);
    expect(map.targetOf(account, customer)).toBe(customer.id);
    expect(map.targetOf(customer, account)).toBe('42');
    expect(records.map((r) => r.key)).toEqual([
      'zeyos/accounts/42>tsm/customers',
      `tsm/customers/${customer.id}>zeyos/accounts`,
    ]);
    expect(JSON.parse(records[0]?.value ?? 'null')).toEqual({ id: customer.id, atMs: 1_000 });
  });

  it("relinking to a new partner removes the old partner's link", () => {
    // Regression: an account deleted in ZeyOS was recreated from its tSM customer; the old
    // account's purge event then still found the customer and archived it.
    const map = new IdMap();
    const first = map.link(customer, account, 1);
    const replacement = { ...account, id: '151' };
    const second = map.link(customer, replacement, 2);
    expect(map.targetOf(customer, account)).toBe('151');
    expect(map.targetOf(account, customer)).toBeUndefined();
    expect(map.targetOf(replacement, customer)).toBe(customer.id);
    expect(second).toContainEqual({ key: 'zeyos/accounts/42>tsm/customers', value: null });
    // The topic, replayed in order, gives the same map.
    const rebuilt = new IdMap();
    for (const record of [...first, ...second]) rebuilt.applyRecord(record.key, record.value);
    expect(rebuilt.targetOf(account, customer)).toBeUndefined();
    expect(rebuilt.targetOf(customer, account)).toBe('151');
  });

  it('notes a deletion on the link, durably, and only a later one replaces it', () => {
    const map = new IdMap();
    map.link(account, customer, 1);
    const marked = map.markDeleted(account, customer, 500);
    expect(map.deletedAt(account, customer)).toBe(500);
    expect(map.markDeleted(account, customer, 400)).toEqual([]);
    expect(map.markDeleted({ ...account, id: '7' }, customer, 500)).toEqual([]);
    const rebuilt = new IdMap();
    for (const record of marked) rebuilt.applyRecord(record.key, record.value);
    expect(rebuilt.deletedAt(account, customer)).toBe(500);
    expect(rebuilt.targetOf(account, customer)).toBe(customer.id);
  });

  it('rebuilds from its topic records, tombstones included', () => {
    const written = new IdMap();
    const records = [
      ...written.link(account, customer, 1),
      ...written.link({ ...account, id: '43' }, { ...customer, id: 'c-43' }, 2),
      ...written.unlink({ ...account, id: '43' }, { ...customer, id: 'c-43' }),
    ];
    const rebuilt = new IdMap();
    for (const record of records) rebuilt.applyRecord(record.key, record.value);
    expect(rebuilt.targetOf(account, customer)).toBe(customer.id);
    expect(rebuilt.targetOf({ ...account, id: '43' }, customer)).toBeUndefined();
    expect(rebuilt.size).toBe(2);
  });

  it('refuses records that are not id-map records, naming the key, never the value', () => {
    const map = new IdMap();
    expect(() => map.applyRecord('nonsense', '{}')).toThrow(/malformed key/);
    expect(() => map.applyRecord('sap/accounts/1>tsm/customers', '{}')).toThrow(/malformed key/);
    expect(() => map.applyRecord('zeyos/accounts/1>tsm/customers', 'secret')).toThrow(
      /malformed value/,
    );
  });
});
