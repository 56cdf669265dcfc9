import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateHash } from '../core/canonical.js';
import type { JournalPage, JournalRecord } from '../core/journal.js';
import type { ZeyosJournalEntry } from './db.js';
import { startZeyosSimulator, type ZeyosSimulator } from './simulator.js';
import { zeyosTestClient } from './testing.js';

const FROZEN_AT = Date.UTC(2026, 0, 15, 12);

async function frozenSim(seed: string): Promise<ZeyosSimulator> {
  // Frozen from the start, so the demo data's timestamps repeat too (regression: two runs
  // that straddled a second boundary gave different journals).
  return startZeyosSimulator({ port: 0, seed, demoRecords: 3, clock: { freezeAtMs: FROZEN_AT } });
}

describe('workload generator and ground-truth journal', () => {
  let sim: ZeyosSimulator;
  beforeAll(async () => {
    sim = await frozenSim('workload');
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates, updates, soft-deletes and deletes, journaling every change', () => {
    const before = sim.journal.lastSeq;
    const status = sim.admin.workload.runOps(300, { entities: ['accounts', 'contacts', 'tasks'] });
    expect(status.opsDone).toBe(300);
    expect(status.errors).toBe(0);
    expect(Object.values(status.byOp).every((n) => n > 0)).toBe(true);
    const entries = sim.journal.read(before, 10_000).entries;
    expect(entries).toHaveLength(300);
    expect(entries.every((e) => e.source === 'workload')).toBe(true);
    expect(new Set(entries.map((e) => e.op))).toEqual(new Set(['create', 'update', 'delete']));
    expect(entries.some((e) => e.op === 'update' && e.visibility === 2)).toBe(true);
    expect(entries.every((e) => e.op === 'delete' || e.lastmodified === FROZEN_AT / 1000)).toBe(
      true,
    );
  });

  it('ends in a state the journal describes exactly (hash of each live record, 404 for deleted ones)', async () => {
    sim.admin.clock.apply({ reset: true });
    const client = zeyosTestClient(sim);
    const last = new Map<string, JournalRecord<ZeyosJournalEntry>>();
    for (const entry of sim.journal.all()) last.set(`${entry.entity}/${entry.id}`, entry);
    for (const [key, entry] of [...last].filter(([k]) => /^(accounts|contacts|tasks)\//.test(k))) {
      const plain = await client.api('GET', `/${key}`);
      if (entry.op === 'delete') {
        expect(plain.status).toBe(404);
        continue;
      }
      expect(stateHash(plain.json)).toBe(entry.hash);
      const full = await client.api('GET', `/${key}?extdata=1&tags=1`);
      expect(stateHash(full.json)).toBe(entry.fullHash);
      expect((plain.json as { lastmodified: number }).lastmodified).toBe(entry.lastmodified);
    }
    sim.admin.clock.apply({ freezeAtMs: FROZEN_AT });
  });

  it('pages the journal through the admin API', async () => {
    const seen: JournalRecord<ZeyosJournalEntry>[] = [];
    let after = 0;
    for (;;) {
      const response = await fetch(`${sim.admin.url}/journal?after=${after}&limit=97`);
      const page = (await response.json()) as JournalPage<ZeyosJournalEntry>;
      seen.push(...page.entries);
      if (page.entries.length === 0) break;
      after = page.nextAfter;
    }
    expect(seen).toEqual(sim.journal.all());
    const filtered = await fetch(`${sim.admin.url}/journal?entity=tasks&op=delete&limit=10000`);
    const tasks = ((await filtered.json()) as JournalPage<ZeyosJournalEntry>).entries;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((e) => e.entity === 'tasks' && e.op === 'delete')).toBe(true);
  });

  it('is deterministic under a seed', async () => {
    const run = async () => {
      const other = await frozenSim('same-seed');
      try {
        other.admin.workload.runOps(150, { hotRecords: 4 });
        return other.journal.all().map(({ entity, id, op, lastmodified, visibility, hash }) => ({
          entity,
          id,
          op,
          lastmodified,
          visibility,
          hash,
        }));
      } finally {
        await other.close();
      }
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(150);
    expect(await run()).toEqual(first);
  });

  it('runs on a timer, started and stopped through the admin API, several changes per second per hot record', async () => {
    const before = sim.journal.lastSeq;
    const start = await fetch(`${sim.admin.url}/workload/start`, {
      method: 'POST',
      body: JSON.stringify({
        ratePerSecond: 400,
        hotRecords: 2,
        entities: ['contacts'],
        mix: { create: 0, update: 1, softDelete: 0, delete: 0 },
      }),
    });
    expect(((await start.json()) as { running: boolean }).running).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stop = await fetch(`${sim.admin.url}/workload/stop`, { method: 'POST' });
    expect(((await stop.json()) as { running: boolean }).running).toBe(false);
    const entries = sim.journal.read(before, 100_000).entries;
    expect(entries.length).toBeGreaterThan(40);
    const perRecord = new Map<number, number>();
    for (const entry of entries) perRecord.set(entry.id, (perRecord.get(entry.id) ?? 0) + 1);
    expect(perRecord.size).toBe(2);
    // > 10 changes per record in 0.4 s, i.e. well above one per second per record.
    expect([...perRecord.values()].every((n) => n > 10)).toBe(true);
    const settled = sim.journal.lastSeq;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.journal.lastSeq).toBe(settled);
  });

  it('rejects bad workload settings with 400', async () => {
    const bad = await fetch(`${sim.admin.url}/workload/start`, {
      method: 'POST',
      body: '{"ratePerSecond":-1}',
    });
    expect(bad.status).toBe(400);
    const run = await fetch(`${sim.admin.url}/workload/run`, {
      method: 'POST',
      body: '{"ops":5,"maxOps":2}',
    });
    expect(run.status).toBe(200);
  });
});
