import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZeyosSimulator, type ZeyosSimulator } from './simulator.js';
import { zeyosTestClient, type ZeyosTestClient } from './testing.js';

let sim: ZeyosSimulator;
let client: ZeyosTestClient;

beforeAll(async () => {
  sim = await startZeyosSimulator({ port: 0, demoRecords: 0, instances: ['demo', 'other'] });
  client = zeyosTestClient(sim);
});
afterAll(async () => {
  await sim.close();
});

const form = (values: Record<string, string>) => ({
  body: new URLSearchParams(values).toString(),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});

async function post(
  path: string,
  values: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const f = form(values);
  return client.raw('POST', path, f.body, { ...f.headers, ...headers });
}

async function apiStatus(token: string, instance = 'demo'): Promise<number> {
  return (
    await client.raw('POST', `/${instance}/api/v1/accounts`, '{"count":1}', {
      Authorization: `Bearer ${token}`,
    })
  ).status;
}

function passwordGrant(extra: Record<string, string> = {}) {
  return post('/demo/oauth2/v1/token', {
    grant_type: 'password',
    username: sim.credentials.username,
    password: sim.credentials.password,
    client_id: sim.credentials.clientId,
    client_secret: sim.credentials.clientSecret,
    ...extra,
  });
}

interface TokenAnswer {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
}

