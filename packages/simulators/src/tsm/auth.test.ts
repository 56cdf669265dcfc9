import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { startTsmSimulator, type TsmSimulator } from './simulator.js';
import { tsmTestClient, type TsmTestClient } from './testing.js';

const C = '/tsm-customer/api/v2/customers';
type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;

let sim: TsmSimulator;
let client: TsmTestClient;

beforeAll(async () => {
  sim = await startTsmSimulator({ port: 0, seed: 11, demoRecords: 5, maxBodyBytes: 64 * 1024 });
  client = tsmTestClient(sim);
});
afterAll(async () => {
  await sim.close();
});

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  return client.raw('POST', '/oauth2/token', new URLSearchParams(form).toString(), {
    'Content-Type': 'application/x-www-form-urlencoded',
    ...headers,
  });
}

describe('token endpoint and bearer JWTs', () => {
  it('client_credentials by Basic gives a JWT with an expiry; no refresh token', async () => {
    const basic = Buffer.from(
      `${sim.credentials.clientId}:${sim.credentials.clientSecret}`,
    ).toString('base64');
    const answer = await token(
      { grant_type: 'client_credentials' },
      { Authorization: `Basic ${basic}` },
    );
    expect(answer.status).toBe(200);
    const body = obj(answer.json);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'tsm.read tsm.write tsm.delete',
    });
    expect(body).not.toHaveProperty('refresh_token');
    const [, payload] = (body.access_token as string).split('.');
    const claims = obj(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')));
    expect(claims).toMatchObject({ sub: sim.credentials.clientId, aud: 'tsm' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    const read = await client.raw('GET', `${C}/page`, undefined, {
      Authorization: `Bearer ${String(body.access_token)}`,
    });
    expect(read.status).toBe(200);
  });

  it('password grant gives a refresh token that keeps working after the access token expired', async () => {
    const answer = obj(
      (
        await token({
          grant_type: 'password',
          username: 'demo',
          password: 'demo',
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret,
        })
      ).json,
    );
    expect(answer.refresh_expires_in).toBe(90 * 86_400);
    const bearer = { Authorization: `Bearer ${String(answer.access_token)}` };
    expect((await client.raw('GET', `${C}/page`, undefined, bearer)).status).toBe(200);
    sim.admin.clock.apply({ advanceMs: 901_000 });
    try {
      const expired = await client.raw('GET', `${C}/page`, undefined, bearer);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(obj(expired.json)).toMatchObject({
        status: 401,
        error: 'Unauthorized',
        path: `${C}/page`,
      });
      const refreshed = await token({
        grant_type: 'refresh_token',
        refresh_token: answer.refresh_token as string,
        client_id: sim.credentials.clientId,
        client_secret: sim.credentials.clientSecret,
      });
      expect(refreshed.status).toBe(200);
      const again = { Authorization: `Bearer ${String(obj(refreshed.json).access_token)}` };
      expect((await client.raw('GET', `${C}/page`, undefined, again)).status).toBe(200);
    } finally {
      sim.admin.clock.apply({ reset: true });
    }
  });

  it('rejects bad clients, users, grants and scopes per RFC 6749', async () => {
    const id = sim.credentials.clientId;
    const secret = sim.credentials.clientSecret;
    expect(
      (await token({ grant_type: 'client_credentials', client_id: id, client_secret: 'x' })).status,
    ).toBe(401);
    const wrongUser = await token({
      grant_type: 'password',
      username: 'demo',
      password: 'x',
      client_id: id,
      client_secret: secret,
    });
    expect(obj(wrongUser.json).error).toBe('invalid_grant');
    expect(
      obj((await token({ grant_type: 'magic', client_id: id, client_secret: secret })).json).error,
    ).toBe('unsupported_grant_type');
    expect(obj((await token({ client_id: id, client_secret: secret })).json).error).toBe(
      'invalid_request',
    );
    expect(
      obj(
        (
          await token({
            grant_type: 'refresh_token',
            refresh_token: 'nope',
            client_id: id,
            client_secret: secret,
          })
        ).json,
      ).error,
    ).toBe('invalid_grant');
    const ro = await token({
      grant_type: 'client_credentials',
      client_id: sim.credentials.readOnlyClientId,
      client_secret: sim.credentials.readOnlyClientSecret,
      scope: 'tsm.write',
    });
    expect(obj(ro.json).error).toBe('invalid_scope');
  });

  it('401 without or with a forged token (even for unknown entities); 403 for a read-only client', async () => {
    const missing = await client.raw('GET', '/tsm-nope/api/v2/things/page');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const real = await client.token();
    const forged = `${real.slice(0, real.lastIndexOf('.'))}.AAAA`;
    expect(
      (await client.raw('GET', `${C}/page`, undefined, { Authorization: `Bearer ${forged}` }))
        .status,
    ).toBe(401);
    expect(
      (await client.raw('GET', `${C}/page`, undefined, { Authorization: 'Bearer not-a-jwt' }))
        .status,
    ).toBe(401);

    const ro = obj(
      (
        await token({
          grant_type: 'client_credentials',
          client_id: sim.credentials.readOnlyClientId,
          client_secret: sim.credentials.readOnlyClientSecret,
        })
      ).json,
    );
    const bearer = {
      Authorization: `Bearer ${String(ro.access_token)}`,
      'Content-Type': 'application/json',
    };
    expect((await client.raw('GET', `${C}/page`, undefined, bearer)).status).toBe(200);
    const denied = await client.raw('POST', C, JSON.stringify({ code: 'RO', name: 'x' }), bearer);
    expect(denied.status).toBe(403);
    expect(obj(denied.json)).toMatchObject({
      status: 403,
      error: 'Forbidden',
      message: 'Access Denied',
    });
    expect((await client.raw('DELETE', `${C}/CUS-00001`, undefined, bearer)).status).toBe(403);
  });

  it('expireTokens() invalidates every issued token', async () => {
    const fresh = tsmTestClient(sim);
    expect((await fresh.api('GET', `${C}/page`)).status).toBe(200);
    expect(sim.admin.expireTokens()).toBeGreaterThan(0);
    expect((await fresh.api('GET', `${C}/page`)).status).toBe(401);
  });
});

describe('headers, rate limit, faults, bad input', () => {
  it('echoes X-Request-Id and records correlation and trace headers', async () => {
    const c = tsmTestClient(sim);
    sim.admin.clearRequests();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answer = await c.api('GET', `${C}/search?size=1`, undefined, {
      'X-Request-Id': 'req-1',
      'X-Correlation-Id': 'corr-1',
      traceparent,
      tracestate: 'k=v',
    });
    expect(answer.headers.get('x-request-id')).toBe('req-1');
    const logged = sim.admin.requests().find((entry) => entry.url.startsWith(`${C}/search`));
    expect(logged).toMatchObject({
      requestId: 'req-1',
      correlationId: 'corr-1',
      traceparent,
      tracestate: 'k=v',
      status: 200,
    });
  });

  it('limits requests per token with 429 and Retry-After; other tokens are unaffected', async () => {
    const a = tsmTestClient(sim);
    const b = tsmTestClient(sim);
    await a.token();
    await b.token();
    sim.admin.setRateLimit(3);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await a.api('GET', `${C}/search?size=1`)).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      const limited = await a.api('GET', `${C}/search?size=1`);
      if (limited.status === 429) {
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(obj(limited.json)).toMatchObject({ status: 429, error: 'Too Many Requests' });
      }
      expect((await b.api('GET', `${C}/search?size=1`)).status).toBe(200);
    } finally {
      sim.admin.setRateLimit(100);
    }
    expect(sim.admin.rateLimit()).toBe(100);
  });

  it('injected faults answer with the documented bodies and Retry-After', async () => {
    const c = tsmTestClient(sim);
    await c.token();
    sim.admin.injectFaults([{ fault: '500' }, { fault: '429', times: 1 }, { fault: '503' }]);
    const e500 = await c.api('GET', `${C}/search?size=1`, undefined, { 'X-Request-Id': 'f-1' });
    expect(e500.status).toBe(500);
    expect(obj(e500.json)).toMatchObject({ status: 500, error: 'Internal Server Error' });
    expect(e500.headers.get('x-request-id')).toBe('f-1');
    const e429 = await c.api('GET', `${C}/search?size=1`);
    expect(e429.status).toBe(429);
    expect(e429.headers.get('retry-after')).toBe('1');
    expect((await c.api('GET', `${C}/search?size=1`)).status).toBe(503);
    expect((await c.api('GET', `${C}/search?size=1`)).status).toBe(200);

    sim.admin.setKnobs({ error500Rate: 0.3, malformedRate: 0.2, match: 'customers' });
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 30; i++) statuses.add((await c.api('GET', `${C}/search?size=2`)).status);
      expect(statuses.has(500)).toBe(true);
      expect(statuses.has(200)).toBe(true);
    } finally {
      sim.admin.resetKnobs();
    }
  });

  it('survives bad input: huge bodies, odd encodings, weird paths', async () => {
    const c = tsmTestClient(sim);
    const bearer = {
      Authorization: `Bearer ${await c.token()}`,
      'Content-Type': 'application/json',
    };
    const huge = await c.raw(
      'POST',
      C,
      JSON.stringify({ code: 'H', name: 'x'.repeat(200_000) }),
      bearer,
    );
    expect(huge.status).toBe(413);
    expect(obj(huge.json).status).toBe(413);
    expect((await c.raw('GET', `${C}/%E0%A4%A`, undefined, bearer)).status).toBe(404);
    expect((await c.raw('POST', C, '{"code":"\\ud800","name":{"a":[[[]]]}}', bearer)).status).toBe(
      422,
    );
    expect((await c.raw('POST', C, 'null', bearer)).status).toBe(400);
    expect((await c.raw('PATCH', `${C}/CUS-00001`, '[]', bearer)).status).toBe(400);
    expect((await c.raw('GET', `${C}/page?page=-3&size=abc&sort=`, undefined, bearer)).status).toBe(
      200,
    );
    expect((await c.raw('GET', `${C}/page?name__btw=a`, undefined, bearer)).status).toBe(400);
    expect(
      (await c.raw('POST', '/oauth2/token', '{', { 'Content-Type': 'application/json' })).status,
    ).toBe(400);
    // Still alive.
    expect((await c.api('GET', `${C}/search?size=1`)).status).toBe(200);
  });

  it('the workload changes records through the API code and journals them deterministically', async () => {
    const before = sim.journal.lastSeq;
    const status = sim.admin.workload.runOps(50, {
      seed: 5,
      mix: { create: 1, update: 3, softDelete: 1, delete: 1 },
    });
    expect(status.lastError).toBeNull();
    const entries = sim.journal.read(before, 1000).entries;
    // An update that changes nothing (same status again) writes nothing, like JPA dirty checking.
    expect(entries.length).toBeGreaterThan(40);
    expect(new Set(entries.map((entry) => entry.source))).toEqual(new Set(['workload']));
    for (const entry of entries.filter((e) => e.op !== 'delete')) {
      const row = sim.db.find(entry.entity, entry.id);
      if (row !== undefined && (row.auditInfo as { version: number }).version === entry.version) {
        expect(entry.hash).not.toBeNull();
      }
    }
    const log = obj((await tsmTestClient(sim).api('GET', `${C}/log?sort=seq,DESC&size=1`)).json);
    expect(log.totalElements).toBeGreaterThan(5);
  });
});

