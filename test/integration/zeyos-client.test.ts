/**
 * Contract tests of @tidemark/zeyos against the ZeyOS simulator of @tidemark/simulators: every
 * operation and documented status, both auth modes, token refresh, and faults from the
 * simulator's knobs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import { startZeyosSimulator, type ZeyosSimulator } from '@tidemark/simulators';
import {
  createZeyosClient,
  where,
  zeyosErrorText,
  type ZeyosClient,
  type ZeyosClientSettings,
} from '@tidemark/zeyos';

let sim: ZeyosSimulator;
const clients: ZeyosClient[] = [];
/** Added to the client's clock, moved together with the simulator's clock. */
let clockOffsetMs = 0;

beforeAll(async () => {
  sim = await startZeyosSimulator({ port: 0, seed: 7, demoRecords: 30 });
});

afterEach(() => {
  sim.admin.resetKnobs();
  sim.admin.clearFaults();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await sim.close();
});

function oauth(): Extract<ZeyosClientSettings['auth'], { mode: 'oauth2' }> {
  return {
    mode: 'oauth2',
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    username: sim.credentials.username,
    password: sim.credentials.password,
  };
}

function client(
  overrides: Partial<ZeyosClientSettings> = {},
  auth: ZeyosClientSettings['auth'] = oauth(),
): ZeyosClient {
  const created = createZeyosClient(
    {
      baseUrl: sim.baseUrl,
      instance: 'demo',
      auth,
      http: { maxAttempts: 4, retry: { baseDelayMs: 10, maxDelayMs: 100, deadlineMs: 20_000 } },
      ...overrides,
    },
    { clock: { now: () => Date.now() + clockOffsetMs } },
  );
  clients.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<TidemarkError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as TidemarkError,
  );
}

function tokenRequests(): number {
  return sim.admin.requests().filter((r) => r.url.startsWith('/demo/oauth2/v1/token')).length;
}

