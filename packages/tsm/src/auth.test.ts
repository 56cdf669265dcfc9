import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '@tidemark/config';
import type { TidemarkError } from '@tidemark/errors';
import {
  createTsmTokenProvider,
  jwtExpiresAtMs,
  tokenExpiresAtMs,
  type TsmTokenProvider,
} from './auth.js';
import { createTsmClient, type TsmClient } from './client.js';
import {
  fakeJwt,
  formOf,
  startFakeServer,
  type FakeAnswer,
  type FakeRequest,
  type FakeServer,
} from './fake-server.js';
import { resolveTsmClientSettings, type TsmAuthSettings } from './settings.js';

const servers: FakeServer[] = [];
const closers: Array<TsmTokenProvider | TsmClient> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handle: (request: FakeRequest, index: number) => FakeAnswer) {
  const s = await startFakeServer(handle);
  servers.push(s);
  return s;
}

function provider(origin: string, auth: TsmAuthSettings, clock = { now: () => 1_000_000 }) {
  const settings = resolveTsmClientSettings({ baseUrl: origin, auth });
  if (settings.auth.mode === 'apiKey') throw new Error('not a token mode');
  const p = createTsmTokenProvider(
    { baseUrl: origin, auth: settings.auth, http: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } },
    { clock, http: { sleep: () => Promise.resolve() } },
  );
  closers.push(p);
  return p;
}

async function failure(promise: Promise<unknown>): Promise<TidemarkError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as TidemarkError,
  );
}

const clientCredentials: TsmAuthSettings = {
  mode: 'oauth2',
  clientId: 'tidemark',
  clientSecret: new Secret('s3cret'),
};

