import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '@tidemark/config';
import type { TidemarkError } from '@tidemark/errors';
import type { LogFields } from '@tidemark/telemetry';
import { createZeyosTokenProvider, type ZeyosTokenProvider } from './auth.js';
import { formOf, startFakeServer, type FakeServer } from './fake-server.js';
import { resolveZeyosClientSettings, type ZeyosAuthSettings } from './settings.js';

const servers: FakeServer[] = [];
const providers: ZeyosTokenProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function hex(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** An OAuth token endpoint after oauth2.json: single-use refresh tokens, one live set. */
async function oauthServer(options: { rejectRefresh?: boolean } = {}) {
  let issued = 0;
  let liveRefresh: string | undefined;
  const server = await startFakeServer((request) => {
    if (request.url !== '/demo/oauth2/v1/token') return { status: 404, body: 'Not Found' };
    const form = formOf(request.body);
    if (form['client_id'] !== 'tidemark') {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: 'Unauthorized: Unknown client application',
        },
      };
    }
    if (form['grant_type'] === 'refresh_token') {
      if (options.rejectRefresh === true || form['refresh_token'] !== liveRefresh) {
        return {
          status: 403,
          body: {
            error: 'invalid_grant',
            error_description: 'Forbidden: Invalid or expired refresh_token',
          },
        };
      }
    } else if (form['grant_type'] === 'password') {
      if (form['username'] !== 'demo' || form['password'] !== 'pw') {
        return {
          status: 403,
          body: { error: 'invalid_grant', error_description: 'Forbidden: Invalid credentials' },
        };
      }
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'x' } };
    }
    issued += 1;
    liveRefresh = hex(1000 + issued);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        access_token: hex(issued),
        expires_in: 3600,
        refresh_token: liveRefresh,
        refresh_token_expires_in: 8640000,
      },
    };
  });
  servers.push(server);
  return server;
}

function provider(
  server: FakeServer,
  auth: ZeyosAuthSettings,
  clock = { now: () => 1_000_000 },
  logs: LogFields[] = [],
) {
  const settings = resolveZeyosClientSettings({ baseUrl: server.origin, instance: 'demo', auth });
  const logger = {
    debug: () => undefined,
    info: (message: string, fields?: LogFields) => logs.push({ message, ...fields }),
    warn: (message: string, fields?: LogFields) => logs.push({ message, ...fields }),
    error: (message: string, fields?: LogFields) => logs.push({ message, ...fields }),
    child: () => logger,
  };
  const p = createZeyosTokenProvider(
    {
      instanceUrl: `${server.origin}/demo`,
      auth: settings.auth,
      http: { retry: { baseDelayMs: 1 } },
    },
    { clock, logger },
  );
  providers.push(p);
  return p;
}

const oauth: ZeyosAuthSettings = {
  mode: 'oauth2',
  clientId: 'tidemark',
  clientSecret: new Secret('s3cret'),
  username: 'demo',
  password: 'pw',
};