describe('ZeyOS client against the simulator', () => {
  let zeyos: ZeyosClient;
  beforeAll(() => {
    zeyos = client();
  });

  it('lists with filters, field aliases, sort and limit', async () => {
    const rows = await zeyos.list('accounts', {
      fields: { id: 'ID', name: 'lastname', modified: 'lastmodified' },
      filter: where.and(where.ge('ID', 2), where.le('ID', 9), where.ne('visibility', 2)),
      sort: [{ field: 'ID', direction: 'desc' }],
      limit: 3,
    });
    expect(rows.length).toBeLessThanOrEqual(3);
    const ids = rows.map((row) => Number(row['id']));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(2);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['id', 'modified', 'name']);
  });

  it('parses whole records with the generated schema', async () => {
    const [record] = await zeyos.list('contacts', { limit: 1 });
    expect(record?.ID).toEqual(expect.any(Number));
    expect(record?.lastmodified).toEqual(expect.any(Number));
  });

  it('evaluates an OR group, IN and LIKE like the documents say', async () => {
    const rows = await zeyos.list('accounts', {
      fields: ['ID'],
      filter: where.or(where.in('ID', [1, 3]), where.like('lastname', '%', false)),
      sort: ['+ID'],
    });
    expect(rows.length).toBeGreaterThan(0);
    const none = await zeyos.list('accounts', {
      fields: ['ID'],
      filter: where.and(where.in('ID', [1, 3]), where.notIn('ID', [1, 3])),
    });
    expect(none).toEqual([]);
  });

  it('counts and pages through every record exactly once', async () => {
    const total = await zeyos.count('accounts');
    expect(total).toBeGreaterThanOrEqual(30);
    const seen: number[] = [];
    for await (const row of zeyos.rows(
      'accounts',
      { fields: ['ID'], sort: ['+ID'] },
      { pageSize: 7 },
    )) {
      seen.push(Number(row.ID));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(await zeyos.count('accounts', { filter: where.le('ID', 5) })).toBe(5);
  });

  it('creates (201, ID from the answer), gets with ETag, 304, exists, updates with If-Match, 412, deletes, 404', async () => {
    const created = await zeyos.create('accounts', { lastname: 'Contract Test', type: 1 });
    expect(created.id).toBeGreaterThan(0);
    expect(created.location).toBe(`/demo/api/v1/accounts/${created.id}`);
    expect(created.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await zeyos.get('accounts', created.id);
    if (got.status !== 'ok') throw new Error('expected a record');
    expect(got.record).toMatchObject({ ID: created.id, lastname: 'Contract Test', type: 1 });
    expect(got.etag).toBe(created.etag);
    expect(got.lastModified).toEqual(expect.any(Number));

    expect(await zeyos.get('accounts', created.id, { ifNoneMatch: got.etag })).toEqual({
      status: 'not-modified',
      etag: got.etag,
    });
    expect(await zeyos.exists('accounts', created.id)).toBe(true);

    const updated = await zeyos.update(
      'accounts',
      created.id,
      { lastname: 'Changed' },
      { ifMatch: got.etag },
    );
    expect(updated.record.lastname).toBe('Changed');
    expect(updated.etag).not.toBe(got.etag);

    const stale = await failure(
      zeyos.update('accounts', created.id, { lastname: 'Lost' }, { ifMatch: got.etag }),
    );
    expect(stale.code).toBe('HTTP_PRECONDITION_FAILED');
    expect(zeyosErrorText(stale)).toMatch(/^Precondition Failed/);

    const staleDelete = await failure(zeyos.delete('accounts', created.id, { ifMatch: got.etag }));
    expect(staleDelete.code).toBe('HTTP_PRECONDITION_FAILED');
    expect(await zeyos.delete('accounts', created.id, { ifMatch: updated.etag })).toBe('deleted');

    const gone = await failure(zeyos.get('accounts', created.id));
    expect(gone.code).toBe('HTTP_NOT_FOUND');
    expect(await zeyos.exists('accounts', created.id)).toBe(false);
    expect(await zeyos.delete('accounts', created.id, { missingOk: true })).toBe('missing');
    expect((await failure(zeyos.delete('accounts', created.id))).code).toBe('HTTP_NOT_FOUND');
  });

  it('gets extdata and tags on request', async () => {
    const created = await zeyos.create('contacts', {
      lastname: 'Tagged',
      extdata: { nickname: 'T' },
      tags: ['vip'],
    });
    const got = await zeyos.get('contacts', created.id, { extdata: true, tags: true });
    expect(got).toMatchObject({
      status: 'ok',
      record: { extdata: { nickname: 'T' }, tags: ['vip'] },
    });
  });

  it('maps 409 (create with an ID), 400 (unknown filter field) and 404 (unknown entity) with the server text', async () => {
    const conflict = await failure(zeyos.create('accounts', { ID: 1, lastname: 'x' }));
    expect(conflict.code).toBe('HTTP_CONFLICT');
    expect(zeyosErrorText(conflict)).toMatch(/^Conflict/);

    const bad = await failure(zeyos.list('accounts', { filter: where.eq('nosuchfield', 1) }));
    expect(bad.code).toBe('HTTP_BAD_REQUEST');
    expect(zeyosErrorText(bad)).toMatch(/^Bad Request/);

    expect((await failure(zeyos.list('nosuchentity'))).code).toBe('HTTP_NOT_FOUND');
  });
});

describe('authentication against the simulator', () => {
  it('refreshes the OAuth token with the refresh_token grant before it expires', async () => {
    const zeyos = client();
    await zeyos.count('accounts');
    const before = tokenRequests();
    // 3550 s later (inside the 60 s margin before the 3600 s expiry), on both clocks.
    sim.admin.clock.apply({ advanceMs: 3_550_000 });
    clockOffsetMs += 3_550_000;
    await zeyos.count('accounts');
    expect(tokenRequests()).toBe(before + 1);
    const last = sim.admin
      .requests()
      .filter((r) => r.url.startsWith('/demo/oauth2/v1/token'))
      .at(-1);
    expect(last?.status).toBe(200);
  });

  it('after a 401 gets a new token (refresh, else password grant) and the call succeeds', async () => {
    const zeyos = client();
    await zeyos.count('accounts');
    const before = tokenRequests();
    expect(sim.admin.expireTokens()).toBeGreaterThan(0);
    expect(await zeyos.count('accounts')).toBeGreaterThan(0);
    const after = sim.admin.requests().filter((r) => r.url.startsWith('/demo/oauth2/v1/token'));
    expect(after.length).toBeGreaterThan(before);
    expect(after.at(-1)?.status).toBe(200);
    expect(sim.admin.requests().some((r) => r.status === 401 && r.url.includes('/api/v1/'))).toBe(
      true,
    );
  });

  it('shares one token set between concurrent callers', async () => {
    const zeyos = client();
    const before = tokenRequests();
    await Promise.all(Array.from({ length: 8 }, () => zeyos.count('accounts')));
    expect(tokenRequests()).toBe(before + 1);
  });

  it('signs in with the legacy login and survives an expired token', async () => {
    const zeyos = client(
      {},
      {
        mode: 'legacy',
        username: sim.credentials.username,
        password: sim.credentials.password,
        identifier: 'contract-test',
        appsecret: sim.credentials.clientSecret,
      },
    );
    expect(await zeyos.count('accounts')).toBeGreaterThan(0);
    sim.admin.expireTokens();
    expect(await zeyos.count('accounts')).toBeGreaterThan(0);
    expect(
      sim.admin.requests().filter((r) => r.url === '/demo/auth/v1/login').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('reports wrong credentials as HTTP_UNAUTHORIZED without the password', async () => {
    const oauthBad = client({}, { ...oauth(), password: 'not-the-password' });
    const error = await failure(oauthBad.count('accounts'));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(JSON.stringify(error) + error.message).not.toContain('not-the-password');

    const legacyBad = client({}, { mode: 'legacy', username: 'demo', password: 'nope-nope' });
    expect((await failure(legacyBad.count('accounts'))).code).toBe('HTTP_UNAUTHORIZED');
  });

  it('a fixed token that is not valid gives HTTP_UNAUTHORIZED', async () => {
    const zeyos = client({}, { mode: 'token', token: 'a'.repeat(40) });
    const error = await failure(zeyos.count('accounts'));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(zeyosErrorText(error)).toMatch(/^Unauthorized/);
  });
});

describe('faults from the simulator knobs', () => {
  it('retries scripted 503 and 429 answers with Retry-After and succeeds', async () => {
    const zeyos = client();
    await zeyos.count('accounts');
    sim.admin.setKnobs({ retryAfterSeconds: 0 });
    sim.admin.injectFaults([
      { fault: '503', times: 1, match: '/api/v1/accounts' },
      { fault: '429', times: 1, match: '/api/v1/accounts' },
    ]);
    expect(await zeyos.count('accounts')).toBeGreaterThan(0);
    const statuses = sim.admin
      .requests()
      .slice(-3)
      .map((r) => r.status);
    expect(statuses).toEqual([503, 429, 200]);
  });

  it('honours Retry-After in seconds', async () => {
    const zeyos = client();
    await zeyos.count('accounts');
    sim.admin.setKnobs({ retryAfterSeconds: 1 });
    sim.admin.injectFaults({ fault: '429', times: 1, match: '/api/v1/accounts' });
    const startedAt = Date.now();
    await zeyos.count('accounts');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });

  it('surfaces HTTP_UNAVAILABLE with retryAfterMs when 503s persist', async () => {
    const zeyos = client({
      http: { maxAttempts: 2, retry: { baseDelayMs: 1, maxDelayMs: 10, deadlineMs: 10_000 } },
    });
    await zeyos.count('accounts');
    sim.admin.setKnobs({ error503Rate: 1, retryAfterSeconds: 0, match: '/api/v1/' });
    const error = await failure(zeyos.get('accounts', 1));
    expect(error.code).toBe('HTTP_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(zeyosErrorText(error)).toMatch(/^Service Unavailable/);
  });

  it('surfaces HTTP_RATE_LIMITED when 429s persist', async () => {
    const zeyos = client({ http: { maxAttempts: 2, retry: { baseDelayMs: 1, maxDelayMs: 10 } } });
    await zeyos.count('accounts');
    sim.admin.setKnobs({ error429Rate: 1, retryAfterSeconds: 0, match: '/api/v1/' });
    const error = await failure(zeyos.list('accounts', { limit: 1 }));
    expect(error.code).toBe('HTTP_RATE_LIMITED');
  });

  it('a create hit by a 500 is not retried (it may have been applied)', async () => {
    const zeyos = client();
    await zeyos.count('accounts');
    sim.admin.injectFaults({ fault: '500', times: 1, match: '^PUT /demo/api/v1/accounts' });
    const before = sim.admin.requests().length;
    const error = await failure(zeyos.create('accounts', { lastname: 'Once' }));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(sim.admin.requests().length - before).toBe(1);
  });

  it('times out on latency above timeoutMs and succeeds within it', async () => {
    const slow = client({ http: { timeoutMs: 50, maxAttempts: 2, retry: { baseDelayMs: 1 } } });
    const patient = client({ http: { timeoutMs: 5_000 } });
    await slow.count('accounts');
    await patient.count('accounts');
    sim.admin.setKnobs({ latencyMinMs: 200, latencyMaxMs: 250 });
    expect((await failure(slow.get('accounts', 1))).code).toBe('HTTP_TIMEOUT');
    expect(await patient.get('accounts', 1)).toMatchObject({ status: 'ok' });
  });
});
