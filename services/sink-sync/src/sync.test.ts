import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import { buildChangeEvent, type Change, type JsonObject, type System } from '@tidemark/events';
import { eventToMessage, type ConsumedMessage } from '@tidemark/kafka';
import { loadRules } from '@tidemark/sync-rules';
import { EchoMemory } from './core/echoes.js';
import { IdMap, type IdMapRecord } from './core/id-map.js';
import type { TargetState } from './core/plan.js';
import { createSyncProcessor } from './sync.js';
import { ambiguousMatch, type SyncTarget } from './targets/target.js';

const rulesFile = fileURLToPath(
  new URL('../rules/zeyos-accounts-tsm-customers.yaml', import.meta.url),
);
const rules = loadRules(readFileSync(rulesFile, 'utf8'), rulesFile);
const customersEntity = { system: 'tsm', entity: 'customers' } as const;
const account = (id: string) => ({ system: 'zeyos', entity: 'accounts', id }) as const;

/**
 * An in-memory stand-in for a system (pure logic under test: the processor's decisions). It
 * keeps to the SyncTarget contract: versions change with every write, find refuses two matches.
 */
interface Row {
  record: JsonObject;
  version: number;
}

class MemoryTarget implements SyncTarget {
  readonly records = new Map<string, Map<string, Row>>();
  private nextId = 1;

  constructor(
    readonly system: System,
    private readonly now: () => number,
  ) {}

  archived(): JsonObject | undefined {
    return this.system === 'zeyos' ? { visibility: 1 } : { status: 'DELETED', active: false };
  }

  put(entity: string, id: string, record: JsonObject): void {
    const table = this.records.get(entity) ?? new Map<string, Row>();
    this.records.set(entity, table);
    table.set(id, { record: { ...record, lastmodified: this.now() / 1000 }, version: 1 });
  }

  read(entity: string, id: string): Promise<TargetState | undefined> {
    const row = this.records.get(entity)?.get(id);
    if (row === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      id,
      record: row.record,
      changedAtMs: Number(row.record['lastmodified']) * 1000,
      version: String(row.version),
    });
  }

  find(entity: string, field: string, value: string): Promise<TargetState | undefined> {
    const ids = [...(this.records.get(entity) ?? new Map<string, Row>()).entries()]
      .filter(([, row]) => row.record[field] === value)
      .map(([id]) => id);
    if (ids.length > 1) {
      return Promise.reject(ambiguousMatch('two match', { entity, field, ids }));
    }
    return ids[0] === undefined ? Promise.resolve(undefined) : this.read(entity, ids[0]);
  }

  create(entity: string, fields: JsonObject) {
    // ZeyOS numbers its records; the others get text ids here.
    const serial = this.nextId++;
    const id = this.system === 'zeyos' ? String(serial) : `${this.system}-${String(serial)}`;
    this.put(entity, id, fields);
    return Promise.resolve({ id, version: '1' });
  }

  update(entity: string, id: string, fields: JsonObject) {
    const row = this.records.get(entity)?.get(id);
    if (row === undefined) return Promise.reject(new Error('no such record'));
    row.record = { ...row.record, ...fields, lastmodified: this.now() / 1000 };
    row.version++;
    return Promise.resolve({ version: String(row.version) });
  }

  delete(entity: string, id: string): Promise<void> {
    this.records.get(entity)?.delete(id);
    return Promise.resolve();
  }

  asChange(state: TargetState) {
    const deleted = this.system === 'zeyos' && state.record['visibility'] === 2;
    return {
      op: deleted ? ('delete' as const) : ('update' as const),
      after: deleted ? null : state.record,
      changedAt: new Date(state.changedAtMs).toISOString(),
    };
  }
}

function message(change: Change): ConsumedMessage {
  const outgoing = eventToMessage(buildChangeEvent(change, { correlationId: 'c-1' }));
  return {
    topic: 'events',
    partition: 0,
    offset: '0',
    timestamp: String(Date.parse(change.changedAt)),
    key: Buffer.from(change.entityId),
    value: Buffer.from(outgoing.value ?? ''),
    headers: outgoing.headers ?? {},
  };
}

function accountChange(id: string, after: JsonObject, atMs: number): Change {
  return {
    op: 'update',
    system: 'zeyos',
    instance: 'demo',
    entityType: 'accounts',
    entityId: id,
    after: { ID: Number(id), visibility: 0, ...after },
    changedAt: new Date(atMs).toISOString(),
    version: `v${String(atMs)}`,
  };
}