describe('tsmMain', () => {
  it('prints one ready line with the base URL and credentials, stops on SIGTERM', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const signals = new EventEmitter();
    const done = main(['--port', '0', '--seed', '3', '--demo-records', '2'], {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      signals,
    });
    for (let i = 0; i < 100 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^tsm simulator ready \{/);
    const ready = obj(JSON.parse((out[0] ?? '').replace('tsm simulator ready ', '')));
    expect(obj(ready.credentials)).toMatchObject({ username: 'demo', clientId: 'tidemark' });
    const health = await fetch(`${String(ready.baseUrl)}/_admin`);
    expect(health.status).toBe(200);
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(err.join('\n')).toMatch(/stopped \(SIGTERM\)/);
  });

  it('exits 2 on bad arguments and prints usage for --help', async () => {
    const err: string[] = [];
    const io = {
      stdout: () => undefined,
      stderr: (line: string) => err.push(line),
      signals: new EventEmitter(),
    };
    expect(await main(['--port', 'x'], io)).toBe(2);
    expect(await main(['--bogus'], io)).toBe(2);
    const out: string[] = [];
    expect(await main(['--help'], { ...io, stdout: (line) => out.push(line) })).toBe(0);
    expect(out[0]).toMatch(/tidemark sim tsm/);
  });
});
