import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../core/request-log.js';
import { startZeyosSimulator, type ZeyosSimulator } from './simulator.js';
import { zeyosTestClient, type ZeyosTestClient } from './testing.js';

let sim: ZeyosSimulator;
let client: ZeyosTestClient;

beforeAll(async () => {
  sim = await startZeyosSimulator({ port: 0, seed: 'knobs', demoRecords: 5 });
  client = zeyosTestClient(sim);
  await client.token();
});
afterEach(() => {
  sim.admin.resetKnobs();
});
afterAll(async () => {
  await sim.close();
});

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sim.admin.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const list = () => client.api('POST', '/contacts', { fields: ['ID'], limit: 2 });

describe('fault knobs', () => {
  it('injects a scripted 503 with Retry-After, then recovers', async () => {
    await admin('PATCH', '/knobs', { retryAfterSeconds: 7 });
    await admin('POST', '/faults', [{ fault: '503', times: 1, match: '/api/v1/contacts' }]);
    const failed = await list();
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(failed.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await list()).status).toBe(200);
  });

  it('answers 429 with Retry-After at an error rate of 1', async () => {
    sim.admin.setKnobs({ error429Rate: 1, retryAfterSeconds: 3, match: 'contacts' });
    const limited = await list();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    // `match` leaves other requests alone.
    expect((await client.api('POST', '/accounts', { count: 1 })).status).toBe(200);
  });

  it('answers 500 with the documented runtime-error text', async () => {
    sim.admin.setKnobs({ error500Rate: 1 });
    const failed = await list();
    expect(failed.status).toBe(500);
    expect(failed.text).toBe("I am afraid I can't do that Dave!");
  });

  it('adds latency', async () => {
    sim.admin.setKnobs({ latencyMinMs: 150, latencyMaxMs: 150 });
    const started = performance.now();
    expect((await list()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('sends a malformed body: complete, but not JSON', async () => {
    sim.admin.injectFaults({ fault: 'malformed' });
    const answer = await list();
    expect(answer.status).toBe(200);
    expect(answer.json).toBeUndefined();
    expect(answer.text.length).toBeGreaterThan(0);
  });

  it('truncates a body: the connection drops mid-body', async () => {
    sim.admin.injectFaults({ fault: 'truncate' });
    await expect(list()).rejects.toThrow();
    expect((await list()).status).toBe(200);
  });

  it('resets the connection without an answer', async () => {
    sim.admin.injectFaults({ fault: 'reset' });
    await expect(list()).rejects.toThrow();
  });

  it('makes random faults deterministic under a seed', async () => {
    const run = async () => {
      const other = await startZeyosSimulator({
        port: 0,
        seed: 'same',
        demoRecords: 0,
        knobs: { error503Rate: 0.5 },
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++)
          statuses.push((await fetch(`${other.urls().api}/accounts`, { method: 'POST' })).status);
        return statuses;
      } finally {
        await other.close();
      }
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(401);
    expect(await run()).toEqual(first);
  });

  it('validates knobs through the admin API', async () => {
    expect((await admin('PATCH', '/knobs', { error500Rate: 3 })).status).toBe(400);
    expect((await admin('PATCH', '/knobs', { unknownKnob: 1 })).status).toBe(400);
    const knobs = await admin('PUT', '/knobs', { latencyMaxMs: 5 });
    expect(knobs.json).toMatchObject({ latencyMaxMs: 5, error500Rate: 0 });
    expect((await admin('DELETE', '/knobs')).json).toMatchObject({ latencyMaxMs: 0 });
  });
});

describe('admin API', () => {
  it('describes the simulator', async () => {
    const info = await admin('GET', '');
    expect(info.json).toMatchObject({ system: 'zeyos', credentials: { username: 'demo' } });
  });

  it('controls the clock that stamps lastmodified', async () => {
    // A minute ahead: far enough to see, close enough for the access token (1 h) to stay valid.
    const frozenAt = (Math.floor(Date.now() / 1000) + 60) * 1000;
    try {
      expect((await admin('POST', '/clock', { freezeAtMs: frozenAt })).json).toMatchObject({
        frozen: true,
        nowMs: frozenAt,
      });
      const created = await client.api('PUT', '/contacts', { lastname: 'Time' });
      expect((created.json as { lastmodified: number }).lastmodified).toBe(frozenAt / 1000);
      await admin('POST', '/clock', { advanceMs: 10_000 });
      const id = (created.json as { ID: number }).ID;
      const patched = await client.api('PATCH', `/contacts/${id}`, { city: 'Later' });
      expect((patched.json as { lastmodified: number }).lastmodified).toBe(frozenAt / 1000 + 10);
    } finally {
      expect((await admin('POST', '/clock', { reset: true })).json).toMatchObject({
        frozen: false,
        offsetMs: 0,
      });
    }
    expect((await admin('POST', '/clock', { warp: 1 })).status).toBe(400);
  });

  it('logs trace and correlation headers of every request', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await client.api(
      'POST',
      '/accounts',
      { count: 1 },
      {
        traceparent,
        'x-correlation-id': 'corr-1',
        'x-request-id': 'req-1',
      },
    );
    const log = await admin('GET', '/requests?limit=1000');
    const entries = (log.json as { entries: RequestLogEntry[] }).entries;
    const entry = entries.find((e) => e.correlationId === 'corr-1');
    expect(entry).toMatchObject({
      method: 'POST',
      url: '/demo/api/v1/accounts',
      status: 200,
      traceparent,
      requestId: 'req-1',
    });
    expect(sim.admin.requests().some((e) => e.traceparent === traceparent)).toBe(true);
    // Admin requests are not logged.
    expect(entries.some((e) => e.url.startsWith('/_admin'))).toBe(false);
  });

  it('inserts records into read-only entities', async () => {
    const created = await admin('POST', '/zeyos/demo/users', {
      name: 'Agent Smith',
      email: 'smith@example.com',
      tags: ['x'],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Agent Smith', tags: ['x'] });
    expect((await admin('POST', '/zeyos/nowhere/users', {})).status).toBe(404);
    expect((await admin('GET', '/nope')).status).toBe(404);
  });
});