describe('OAuth 2.0 token provider', () => {
  it('signs in with the password grant and client credentials in the form body', async () => {
    const server = await oauthServer();
    const tokens = provider(server, oauth);
    expect(await tokens.getToken()).toBe(hex(1));
    const [request] = server.requests;
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(formOf(request?.body ?? '')).toEqual({
      client_id: 'tidemark',
      client_secret: 's3cret',
      grant_type: 'password',
      username: 'demo',
      password: 'pw',
    });
  });

  it('shares one fetch between concurrent callers', async () => {
    const server = await oauthServer();
    const tokens = provider(server, oauth);
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
    expect(new Set(all)).toEqual(new Set([hex(1)]));
    expect(server.requests).toHaveLength(1);
  });

  it('refreshes with the refresh_token grant before expiry, presenting each refresh token once', async () => {
    const server = await oauthServer();
    let now = 1_000_000;
    const tokens = provider(server, oauth, { now: () => now });
    expect(await tokens.getToken()).toBe(hex(1));
    now += 3_541_000; // 59 s before the 3600 s expiry: inside the 60 s margin
    const refreshed = await Promise.all([tokens.getToken(), tokens.getToken()]);
    expect(refreshed).toEqual([hex(2), hex(2)]);
    now += 3_541_000;
    expect(await tokens.getToken()).toBe(hex(3));
    const grants = server.requests.map((r) => formOf(r.body));
    expect(grants.map((g) => g['grant_type'])).toEqual([
      'password',
      'refresh_token',
      'refresh_token',
    ]);
    expect(grants[1]?.['refresh_token']).toBe(hex(1001));
    expect(grants[2]?.['refresh_token']).toBe(hex(1002));
  });

  it('after a 401 (invalidate) refreshes, and falls back to the password grant when the refresh token is rejected', async () => {
    const server = await oauthServer({ rejectRefresh: true });
    const logs: LogFields[] = [];
    const tokens = provider(server, oauth, undefined, logs);
    const first = await tokens.getToken();
    tokens.invalidate(first);
    expect(await tokens.getToken()).toBe(hex(2));
    expect(server.requests.map((r) => formOf(r.body)['grant_type'])).toEqual([
      'password',
      'refresh_token',
      'password',
    ]);
    const text = JSON.stringify(logs);
    expect(text).not.toContain(hex(1001));
    expect(text).not.toContain('pw');
  });

  it('reports refused credentials as HTTP_UNAUTHORIZED with the server text and no secrets', async () => {
    const server = await oauthServer();
    const tokens = provider(server, { ...oauth, password: new Secret('wrong') });
    const error = await tokens.getToken().then(
      () => undefined,
      (e: unknown) => e as TidemarkError,
    );
    expect(error?.code).toBe('HTTP_UNAUTHORIZED');
    expect(error?.message).toContain('Forbidden: Invalid credentials');
    const serialized = JSON.stringify(error) + String(error?.message);
    expect(serialized).not.toContain('wrong');
    expect(serialized).not.toContain('s3cret');
  });
});

describe('legacy login token provider', () => {
  it('posts name, password, identifier and appsecret and uses expdate', async () => {
    const server = await startFakeServer((request) =>
      request.url === '/demo/auth/v1/login'
        ? {
            status: 200,
            body: {
              user: 1,
              application: 1,
              token: hex(9),
              identifier: 'box-1',
              expdate: 2_000_000,
            },
          }
        : { status: 404, body: 'Not Found' },
    );
    servers.push(server);
    const tokens = provider(server, {
      mode: 'legacy',
      username: 'demo',
      password: 'pw',
      identifier: 'box-1',
      appsecret: 'app',
    });
    expect(await tokens.getToken()).toBe(hex(9));
    expect(formOf(server.requests[0]?.body ?? '')).toEqual({
      name: 'demo',
      password: 'pw',
      identifier: 'box-1',
      appsecret: 'app',
    });
  });

  it('logs in again after the token is invalidated, and maps 401 to HTTP_UNAUTHORIZED', async () => {
    let calls = 0;
    const server = await startFakeServer(() => {
      calls += 1;
      return calls === 1
        ? {
            status: 200,
            body: {
              user: 1,
              application: null,
              token: hex(1),
              identifier: 'tidemark',
              expdate: null,
            },
          }
        : { status: 401, body: 'Unauthorized: Invalid credentials' };
    });
    servers.push(server);
    const tokens = provider(server, { mode: 'legacy', username: 'demo', password: 'pw' });
    tokens.invalidate(await tokens.getToken());
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: 'HTTP_UNAUTHORIZED',
      message: expect.stringContaining('Unauthorized: Invalid credentials') as unknown,
    });
    expect(formOf(server.requests[0]?.body ?? '')['identifier']).toBe('tidemark');
  });
});

describe('settings', () => {
  it('lists every problem with CONFIG_INVALID and never the password', () => {
    let error: TidemarkError | undefined;
    try {
      resolveZeyosClientSettings({
        baseUrl: 'ftp://x',
        instance: 'a/b',
        auth: { mode: 'legacy', username: '', password: 'hunter2', identifier: 'bad id' },
      });
    } catch (e: unknown) {
      error = e as TidemarkError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    const paths = (error?.details['issues'] as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['baseUrl', 'instance', 'auth.username', 'auth.identifier']),
    );
    expect(JSON.stringify(error) + String(error?.message)).not.toContain('hunter2');
  });

  it('keeps passwords as Secrets that print as [redacted]', () => {
    const settings = resolveZeyosClientSettings({
      baseUrl: 'http://127.0.0.1:1',
      instance: 'demo',
      auth: { mode: 'token', token: 'abc' },
    });
    expect(JSON.stringify(settings)).not.toContain('abc');
  });
});
