import type { TsmSimulator } from './simulator.js';

/** A raw answer: status, headers, the body as text and (when it parses) JSON. */
export interface TsmTestAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface TsmTestClient {
  /** An access token of the demo user (password grant; fetched once, then reused). */
  token(): Promise<string>;
  /** A request to `${baseUrl}${path}` with the demo token; objects are sent as JSON. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TsmTestAnswer>;
  /** A request without credentials; `body` is sent as given. */
  raw(
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<TsmTestAnswer>;
}

/** A tiny fetch-based client for tests over a real socket; hides nothing. */
export function tsmTestClient(sim: Pick<TsmSimulator, 'baseUrl' | 'credentials'>): TsmTestClient {
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

  const client: TsmTestClient = {
    token() {
      token ??= (async () => {
        const form = new URLSearchParams({
          grant_type: 'password',
          username: sim.credentials.username,
          password: sim.credentials.password,
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret,
        });
        const answer = await raw('POST', '/oauth2/token', form.toString(), {
          'Content-Type': 'application/x-www-form-urlencoded',
        });
        const json = answer.json as { access_token?: unknown } | undefined;
        if (answer.status !== 200 || typeof json?.access_token !== 'string')
          throw new Error(`token request failed: ${answer.status} ${answer.text}`);
        return json.access_token;
      })();
      return token;
    },
    async api(method, path, body, headers = {}) {
      const bearer = await client.token();
      return raw(method, path, body === undefined ? undefined : JSON.stringify(body), {
        Authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      });
    },
    raw,
  };
  return client;
}
