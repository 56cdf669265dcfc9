import { afterEach, describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import {
  createZeyosClient,
  idFromLocation,
  parseLastModified,
  type ZeyosClient,
} from './client.js';
import { zeyosErrorText } from './errors.js';
import {
  startFakeServer,
  type FakeAnswer,
  type FakeRequest,
  type FakeServer,
} from './fake-server.js';
import { where } from './filter.js';

const servers: FakeServer[] = [];
const clients: ZeyosClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(handle: (request: FakeRequest) => FakeAnswer) {
  const server = await startFakeServer(handle);
  servers.push(server);
  const client = createZeyosClient(
    {
      baseUrl: server.origin,
      instance: 'demo',
      auth: { mode: 'token', token: 'tok' },
      http: { maxAttempts: 3, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    },
    { http: { sleep: () => Promise.resolve() } },
  );
  clients.push(client);
  return { server, client };
}

async function failure(promise: Promise<unknown>): Promise<TidemarkError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as TidemarkError,
  );
}

const etag = '"73c5fdd17f180f2126995666b7edc0e3"';

describe('ZeyOS client operations', () => {
  it('lists with POST /{entity}, the bearer token and the documented body', async () => {
    const { server, client } = await setup(() => ({
      status: 200,
      body: [{ ID: 1, lastname: 'Doe', lastmodified: 5, extra: 'kept' }],
    }));
    const rows = await client.list('accounts', {
      filter: where.gt('lastmodified', 4),
      sort: ['+lastmodified', '+ID'],
      limit: 10,
    });
    expect(rows).toEqual([{ ID: 1, lastname: 'Doe', lastmodified: 5, extra: 'kept' }]);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/demo/api/v1/accounts');
    expect(request?.headers['authorization']).toBe('Bearer tok');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      filters: { lastmodified: { '>': 4 } },
      sort: ['+lastmodified', '+ID'],
      limit: 10,
    });
  });

  it('accepts rows with aliases and without ID when fields are selected', async () => {
    const { client } = await setup(() => ({ status: 200, body: [{ Name: 'Doe' }] }));
    const rows = await client.list('accounts', { fields: { Name: 'lastname' } });
    expect(rows).toEqual([{ Name: 'Doe' }]);
  });

  it('rejects a record whose documented field has the wrong type with HTTP_RESPONSE_INVALID', async () => {
    const { client } = await setup(() => ({ status: 200, body: [{ ID: 'one' }] }));
    const error = await failure(client.list('accounts'));
    expect(error.code).toBe('HTTP_RESPONSE_INVALID');
    expect(JSON.stringify(error)).not.toContain('one"');
  });

  it('pages with limit/offset until a short page', async () => {
    const data = Array.from({ length: 5 }, (_, i) => ({ ID: i + 1 }));
    const { server, client } = await setup((request) => {
      const body = JSON.parse(request.body) as { limit: number; offset: number };
      return { status: 200, body: data.slice(body.offset, body.offset + body.limit) };
    });
    const ids: number[] = [];
    for await (const row of client.rows('contacts', {}, { pageSize: 2 })) ids.push(Number(row.ID));
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { offset: number }).offset)).toEqual([
      0, 2, 4,
    ]);
  });

  it('counts with count: true and reads {"count": n}', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: { count: 5 } }));
    expect(await client.count('accounts', { filter: where.eq('visibility', 0) })).toBe(5);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      count: true,
      filters: { visibility: 0 },
    });
  });

  it('gets a record with ETag and Last-Modified, and "not modified" on a matching If-None-Match', async () => {
    const { server, client } = await setup((request): FakeAnswer =>
      request.headers['if-none-match'] === etag
        ? { status: 304, headers: { etag } }
        : {
            status: 200,
            body: { ID: 7, lastname: 'Doe' },
            headers: { etag, 'last-modified': 'Fri, 29 Aug 1997 07:14:00 GMT' },
          },
    );
    const got = await client.get('accounts', 7, { extdata: true, tags: true, expand: ['x'] });
    expect(got).toEqual({
      status: 'ok',
      record: { ID: 7, lastname: 'Doe' },
      etag,
      lastModified: 872838840,
    });
    expect(server.requests[0]?.url).toBe('/demo/api/v1/accounts/7?extdata=1&tags=1&expand%5B%5D=x');
    expect(await client.get('accounts', 7, { ifNoneMatch: etag })).toEqual({
      status: 'not-modified',
      etag,
    });
  });

  it('tells existence from HEAD: 204 true, 404 false', async () => {
    const { client } = await setup((request) => ({
      status: request.url.endsWith('/1') ? 204 : 404,
    }));
    expect(await client.exists('accounts', 1)).toBe(true);
    expect(await client.exists('accounts', 2)).toBe(false);
  });

  it('creates with PUT and reads the ID from the body or from Content-Location', async () => {
    const { server, client } = await setup((request) =>
      request.url.endsWith('/notes')
        ? { status: 201, headers: { 'content-location': '/demo/api/v1/notes/12', etag } }
        : {
            status: 201,
            body: { ID: 11, lastname: 'New' },
            headers: { 'content-location': '/demo/api/v1/accounts/11', etag },
          },
    );
    const created = await client.create('accounts', { lastname: 'New' });
    expect(created).toMatchObject({
      id: 11,
      record: { ID: 11 },
      etag,
      location: '/demo/api/v1/accounts/11',
    });
    expect(server.requests[0]?.method).toBe('PUT');
    expect((await client.create('notes', { name: 'x' })).id).toBe(12);
  });

  it('does not retry a create that may have reached the server', async () => {
    const { server, client } = await setup(() => ({
      status: 500,
      body: "I am afraid I can't do that Dave!",
    }));
    const error = await failure(client.create('accounts', { lastname: 'x' }));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(server.requests).toHaveLength(1);
  });

  it('updates with PATCH and If-Match; a 412 is HTTP_PRECONDITION_FAILED with the server text', async () => {
    const { server, client } = await setup((request) =>
      request.headers['if-match'] === etag
        ? { status: 200, body: { ID: 7, lastname: 'B' }, headers: { etag: '"new"' } }
        : { status: 412, body: 'Precondition Failed: Non-matching ETag' },
    );
    const updated = await client.update('accounts', 7, { lastname: 'B' }, { ifMatch: etag });
    expect(updated).toMatchObject({ record: { lastname: 'B' }, etag: '"new"' });
    expect(server.requests[0]?.method).toBe('PATCH');
    const error = await failure(
      client.update('accounts', 7, { lastname: 'C' }, { ifMatch: '"old"' }),
    );
    expect(error.code).toBe('HTTP_PRECONDITION_FAILED');
    expect(zeyosErrorText(error)).toBe('Precondition Failed: Non-matching ETag');
    expect(error.message).toContain('update accounts/7');
    expect(error.details).toMatchObject({ entity: 'accounts', id: 7, status: 412 });
  });

  it('deletes with If-Match; a missing record throws, or resolves "missing" with missingOk', async () => {
    const { server, client } = await setup((request) =>
      request.url.endsWith('/1') ? { status: 204 } : { status: 404, body: 'Not Found' },
    );
    expect(await client.delete('accounts', 1, { ifMatch: etag })).toBe('deleted');
    expect(server.requests[0]?.headers['if-match']).toBe(etag);
    expect((await failure(client.delete('accounts', 2))).code).toBe('HTTP_NOT_FOUND');
    expect(await client.delete('accounts', 2, { missingOk: true })).toBe('missing');
  });

  it('refuses bad entity names and IDs before sending', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: [] }));
    expect((await failure(client.list('../auth'))).code).toBe('INPUT_INVALID');
    expect((await failure(client.get('accounts', 0))).code).toBe('INPUT_INVALID');
    expect(server.requests).toHaveLength(0);
  });
});