function setUp() {
  let now = Date.parse('2026-11-23T10:00:00Z');
  const clock = () => now;
  const zeyos = new MemoryTarget('zeyos', clock);
  const tsm = new MemoryTarget('tsm', clock);
  const idMap = new IdMap();
  const process = createSyncProcessor({
    rules,
    targets: new Map<System, SyncTarget>([
      ['zeyos', zeyos],
      ['tsm', tsm],
    ]),
    idMap,
    echoes: new EchoMemory(),
    persistLinks: () => Promise.resolve(),
    signal: new AbortController().signal,
    clock,
  });
  const tick = () => (now += 2_000);
  return { zeyos, tsm, idMap, process, tick, clock };
}

describe('sync processor: two source records with the same match value', () => {
  const twins = { customernum: 'C-100001', description: '' };

  it('links the first, and refuses the second with a clear, non-retryable error', async () => {
    const { zeyos, tsm, idMap, process, tick, clock } = setUp();
    zeyos.put('accounts', '1', { ...twins, lastname: 'First', visibility: 0 });
    zeyos.put('accounts', '2', { ...twins, lastname: 'Second', visibility: 0 });

    await process(message(accountChange('1', { ...twins, lastname: 'First' }, clock())));
    tick();
    const refused = await process(
      message(accountChange('2', { ...twins, lastname: 'Second' }, clock())),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isTidemarkError(refused) && refused.code).toBe('SYNC_AMBIGUOUS_MATCH');
    expect(isTidemarkError(refused) && refused.retryable).toBe(false);
    expect(String(refused)).toMatch(/rule zeyos-accounts-to-tsm-customers: .*zeyos\/accounts\/1/);
    const customers = [...(tsm.records.get('customers')?.values() ?? [])];
    expect(customers.map((row) => row.record['name'])).toEqual(['First']);
    expect(idMap.targetOf(account('2'), customersEntity)).toBeUndefined();
    expect(idMap.targetOf(account('1'), customersEntity)).toBe('tsm-1');
  });

  it('moves the link when the record holding it is gone', async () => {
    const { zeyos, tsm, idMap, process, tick, clock } = setUp();
    zeyos.put('accounts', '1', { ...twins, lastname: 'First', visibility: 0 });
    await process(message(accountChange('1', { ...twins, lastname: 'First' }, clock())));
    // Purged in ZeyOS, and the poller has not reported it yet.
    await zeyos.delete('accounts', '1');
    zeyos.put('accounts', '2', { ...twins, lastname: 'Second', visibility: 0 });
    tick();

    await process(message(accountChange('2', { ...twins, lastname: 'Second' }, clock())));

    const customers = [...(tsm.records.get('customers')?.values() ?? [])];
    expect(customers.map((row) => row.record['name'])).toEqual(['Second']);
    expect(idMap.targetOf(account('2'), customersEntity)).toBe('tsm-1');
    expect(idMap.targetOf(account('1'), customersEntity)).toBeUndefined();
  });
});

describe('sync processor: a linked target that is gone', () => {
  function customerChange(id: string, op: Change['op'], after: JsonObject | null, atMs: number) {
    return {
      op,
      system: 'tsm',
      instance: 'demo',
      entityType: 'customers',
      entityId: id,
      after,
      changedAt: new Date(atMs).toISOString(),
      version: `v${String(atMs)}`,
    } satisfies Change;
  }

  it('is not made again before its delete comes through; a later partner change then revives it', async () => {
    const { zeyos, tsm, process, tick, clock } = setUp();
    const customer = { code: 'CUS-1', name: 'Acme', description: '', status: 'ACTIVE' };
    tsm.put('customers', 'c-1', customer);
    await process(message(customerChange('c-1', 'create', { id: 'c-1', ...customer }, clock())));
    const [accountId] = [...(zeyos.records.get('accounts')?.keys() ?? [])];
    expect(accountId).toBeDefined();
    tick();
    const deletedAt = clock();
    await tsm.delete('customers', 'c-1');
    tick();
    // The account changes in ZeyOS after the purge, before the purge's event is processed.
    await zeyos.update('accounts', accountId ?? '', { description: 'edited' });
    const edited = (await zeyos.read('accounts', accountId ?? ''))?.record ?? {};
    await process(message(accountChange(accountId ?? '', edited, clock())));
    expect(tsm.records.get('customers')?.size).toBe(0);

    await process(message(customerChange('c-1', 'delete', null, deletedAt)));
    // The account changed after the delete: last writer wins, and it comes back as a customer.
    const customers = [...(tsm.records.get('customers')?.values() ?? [])];
    expect(customers.map((row) => row.record['code'])).toEqual(['CUS-1']);
    expect((await zeyos.read('accounts', accountId ?? ''))?.record['visibility']).toBe(0);
  });

  it('archives its partner when the delete is the newer change', async () => {
    const { zeyos, tsm, process, tick, clock } = setUp();
    const customer = { code: 'CUS-2', name: 'Beta', description: '', status: 'ACTIVE' };
    tsm.put('customers', 'c-2', customer);
    await process(message(customerChange('c-2', 'create', { id: 'c-2', ...customer }, clock())));
    const [accountId] = [...(zeyos.records.get('accounts')?.keys() ?? [])];
    tick();
    await zeyos.update('accounts', accountId ?? '', { description: 'edited' });
    const edited = (await zeyos.read('accounts', accountId ?? ''))?.record ?? {};
    const editedAt = clock();
    tick();
    const deletedAt = clock();
    await tsm.delete('customers', 'c-2');
    // The account's edit is processed after the purge happened, before its event.
    await process(message(accountChange(accountId ?? '', edited, editedAt)));
    expect(tsm.records.get('customers')?.size).toBe(0);

    await process(message(customerChange('c-2', 'delete', null, deletedAt)));
    expect(tsm.records.get('customers')?.size).toBe(0);
    expect((await zeyos.read('accounts', accountId ?? ''))?.record['visibility']).toBe(1);
  });
});

