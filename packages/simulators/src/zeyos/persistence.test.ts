import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { main } from './main.js';
import { startZeyosSimulator } from './simulator.js';
import { zeyosTestClient } from './testing.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zeyos-sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps records, IDs, tokens and the journal across a restart', async () => {
    const path = join(dir, 'state.jsonl');
    const first = await startZeyosSimulator({ port: 0, persistPath: path, demoRecords: 2 });
    const client = zeyosTestClient(first);
    const created = await client.api('PUT', '/accounts', {
      lastname: 'Survivor',
      extdata: { k: 'v' },
      tags: ['t'],
    });
    const id = (created.json as { ID: number }).ID;
    const removed = (await client.api('PUT', '/accounts', { lastname: 'Gone' })).json as {
      ID: number;
    };
    await client.api('DELETE', `/accounts/${removed.ID}`);
    const etag = (await client.api('GET', `/accounts/${id}`)).headers.get('etag');
    const journal = first.journal.all();
    const token = await client.token();
    await first.close();

    const second = await startZeyosSimulator({ port: 0, persistPath: path, demoRecords: 2 });
    try {
      const again = zeyosTestClient(second);
      const answer = await again.raw(
        'GET',
        `/demo/api/v1/accounts/${id}?extdata=1&tags=1`,
        undefined,
        {
          Authorization: `Bearer ${token}`,
        },
      );
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ lastname: 'Survivor', extdata: { k: 'v' }, tags: ['t'] });
      expect(answer.headers.get('etag')).toBe(etag);
      expect(second.journal.all()).toEqual(journal);
      // No demo data was added on top, and deleted IDs are not reused.
      expect(second.db().collection('accounts').size).toBe(first.db().collection('accounts').size);
      const next = (await again.api('PUT', '/accounts', { lastname: 'Next' })).json as {
        ID: number;
      };
      expect(next.ID).toBe(removed.ID + 1);
      expect(second.journal.lastSeq).toBe(journal.length + 1);
    } finally {
      await second.close();
    }
  });

  it('saves on demand through the admin API', async () => {
    const path = join(dir, 'admin.jsonl');
    const sim = await startZeyosSimulator({ port: 0, persistPath: path, demoRecords: 0 });
    try {
      const answer = await fetch(`${sim.admin.url}/snapshot`, { method: 'POST' });
      expect(await answer.json()).toEqual({ path });
      const header = JSON.parse((await readFile(path, 'utf8')).split('\n')[0] ?? '') as Record<
        string,
        unknown
      >;
      expect(header).toMatchObject({
        format: 'tidemark-simulator-snapshot',
        version: 1,
        system: 'zeyos',
      });
    } finally {
      await sim.close();
    }
  });

  it('refuses a file that is not a ZeyOS snapshot', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"format":"something-else"}\n');
    let caught: unknown;
    try {
      await startZeyosSimulator({ port: 0, persistPath: path });
    } catch (error) {
      caught = error;
    }
    expect(isTidemarkError(caught) && caught.code === 'STORAGE_FATAL').toBe(true);
  });
});

describe('startZeyosSimulator options', () => {
  it('rejects invalid options with CONFIG_INVALID listing every problem', async () => {
    let caught: unknown;
    try {
      await startZeyosSimulator({ instances: ['bad/name', '_admin'], persistIntervalMs: 10 });
    } catch (error) {
      caught = error;
    }
    expect(isTidemarkError(caught) && caught.code === 'CONFIG_INVALID').toBe(true);
    expect((caught as Error).message).toContain('persistIntervalMs');
    expect((caught as Error).message).toContain('bad/name');
  });

  it('serves several instances with separate data', async () => {
    const sim = await startZeyosSimulator({
      port: 0,
      instances: ['alpha', 'beta'],
      demoRecords: 0,
    });
    try {
      await zeyosTestClient(sim, 'alpha').api('PUT', '/accounts', { lastname: 'Only in alpha' });
      const alpha = await zeyosTestClient(sim, 'alpha').api('POST', '/accounts', { count: 1 });
      const beta = await zeyosTestClient(sim, 'beta').api('POST', '/accounts', { count: 1 });
      expect(alpha.json).toEqual({ count: 1 });
      expect(beta.json).toEqual({ count: 0 });
      expect(sim.urls('beta').api).toBe(`${sim.baseUrl}/beta/api/v1`);
    } finally {
      await sim.close();
    }
  });
});

describe('main (the CLI entry)', () => {
  it('prints one ready line, serves, and stops on SIGTERM saving the snapshot', async () => {
    const path = join(dir, 'main.jsonl');
    const out: string[] = [];
    const err: string[] = [];
    const signals = new EventEmitter();
    const exit = main(['--port', '0', '--seed', '9', '--persist', path, '--demo-records', '1'], {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      signals,
    });
    await expect.poll(() => out.length).toBe(1);
    const line = out[0] ?? '';
    expect(line).toMatch(/^zeyos simulator ready \{/);
    const ready = JSON.parse(line.slice(line.indexOf('{'))) as {
      baseUrl: string;
      api: string;
      credentials: Record<string, unknown>;
    };
    expect(ready.credentials).toMatchObject({
      username: 'demo',
      password: 'demo',
      clientId: 'tidemark',
    });
    expect((await fetch(`${ready.api}/accounts`, { method: 'POST' })).status).toBe(401);
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(err.join('\n')).toContain('stopped (SIGTERM)');
    expect((await readFile(path, 'utf8')).length).toBeGreaterThan(0);
    await expect(fetch(`${ready.baseUrl}/_admin`)).rejects.toThrow();
  });

  it('answers bad arguments with usage and exit code 2', async () => {
    const err: string[] = [];
    const code = await main(['--port', 'abc'], {
      stdout: () => undefined,
      stderr: (l) => err.push(l),
      signals: new EventEmitter(),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('usage: tidemark sim zeyos');
  });
});
