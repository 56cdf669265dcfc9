import type { ZeyosSimulator } from './simulator.js';

/** A raw answer: status, headers and the body as text and (when it parses) JSON. */
export interface TestAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface ZeyosTestClient {
  /** An OAuth access token of the demo user (fetched once, then reused). */
  token(): Promise<string>;
  /** A request to /{instance}/api/v1{path} with the demo user's bearer token. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestAnswer>;
  /** A request to any path of the simulator, without credentials. */
  raw(
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<TestAnswer>;
}

/**
 * A tiny fetch-based client for tests against a simulator over a real socket. Not the ZeyOS
 * client of Tidemark: it sends exactly what it is given and hides nothing.
 */
export function zeyosTestClient(
  sim: Pick<ZeyosSimulator, 'baseUrl' | 'instances' | 'credentials'>,
  instance = sim.instances[0] ?? 'demo',
): ZeyosTestClient {
  let token: Promise<string> | undefined;

  async function raw(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${sim.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  const client: ZeyosTestClient = {
    token() {
      token ??= (async () => {
        const form = new URLSearchParams({
          grant_type: 'password',
          username: sim.credentials.username,
          password: sim.credentials.password,
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret,
        });
        const answer = await raw('POST', `/${instance}/oauth2/v1/token`, form.toString(), {
          'Content-Type': 'application/x-www-form-urlencoded',
        });
        const json = answer.json as { access_token?: unknown } | undefined;
        if (answer.status !== 200 || typeof json?.access_token !== 'string') {
          throw new Error(`token request failed: ${answer.status} ${answer.text}`);
        }
        return json.access_token;
      })();
      return token;
    },
    async api(method, path, body, headers = {}) {
      const bearer = await client.token();
      return raw(
        method,
        `/${instance}/api/v1${path}`,
        body === undefined ? undefined : JSON.stringify(body),
        {
          Authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
      );
    },
    raw,
  };
  return client;
}