describe('sync processor: errors', () => {
  it('makes a 401 that outlived the client re-login retryable, never a dead letter', async () => {
    const { zeyos, tsm, process, clock } = setUp();
    zeyos.put('accounts', '7', { customernum: 'C-7', lastname: 'Gamma', visibility: 0 });
    tsm.find = () =>
      Promise.reject(
        new TidemarkError('HTTP_UNAUTHORIZED', 'tSM search failed with status 401', {
          retryable: false,
        }),
      );
    const failure = await process(
      message(accountChange('7', { customernum: 'C-7', lastname: 'Gamma' }, clock())),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTidemarkError(failure) && failure.code).toBe('HTTP_UNAUTHORIZED');
    expect(isTidemarkError(failure) && failure.retryable).toBe(true);
    expect(String(failure)).toMatch(/^.*rule zeyos-accounts-to-tsm-customers: tSM search failed/);
  });
});

describe('sync processor: a crash between a create and its link', () => {
  it('the created record finds its partner through the intent written ahead', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const clock = () => now;
    const zeyos = new MemoryTarget('zeyos', clock);
    const tsm = new MemoryTarget('tsm', clock);
    const targets = new Map<System, SyncTarget>([
      ['zeyos', zeyos],
      ['tsm', tsm],
    ]);
    // What reached the id-map topic; the write after the create never does (the crash).
    const topic: IdMapRecord[] = [];
    let writes = 0;
    const crashing = createSyncProcessor({
      rules,
      targets,
      idMap: new IdMap(),
      echoes: new EchoMemory(),
      persistLinks: (records) => {
        if (++writes > 1) return Promise.reject(new Error('killed'));
        topic.push(...records);
        return Promise.resolve();
      },
      signal: new AbortController().signal,
      clock,
    });
    const customer = { id: 'c-9', code: 'CUS-9', name: 'Delta', description: '', status: 'ACTIVE' };
    tsm.put('customers', 'c-9', customer);
    const created = {
      op: 'create',
      system: 'tsm',
      instance: 'demo',
      entityType: 'customers',
      entityId: 'c-9',
      after: customer,
      changedAt: new Date(clock()).toISOString(),
      version: '0',
    } satisfies Change;
    await expect(crashing(message(created))).rejects.toThrow('killed');
    const [accountId] = [...(zeyos.records.get('accounts')?.keys() ?? [])];
    expect(accountId).toBeDefined();

    // Restarted: the id map rebuilt from the topic. Meanwhile the customer was purged, and the
    // account's event comes before the customer's (partitions are not ordered among each other).
    const idMap = new IdMap();
    for (const record of topic) idMap.applyRecord(record.key, record.value);
    const restarted = createSyncProcessor({
      rules,
      targets,
      idMap,
      echoes: new EchoMemory(),
      persistLinks: () => Promise.resolve(),
      signal: new AbortController().signal,
      clock,
    });
    now += 2_000;
    const deletedAt = clock();
    await tsm.delete('customers', 'c-9');
    now += 2_000;
    const accountRecord = (await zeyos.read('accounts', accountId ?? ''))?.record ?? {};
    await restarted(message(accountChange(accountId ?? '', accountRecord, clock() - 4_000)));
    expect(tsm.records.get('customers')?.size).toBe(0);
    expect(idMap.targetOf(account(accountId ?? ''), customersEntity)).toBe('c-9');

    await restarted(
      message({
        ...created,
        op: 'delete',
        after: null,
        changedAt: new Date(deletedAt).toISOString(),
        version: 'd',
      }),
    );
    expect((await zeyos.read('accounts', accountId ?? ''))?.record['visibility']).toBe(1);
    expect(tsm.records.get('customers')?.size).toBe(0);
  });
});