describe('legacy Authentication API (auth.json)', () => {
  it('logs in, checks the token, and logs out', async () => {
    const login = await post('/demo/auth/v1/login', {
      name: 'demo',
      password: 'demo',
      identifier: 'test-device',
      appsecret: sim.credentials.clientSecret,
    });
    expect(login.status).toBe(200);
    const body = login.json as Record<string, unknown>;
    expect(body).toMatchObject({ user: 1, application: 1, identifier: 'test-device' });
    expect(body.token).toMatch(/^[a-f0-9]{40}$/);
    // Default lifetime: 100 days.
    expect(body.expdate).toBeCloseTo(Date.now() / 1000 + 8_640_000, -2);
    const token = body.token as string;
    expect(await apiStatus(token)).toBe(200);

    const info = await client.raw('GET', '/demo/auth/v1/?access=1', undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(info.json).toMatchObject({
      auth: { user: 1, application: 1 },
      user: 1,
      name: 'demo',
      admin: true,
    });
    expect(
      (await client.raw('HEAD', '/demo/auth/v1/', undefined, { Authorization: `Bearer ${token}` }))
        .status,
    ).toBe(204);

    const logout = await client.raw('GET', '/demo/auth/v1/logout', undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(logout.status).toBe(204);
    expect(await apiStatus(token)).toBe(401);
    const check = await client.raw('HEAD', '/demo/auth/v1/', undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(check.status).toBe(401);
    expect(check.headers.get('www-authenticate')).toContain('Bearer realm="demo"');
  });

  it('accepts JSON, honours expdate, and refuses bad credentials with 401', async () => {
    const expdate = Math.floor(Date.now() / 1000) + 60;
    const login = await client.raw(
      'POST',
      '/demo/auth/v1/login',
      JSON.stringify({ name: 'DEMO@example.com', password: 'demo', identifier: 'x', expdate }),
      { 'Content-Type': 'application/json' },
    );
    expect(login.json).toMatchObject({ user: 1, application: null, expdate });
    const wrong = await post('/demo/auth/v1/login', {
      name: 'demo',
      password: 'nope',
      identifier: 'x',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe('Unauthorized: Invalid credentials');
    expect(
      (await post('/demo/auth/v1/login', { name: 'demo', password: 'demo', identifier: 'bad id!' }))
        .status,
    ).toBe(400);
  });

  it('keeps tokens per instance', async () => {
    const login = await post('/demo/auth/v1/login', {
      name: 'demo',
      password: 'demo',
      identifier: 'i',
    });
    const token = (login.json as { token: string }).token;
    expect(await apiStatus(token, 'other')).toBe(401);
  });
});

describe('OAuth 2.0 API (oauth2.json)', () => {
  it('issues 3600 s access tokens and 100-day refresh tokens with the password grant', async () => {
    const answer = await passwordGrant();
    expect(answer.status).toBe(200);
    const tokens = answer.json as TokenAnswer;
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token_expires_in: 8_640_000,
    });
    expect(tokens.access_token).toMatch(/^[a-f0-9]{40}$/);
    expect(tokens.refresh_token).toMatch(/^[a-f0-9]{40}$/);
    expect(await apiStatus(tokens.access_token)).toBe(200);
  });

  it('authenticates the client by HTTP Basic as well', async () => {
    const basic = Buffer.from(
      `${sim.credentials.clientId}:${sim.credentials.clientSecret}`,
    ).toString('base64');
    const answer = await post(
      '/demo/oauth2/v1/token',
      { grant_type: 'password', username: 'demo', password: 'demo' },
      { Authorization: `Basic ${basic}` },
    );
    expect(answer.status).toBe(200);
  });

  it('makes refresh tokens single-use and lets a new token invalidate the previous one', async () => {
    const first = (await passwordGrant()).json as TokenAnswer;
    const refreshed = await post('/demo/oauth2/v1/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
    });
    expect(refreshed.status).toBe(200);
    const second = refreshed.json as TokenAnswer;
    expect(await apiStatus(second.access_token)).toBe(200);
    // The previous access token died with the new set.
    expect(await apiStatus(first.access_token)).toBe(401);
    // The refresh token was used once already.
    const reused = await post('/demo/oauth2/v1/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
    });
    expect(reused.status).toBe(403);
    expect(reused.json).toEqual({
      error: 'invalid_grant',
      error_description: 'Forbidden: Invalid or expired refresh_token',
    });
    // A password grant also replaces the set obtained by refresh.
    const third = (await passwordGrant()).json as TokenAnswer;
    expect(await apiStatus(second.access_token)).toBe(401);
    expect(await apiStatus(third.access_token)).toBe(200);
  });

  it('refuses unknown clients with 401 and bad passwords with 403', async () => {
    const unknown = await passwordGrant({ client_secret: 'wrong' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Basic realm="demo"');
    expect(unknown.json).toMatchObject({ error: 'invalid_client' });
    const badPassword = await passwordGrant({ password: 'wrong' });
    expect(badPassword.status).toBe(403);
    expect((await passwordGrant({ grant_type: 'client_credentials' })).status).toBe(400);
  });

  it('introspects and revokes tokens', async () => {
    const tokens = (await passwordGrant()).json as TokenAnswer;
    const creds = {
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
    };
    const active = await post('/demo/oauth2/v1/introspect', {
      token: tokens.access_token,
      ...creds,
    });
    expect(active.json).toMatchObject({
      active: true,
      client_id: 'tidemark',
      username: 'demo',
      sub: '1',
    });
    expect(
      (await post('/demo/oauth2/v1/revoke', { token: tokens.refresh_token, ...creds })).status,
    ).toBe(200);
    expect(await apiStatus(tokens.access_token)).toBe(401);
    const inactive = await post('/demo/oauth2/v1/introspect', {
      token: tokens.access_token,
      ...creds,
    });
    expect(inactive.json).toEqual({ active: false });
  });

  it('returns user info for an access token', async () => {
    const tokens = (await passwordGrant()).json as TokenAnswer;
    const info = await client.raw('GET', '/demo/oauth2/v1/userinfo', undefined, {
      Authorization: `Bearer ${tokens.access_token}`,
    });
    expect(info.json).toMatchObject({
      sub: '1',
      preferred_username: 'demo',
      email: 'demo@example.com',
      locale: 'en-US',
    });
  });

  it('runs the authorization-code grant with PKCE', async () => {
    const verifier = 'a-very-long-code-verifier-with-enough-entropy-1234567890';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = await fetch(
      `${sim.baseUrl}/demo/oauth2/v1/authorize?client_id=tidemark&response_type=code&state=s1&code_challenge=${challenge}&code_challenge_method=S256&redirect_uri=${encodeURIComponent('http://localhost/cb')}`,
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(303);
    const location = new URL(authorize.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code') ?? '';
    const creds = {
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
    };
    const wrong = await post('/demo/oauth2/v1/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: 'nope',
      ...creds,
    });
    expect(wrong.status).toBe(403);
    // Codes are single-use even when the verifier was wrong: start over.
    const again = await fetch(
      `${sim.baseUrl}/demo/oauth2/v1/authorize?client_id=tidemark&response_type=code&code_challenge=${challenge}&code_challenge_method=S256&redirect_uri=${encodeURIComponent('http://localhost/cb')}`,
      { redirect: 'manual' },
    );
    const code2 = new URL(again.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const ok = await post('/demo/oauth2/v1/token', {
      grant_type: 'authorization_code',
      code: code2,
      code_verifier: verifier,
      ...creds,
    });
    expect(ok.status).toBe(200);
  });
});

describe('token expiry', () => {
  it('expires access tokens after 3600 s of simulated time', async () => {
    const tokens = (await passwordGrant()).json as TokenAnswer;
    sim.admin.clock.apply({ advanceMs: 3_599_000 });
    try {
      expect(await apiStatus(tokens.access_token)).toBe(200);
      sim.admin.clock.apply({ advanceMs: 1000 });
      expect(await apiStatus(tokens.access_token)).toBe(401);
    } finally {
      sim.admin.clock.apply({ reset: true });
    }
  });

  it('caps lifetimes with the tokenTtlSeconds knob and expires everything on demand', async () => {
    sim.admin.setKnobs({ tokenTtlSeconds: 2 });
    try {
      const tokens = (await passwordGrant()).json as TokenAnswer;
      expect(tokens.expires_in).toBe(3600);
      sim.admin.clock.apply({ advanceMs: 2000 });
      expect(await apiStatus(tokens.access_token)).toBe(401);
    } finally {
      sim.admin.clock.apply({ reset: true });
      sim.admin.setKnobs({ tokenTtlSeconds: null });
    }
    const fresh = (await passwordGrant()).json as TokenAnswer;
    const expired = await fetch(`${sim.admin.url}/tokens/expire`, { method: 'POST' });
    expect(((await expired.json()) as { expired: number }).expired).toBeGreaterThan(0);
    expect(await apiStatus(fresh.access_token)).toBe(401);
  });
});
