import { afterEach, describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import { createPeaktmsClient, type PeaktmsClient } from './client.js';
import { isPeaktmsApiError, type PeaktmsApiError } from './errors.js';
import {
  startFakeServer,
  type FakeAnswer,
  type FakeRequest,
  type FakeServer,
} from './fake-server.js';
import type { PeaktmsAuthSettings } from './settings.js';

const servers: FakeServer[] = [];
const clients: PeaktmsClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const login: PeaktmsAuthSettings = { mode: 'login', user: 'demo', password: 'pw-secret' };

async function setup(
  handle: (request: FakeRequest, index: number) => FakeAnswer,
  options: { auth?: PeaktmsAuthSettings; clock?: { now(): number }; basePath?: string } = {},
) {
  const server = await startFakeServer(handle);
  servers.push(server);
  const slept: number[] = [];
  const client = createPeaktmsClient(
    {
      baseUrl: server.origin,
      ...(options.basePath === undefined ? {} : { basePath: options.basePath }),
      auth: options.auth ?? login,
      http: { maxAttempts: 3, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    },
    {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      http: {
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
      },
    },
  );
  clients.push(client);
  return { server, client, slept };
}

async function failure(promise: Promise<unknown>): Promise<PeaktmsApiError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as PeaktmsApiError,
  );
}

const id = '3f1c2a4e-9b8d-4c1e-8f2a-1b2c3d4e5f60';
const record = { id, type: 'Test', name: 'Run', attributes: [] };

describe('PeakTMS login', () => {
  it('posts user and password to /tms_rest/login once for concurrent callers, then sends Bearer', async () => {
    const { server, client } = await setup((request) =>
      request.url === '/tms_rest/login'
        ? { status: 200, body: { token: 'S1', expiresIn: 900 } }
        : { status: 200, body: record },
    );
    await Promise.all([client.activities.get(id), client.projects.get(id)]);
    const logins = server.requests.filter((r) => r.url === '/tms_rest/login');
    expect(logins).toHaveLength(1);
    expect(JSON.parse(logins[0]?.body ?? '')).toEqual({ user: 'demo', password: 'pw-secret' });
    const api = server.requests.filter((r) => r.url !== '/tms_rest/login');
    expect(api.map((r) => r.headers.authorization)).toEqual(['Bearer S1', 'Bearer S1']);
    expect(api[0]?.headers['x-correlation-id']).toBeDefined();
    expect(api[0]?.headers['x-request-id']).toBeDefined();
  });

  it('logs in again before the 15 minutes end (default lifetime when none is stated)', async () => {
    let now = 1_000_000;
    let issued = 0;
    const { server, client } = await setup(
      (request) => {
        if (request.url === '/tms_rest/login') return { status: 200, body: `T${(issued += 1)}` };
        return { status: 200, body: record };
      },
      { clock: { now: () => now } },
    );
    await client.activities.get(id);
    now += 13 * 60_000;
    await client.activities.get(id);
    now += 60_000 + 1; // 14 min: inside the 60 s margin
    await client.activities.get(id);
    expect(server.requests.map((r) => r.headers.authorization ?? 'login')).toEqual([
      'login',
      'Bearer T1',
      'Bearer T1',
      'login',
      'Bearer T2',
    ]);
  });

  it('on 401 logs in again once and repeats the request', async () => {
    let issued = 0;
    const { server, client } = await setup((request) => {
      if (request.url === '/tms_rest/login')
        return { status: 200, body: { token: `T${(issued += 1)}`, expiresIn: 900 } };
      if (request.headers.authorization === 'Bearer T1')
        return { status: 401, body: { status: 401, message: 'token expired' } };
      return { status: 200, body: record };
    });
    expect(await client.activities.get(id)).toMatchObject({ id });
    expect(server.requests.map((r) => `${r.url} ${r.headers.authorization ?? ''}`)).toEqual([
      '/tms_rest/login ',
      `/tms_rest/activities/${id} Bearer T1`,
      '/tms_rest/login ',
      `/tms_rest/activities/${id} Bearer T2`,
    ]);
  });

  it('refused credentials are HTTP_UNAUTHORIZED without the password', async () => {
    const { client } = await setup(() => ({ status: 401, body: { message: 'bad credentials' } }));
    const error = await failure(client.activities.get(id));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.message).toContain('bad credentials');
    expect(JSON.stringify((error as TidemarkError).toJSON())).not.toContain('pw-secret');
  });

  it('a long-lived token is sent as is; its 401 is final', async () => {
    const { server, client } = await setup(() => ({ status: 401, body: { message: 'expired' } }), {
      auth: { mode: 'token', token: 'long-lived' },
      basePath: '',
    });
    const error = await failure(client.users.get('demo'));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(server.requests.map((r) => r.url)).toEqual(['/users/demo', '/users/demo']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer long-lived');
  });
});

describe('PeakTMS operations against a fake', () => {
  it('history pages follow lastEntryId until hasMore is false', async () => {
    const { server, client } = await setup((request) => {
      if (request.url.endsWith('/login')) return { status: 200, body: { token: 'T' } };
      const after = Number(new URL(request.url, 'http://x').searchParams.get('sinceEntryId') ?? 0);
      return after < 4
        ? { status: 200, body: { items: [{ id: after + 1 }, { id: after + 2 }], more: true } }
        : { status: 200, body: { items: [], more: false } };
    });
    const ids: unknown[] = [];
    for await (const page of client.activities.historyPages({ sinceEntryId: 0, pageSize: 2 }))
      ids.push(...page.entries.map((e) => e.entryId));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(server.requests.at(1)?.url).toBe(
      '/tms_rest/activities/historylog?sinceEntryId=0&pageSize=2',
    );
  });

  it('errors carry the server body; 503 honours Retry-After then surfaces HTTP_UNAVAILABLE', async () => {
    const { client, slept } = await setup((request) => {
      if (request.url.endsWith('/login')) return { status: 200, body: { token: 'T' } };
      if (request.method === 'POST')
        return {
          status: 422,
          body: { status: 422, message: 'invalid', details: [{ field: 'Cost', message: 'nope' }] },
        };
      return { status: 503, body: { message: 'maintenance' }, headers: { 'retry-after': '2' } };
    });
    const invalid = await failure(client.projects.create({ type: 'X' }));
    expect(isPeaktmsApiError(invalid)).toBe(true);
    expect(invalid.code).toBe('HTTP_UNPROCESSABLE');
    expect(invalid.fieldErrors).toEqual([{ field: 'Cost', message: 'nope' }]);
    expect(invalid.body?.message).toBe('invalid');
    const down = await failure(client.maintenanceWindows.upcoming());
    expect(down.code).toBe('HTTP_UNAVAILABLE');
    expect(down.retryAfterMs).toBe(2000);
    expect(slept).toEqual([2000, 2000]);
  });
});