describe('JWT expiry', () => {
  it('reads exp; opaque tokens and missing exp give undefined', () => {
    expect(jwtExpiresAtMs(fakeJwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(jwtExpiresAtMs(fakeJwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiresAtMs('opaque-token')).toBeUndefined();
    expect(jwtExpiresAtMs('a.!!!.c')).toBeUndefined();
  });
  it('prefers expires_in, then exp, then the default', () => {
    const jwt = fakeJwt({ exp: 2000 });
    expect(tokenExpiresAtMs({ access_token: jwt, expires_in: 60 }, 1_000_000, 300)).toBe(1_060_000);
    expect(tokenExpiresAtMs({ access_token: jwt }, 1_000_000, 300)).toBe(2_000_000);
    expect(tokenExpiresAtMs({ access_token: 'opaque' }, 1_000_000, 300)).toBe(1_300_000);
  });
});

describe('OAuth 2.0 token provider', () => {
  it('asks for client_credentials at /oauth2/token, form-encoded, client in the body', async () => {
    const s = await server(() => ({
      status: 200,
      body: { access_token: 'A1', token_type: 'Bearer', expires_in: 900 },
    }));
    const tokens = provider(s.origin, clientCredentials);
    expect(await tokens.getToken()).toBe('A1');
    const [request] = s.requests;
    expect(request?.url).toBe('/oauth2/token');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(formOf(request?.body ?? '')).toEqual({
      grant_type: 'client_credentials',
      client_id: 'tidemark',
      client_secret: 's3cret',
    });
  });

  it('uses a configured path, HTTP Basic client authentication, scope and the password grant', async () => {
    const s = await server(() => ({ status: 200, body: { access_token: 'A1', expires_in: 900 } }));
    const tokens = provider(s.origin, {
      mode: 'oauth2',
      tokenPath: '/auth/realms/tsm/token',
      grant: 'password',
      clientAuthentication: 'basic',
      clientId: 'my client',
      clientSecret: 'p@ss',
      username: 'demo',
      password: 'pw',
      scope: 'tsm.read tsm.write',
    });
    await tokens.getToken();
    const [request] = s.requests;
    expect(request?.url).toBe('/auth/realms/tsm/token');
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from('my+client:p%40ss').toString('base64')}`,
    );
    expect(formOf(request?.body ?? '')).toEqual({
      grant_type: 'password',
      username: 'demo',
      password: 'pw',
      scope: 'tsm.read tsm.write',
    });
  });

  it('shares one fetch between concurrent callers', async () => {
    const s = await server(() => ({ status: 200, body: { access_token: 'A1', expires_in: 900 } }));
    const tokens = provider(s.origin, clientCredentials);
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
    expect(new Set(all)).toEqual(new Set(['A1']));
    expect(s.requests).toHaveLength(1);
  });

  it('refreshes before expiry from the JWT exp, with the refresh_token grant', async () => {
    let now = 1_000_000;
    const s = await server((request, index) => {
      const form = formOf(request.body);
      return {
        status: 200,
        // No expires_in: the lifetime comes from exp (900 s after now).
        body: {
          access_token: fakeJwt({ exp: Math.floor(now / 1000) + 900, n: index }),
          ...(form['grant_type'] === 'password' ? { refresh_token: 'R1' } : {}),
        },
      };
    });
    const tokens = provider(
      s.origin,
      { ...clientCredentials, grant: 'password', username: 'demo', password: 'pw' },
      { now: () => now },
    );
    const first = await tokens.getToken();
    now += 800_000; // 100 s before exp: still fresh (60 s margin)
    expect(await tokens.getToken()).toBe(first);
    now += 50_000; // 50 s before exp: inside the margin
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    now += 850_000;
    await tokens.getToken();
    const grants = s.requests.map((r) => formOf(r.body));
    expect(grants.map((g) => g['grant_type'])).toEqual([
      'password',
      'refresh_token',
      'refresh_token',
    ]);
    // A non-rotating server omits refresh_token: the first one stays in use.
    expect(grants[2]?.['refresh_token']).toBe('R1');
  });

  it('falls back to the first grant when the refresh token is rejected', async () => {
    const s = await server((request) => {
      const form = formOf(request.body);
      if (form['grant_type'] === 'refresh_token')
        return { status: 400, body: { error: 'invalid_grant', error_description: 'expired' } };
      return { status: 200, body: { access_token: 'A', expires_in: 900, refresh_token: 'R' } };
    });
    let now = 0;
    const tokens = provider(s.origin, clientCredentials, { now: () => now });
    await tokens.getToken();
    now += 900_000;
    expect(await tokens.getToken()).toBe('A');
    expect(s.requests.map((r) => formOf(r.body)['grant_type'])).toEqual([
      'client_credentials',
      'refresh_token',
      'client_credentials',
    ]);
  });

  it('maps refused credentials to HTTP_UNAUTHORIZED without secrets in the error', async () => {
    const s = await server(() => ({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
    }));
    const tokens = provider(s.origin, clientCredentials);
    const error = await failure(tokens.getToken());
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.message).toContain('Client authentication failed');
    expect(JSON.stringify(error.toJSON())).not.toContain('s3cret');
  });

  it('retries the first grant on 503 and keeps its Retry-After', async () => {
    const s = await server((_request, index) =>
      index === 0
        ? { status: 503, body: { status: 503 }, headers: { 'retry-after': '0' } }
        : { status: 200, body: { access_token: 'A', expires_in: 900 } },
    );
    const tokens = provider(s.origin, clientCredentials);
    expect(await tokens.getToken()).toBe('A');
    expect(s.requests).toHaveLength(2);
  });
});

describe('API authentication through the client', () => {
  function client(origin: string, auth: TsmAuthSettings) {
    const c = createTsmClient(
      { baseUrl: origin, auth, http: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } },
      { http: { sleep: () => Promise.resolve() } },
    );
    closers.push(c);
    return c;
  }
  const record = { id: '019970a1-7797-73ba-a6d5-b424443a7dcb', code: 'C1' };

  it('sends the bearer token; on 401 fetches a new one once and repeats', async () => {
    let issued = 0;
    const s = await server((request) => {
      if (request.url === '/oauth2/token') {
        issued += 1;
        return { status: 200, body: { access_token: `T${issued}`, expires_in: 900 } };
      }
      if (request.headers.authorization === 'Bearer T1')
        return {
          status: 401,
          body: { status: 401, error: 'Unauthorized', message: 'Jwt expired' },
        };
      return { status: 200, body: record };
    });
    const c = client(s.origin, clientCredentials);
    expect(await c.customers.get('C1')).toEqual(record);
    expect(s.requests.map((r) => `${r.url} ${r.headers.authorization ?? ''}`)).toEqual([
      '/oauth2/token ',
      '/tsm-customer/api/v2/customers/C1 Bearer T1',
      '/oauth2/token ',
      '/tsm-customer/api/v2/customers/C1 Bearer T2',
    ]);
  });

  it('a static token: a 401 is final and the token is not in the error', async () => {
    const s = await server(() => ({ status: 401, body: { status: 401, message: 'Bad token' } }));
    const c = client(s.origin, { mode: 'token', token: 'static-secret-token' });
    const error = await failure(c.customers.get('C1'));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(s.requests.every((r) => r.headers.authorization === 'Bearer static-secret-token')).toBe(
      true,
    );
    expect(JSON.stringify(error.toJSON())).not.toContain('static-secret-token');
    expect(error.message).not.toContain('static-secret-token');
  });

  it('an API key goes in its header, no token endpoint is called', async () => {
    const s = await server(() => ({ status: 200, body: record }));
    const c = client(s.origin, { mode: 'apiKey', apiKey: 'k-123', header: 'X-Api-Key' });
    await c.customers.get('C1');
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.headers['x-api-key']).toBe('k-123');
    expect(s.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('settings list every problem and print no secret', () => {
    let caught: unknown;
    try {
      createTsmClient({
        baseUrl: 'ftp://x',
        auth: { mode: 'oauth2', clientId: '', grant: 'password', clientSecret: 'hidden-1' },
      });
    } catch (error) {
      caught = error;
    }
    const error = caught as TidemarkError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect((error.details['issues'] as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(error.toJSON())).not.toContain('hidden-1');
  });
});
