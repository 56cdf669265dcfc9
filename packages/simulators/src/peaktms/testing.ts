import type { PeaktmsSimulator } from './simulator.js';

/** A raw answer: status, headers, the body as text and (when it parses) JSON. */
export interface PeaktmsTestAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface PeaktmsTestClient {
  /** A session token of the demo user (POST /login once, then reused). */
  token(): Promise<string>;
  /** A request to `${apiUrl}${path}` with the session token; objects are sent as JSON. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<PeaktmsTestAnswer>;
  /** A request to `${apiUrl}${path}` without credentials; `body` is sent as given. */
  raw(
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers?: Record<string, string>,
  ): Promise<PeaktmsTestAnswer>;
}

/** A tiny fetch-based client for tests over a real socket; hides nothing. */
export function peaktmsTestClient(
  sim: Pick<PeaktmsSimulator, 'apiUrl' | 'credentials'>,
): PeaktmsTestClient {
  let token: Promise<string> | undefined;

  async function raw(
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<PeaktmsTestAnswer> {
    const response = await fetch(`${sim.apiUrl}${path}`, {
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

  const client: PeaktmsTestClient = {
    token() {
      token ??= (async () => {
        const answer = await raw(
          'POST',
          '/login',
          JSON.stringify({ user: sim.credentials.user, password: sim.credentials.password }),
          { 'Content-Type': 'application/json' },
        );
        const json = answer.json as { token?: unknown } | undefined;
        if (answer.status !== 200 || typeof json?.token !== 'string')
          throw new Error(`login failed: ${answer.status} ${answer.text}`);
        return json.token;
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