describe('error mapping', () => {
  const cases = [
    {
      status: 400,
      text: 'Bad Request: Invalid filter field "x"',
      code: 'HTTP_BAD_REQUEST',
      attempts: 1,
    },
    {
      status: 401,
      text: 'Unauthorized: Invalid bearer token',
      code: 'HTTP_UNAUTHORIZED',
      attempts: 2,
    },
    {
      status: 403,
      text: 'Forbidden: Lacking access permission',
      code: 'HTTP_FORBIDDEN',
      attempts: 1,
    },
    { status: 404, text: 'Not Found', code: 'HTTP_NOT_FOUND', attempts: 1 },
    { status: 409, text: 'Conflict: ID present', code: 'HTTP_CONFLICT', attempts: 1 },
    {
      status: 412,
      text: 'Precondition Failed: Non-matching ETag',
      code: 'HTTP_PRECONDITION_FAILED',
      attempts: 1,
    },
    {
      status: 429,
      text: 'Too Many Requests: Please try again later',
      code: 'HTTP_RATE_LIMITED',
      attempts: 3,
    },
    {
      status: 503,
      text: 'Service Unavailable: Please try again later',
      code: 'HTTP_UNAVAILABLE',
      attempts: 3,
    },
    {
      status: 500,
      text: "I am afraid I can't do that Dave!",
      code: 'HTTP_SERVER_ERROR',
      attempts: 3,
    },
  ] as const;
  it.each(cases)(
    '$status → $code with the server text',
    async ({ status, text, code, attempts }) => {
      const { server, client } = await setup(() => ({ status, body: text }));
      const error = await failure(client.get('accounts', 1));
      expect(error.code).toBe(code);
      expect(zeyosErrorText(error)).toBe(text);
      expect(error.message).toContain(text);
      expect(server.requests).toHaveLength(attempts);
    },
  );

  it('retries a 503 and succeeds', async () => {
    let calls = 0;
    const { client } = await setup(() =>
      (calls += 1) < 3
        ? { status: 503, body: 'Service Unavailable', headers: { 'retry-after': '0' } }
        : { status: 200, body: { ID: 1 } },
    );
    expect(await client.get('accounts', 1)).toMatchObject({ status: 'ok', record: { ID: 1 } });
  });
});

describe('header helpers', () => {
  it.each([
    ['/demo/api/v1/accounts/17', 17],
    ['https://x/demo/api/v1/accounts/17/', 17],
    ['/demo/api/v1/accounts', undefined],
    [undefined, undefined],
  ])('idFromLocation(%s) = %s', (location, id) => {
    expect(idFromLocation(location)).toBe(id);
  });
  it('reads Last-Modified as Unix seconds', () => {
    expect(parseLastModified('Fri, 29 Aug 1997 07:14:00 GMT')).toBe(872838840);
    expect(parseLastModified('nonsense')).toBeUndefined();
  });
});
