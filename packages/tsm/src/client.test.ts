import { afterEach, describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import { createTsmClient, type TsmClient } from './client.js';
import { isTsmApiError, isTsmVersionConflict, type TsmApiError } from './errors.js';
import {
  startFakeServer,
  type FakeAnswer,
  type FakeRequest,
  type FakeServer,
} from './fake-server.js';
import { where } from './filter.js';

const servers: FakeServer[] = [];
const clients: TsmClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(
  handle: (request: FakeRequest, index: number) => FakeAnswer,
  extra: { modules?: Record<string, string>; timeoutMs?: number } = {},
) {
  const server = await startFakeServer(handle);
  servers.push(server);
  const slept: number[] = [];
  const client = createTsmClient(
    {
      baseUrl: server.origin,
      auth: { mode: 'token', token: 'tok' },
      http: {
        maxAttempts: 3,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
      },
      ...(extra.modules === undefined ? {} : { modules: extra.modules }),
    },
    {
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

async function failure(promise: Promise<unknown>): Promise<TsmApiError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as TsmApiError,
  );
}

const id = '019970a1-7797-73ba-a6d5-b424443a7dcb';
const audit = {
  version: 1,
  whoInserted: 'demo',
  whenInserted: '2025-09-25T00:56:37.851Z',
  whoEdited: 'demo',
  whenEdited: '2025-09-25T00:56:37.851Z',
};
const customer = { id, code: 'CUS-001', name: 'Acme s.r.o.', active: true, auditInfo: audit, x: 1 };

const errorBody = (status: number, error: string, message: string, extra = {}) => ({
  timestamp: '2025-09-25T00:56:37.851Z',
  status,
  error,
  message,
  path: '/tsm-customer/api/v2/customers',
  ...extra,
});

describe('tSM client operations', () => {
  it('creates with POST under the module path, assigning a client UUID', async () => {
    const { server, client } = await setup((request) => ({
      status: 201,
      body: { ...customer, id: (JSON.parse(request.body) as { id: string }).id },
      headers: { location: '/tsm-customer/api/v2/customers/x' },
    }));
    const result = await client.customers.create({ code: 'CUS-001', name: 'Acme s.r.o.' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/tsm-customer/api/v2/customers');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer tok');
    const sent = JSON.parse(request?.body ?? '') as Record<string, unknown>;
    expect(sent['id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(result).toMatchObject({ created: true, record: { id: sent['id'], x: 1 } });
    expect(result.location).toBe('/tsm-customer/api/v2/customers/x');
  });

  it('create: a retried POST answered 409 reads the record back (already created)', async () => {
    const { server, client } = await setup((request, index) => {
      if (index === 0) return { status: 503, body: errorBody(503, 'Service Unavailable', 'busy') };
      if (request.method === 'POST')
        return {
          status: 409,
          body: errorBody(409, 'Conflict', `customers with id '${id}' already exists`),
        };
      return { status: 200, body: customer };
    });
    const result = await client.customers.create({ name: 'Acme' }, { id });
    expect(result).toEqual({ record: customer, created: false, location: undefined });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /tsm-customer/api/v2/customers',
      'POST /tsm-customer/api/v2/customers',
      `GET /tsm-customer/api/v2/customers/${id}`,
    ]);
  });

  it('create: a 409 for a taken code (our id unknown) stays a duplicate conflict', async () => {
    const { client } = await setup((request) =>
      request.method === 'POST'
        ? {
            status: 409,
            body: errorBody(409, 'Conflict', "customers with code 'CUS-001' already exists"),
          }
        : { status: 404, body: errorBody(404, 'Not Found', 'not found') },
    );
    const error = await failure(client.customers.create({ code: 'CUS-001', name: 'A' }));
    expect(error.code).toBe('HTTP_CONFLICT');
    expect(isTsmApiError(error)).toBe(true);
    expect(error.conflict).toBe('duplicate');
    expect(error.body?.message).toContain('already exists');
  });

  it('create with server ids is not retried after a 500', async () => {
    const server = await startFakeServer(() => ({
      status: 500,
      body: errorBody(500, 'Internal Server Error', 'boom'),
    }));
    servers.push(server);
    const client = createTsmClient(
      {
        baseUrl: server.origin,
        auth: { mode: 'token', token: 'tok' },
        createIds: 'server',
        http: { retry: { baseDelayMs: 1 } },
      },
      { http: { sleep: () => Promise.resolve() } },
    );
    clients.push(client);
    const error = await failure(client.tickets.create({ name: 'T' }));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ name: 'T' });
  });

  it('gets by id or code with repeated expand; find gives undefined on 404', async () => {
    const user = { id, code: 'U123', roles: [{ id, code: 'ADMIN' }], groups: [] };
    const { server, client } = await setup((request) =>
      request.url.includes('NOPE')
        ? { status: 404, body: errorBody(404, 'Not Found', 'users NOPE not found') }
        : { status: 200, body: user },
    );
    expect(await client.users.get('U123', { expand: ['ROLES', 'GROUPS'] })).toEqual(user);
    expect(server.requests[0]?.url).toBe(
      '/tsm-user-management/api/v2/users/U123?expand=ROLES&expand=GROUPS',
    );
    expect(await client.users.find('NOPE')).toBeUndefined();
    const error = await failure(client.users.get('NOPE'));
    expect(error.code).toBe('HTTP_NOT_FOUND');
    expect(error.message).toContain('users NOPE not found');
  });

  it('puts with auditInfo.version; a 409 is a typed version conflict and not retried', async () => {
    const { server, client } = await setup(() => ({
      status: 409,
      body: errorBody(
        409,
        'Conflict',
        'Version conflict: record is at version 3, the request carries 1',
      ),
    }));
    const error = await failure(
      client.entityCatalogs.put(
        'CAT-001',
        { id, code: 'CAT-001', name: 'Internet 300' },
        { version: 1 },
      ),
    );
    expect(isTsmVersionConflict(error)).toBe(true);
    expect(error.details['conflict']).toBe('version');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe('PUT');
    expect(server.requests[0]?.url).toBe('/tsm-catalog/api/v2/entity-catalogs/CAT-001');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      id,
      code: 'CAT-001',
      name: 'Internet 300',
      auditInfo: { version: 1 },
    });
  });

  it('a 409 without words is a version conflict when a version was sent', async () => {
    const { client } = await setup(() => ({
      status: 409,
      body: { status: 409, error: 'Conflict' },
    }));
    const error = await failure(client.tickets.patch('T-1', { name: 'x' }, { version: 2 }));
    expect(error.conflict).toBe('version');
  });

  it('patches with application/merge-patch+json; nulls are sent', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: { id, assignee: null } }));
    await client.tickets.patch('T-1001', { assignee: null, tags: ['VIP', 'urgent'] });
    const [request] = server.requests;
    expect(request?.method).toBe('PATCH');
    expect(request?.url).toBe('/tsm-ticket/api/v2/tickets/T-1001');
    expect(request?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ assignee: null, tags: ['VIP', 'urgent'] });
  });

  it('exposes 422 field errors as a typed list', async () => {
    const { client } = await setup(() => ({
      status: 422,
      body: {
        status: 422,
        error: 'Unprocessable Entity',
        errors: [
          { field: 'name', message: 'must not be blank' },
          { field: 'code', defaultMessage: 'duplicated', rejectedValue: 'C' },
        ],
      },
    }));
    const error = await failure(client.customers.create({ code: 'C' }));
    expect(error.code).toBe('HTTP_UNPROCESSABLE');
    expect(error.fieldErrors).toEqual([
      { field: 'name', message: 'must not be blank' },
      { field: 'code', message: 'duplicated', defaultMessage: 'duplicated', rejectedValue: 'C' },
    ]);
    expect(error.details['fieldErrors']).toEqual(error.fieldErrors);
  });

  it.each([
    [400, 'HTTP_BAD_REQUEST'],
    [403, 'HTTP_FORBIDDEN'],
    [500, 'HTTP_SERVER_ERROR'],
  ] as const)('maps %i to %s with the server body', async (status, code) => {
    const { client } = await setup(() => ({
      status,
      body: errorBody(status, 'X', "Unknown filter field 'foo'"),
    }));
    const error = await failure(client.customers.search({ filter: [where.eq('foo', 1)] }));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.body?.message).toBe("Unknown filter field 'foo'");
    expect(error.details['operation']).toBe('search');
  });

  it('retries 429 honouring Retry-After', async () => {
    const { server, client, slept } = await setup((_request, index) =>
      index === 0
        ? {
            status: 429,
            body: errorBody(429, 'Too Many Requests', 'slow down'),
            headers: { 'retry-after': '2' },
          }
        : { status: 200, body: [] },
    );
    expect(await client.customers.search()).toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect(slept).toEqual([2000]);
  });

  it('deletes; missingOk turns 404 into missing', async () => {
    const { server, client } = await setup((_request, index) =>
      index === 0 ? { status: 204 } : { status: 404, body: errorBody(404, 'Not Found', 'gone') },
    );
    expect(await client.customers.delete('CUS-001')).toBe('deleted');
    expect(await client.customers.delete('CUS-001', { missingOk: true })).toBe('missing');
    expect(server.requests[0]?.method).toBe('DELETE');
  });

  it('pages with filters and iterates until the last page', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ ...customer, code: `C${i}` }));
    const { server, client } = await setup((request) => {
      const url = new URL(request.url, 'http://x');
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('size'));
      return {
        status: 200,
        body: {
          content: all.slice(page * size, page * size + size),
          page,
          size,
          totalElements: all.length,
          totalPages: Math.ceil(all.length / size),
        },
      };
    });
    const codes: string[] = [];
    for await (const record of client.customers.items(
      { filter: [where.eq('status', 'ACTIVE')], sort: ['code,ASC'] },
      { pageSize: 2 },
    ))
      codes.push(record.code ?? '');
    expect(codes).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/tsm-customer/api/v2/customers/page?status__eq=ACTIVE&sort=code,ASC&page=0&size=2',
      '/tsm-customer/api/v2/customers/page?status__eq=ACTIVE&sort=code,ASC&page=1&size=2',
      '/tsm-customer/api/v2/customers/page?status__eq=ACTIVE&sort=code,ASC&page=2&size=2',
    ]);
  });

  it('stops without totals at a page shorter than the applied size', async () => {
    const { server, client } = await setup((_request, index) => ({
      status: 200,
      body: { content: index === 0 ? [customer, customer] : [customer], size: 2 },
    }));
    const pages = [];
    for await (const page of client.customers.pages({}, { pageSize: 2 })) pages.push(page);
    expect(pages.map((p) => p.content.length)).toEqual([2, 1]);
    expect(server.requests).toHaveLength(2);
  });

  it('bulk: repeated idOrCodes, arrays, {id|code, patch}, per-item results', async () => {
    const { server, client } = await setup((request) => {
      if (request.method === 'DELETE') return { status: 204 };
      return {
        status: 200,
        body: [
          { index: 0, status: 200, data: customer },
          { index: 1, status: 404, error: { status: 404, message: 'not found' } },
        ],
      };
    });
    const got = await client.customers.bulkGet(['CUS-001', 'NOPE']);
    expect(got).toMatchObject([
      { ok: true, index: 0, idOrCode: 'CUS-001', record: customer },
      { ok: false, index: 1, idOrCode: 'NOPE', status: 404, error: { message: 'not found' } },
    ]);
    await client.customers.bulkCreate([
      { code: 'A', name: 'A' },
      { id, code: 'B', name: 'B' },
    ]);
    await client.customers.bulkPut([{ ...customer }]);
    await client.customers.bulkPatch([
      { id, patch: { name: 'N' } },
      { code: 'B', patch: { remarks: null } },
    ]);
    const deleted = await client.customers.bulkDelete(['CUS-001', 'B']);
    expect(deleted.map((d) => d.ok && d.idOrCode)).toEqual(['CUS-001', 'B']);
    const [get, post, put, patch, del] = server.requests;
    expect(get?.url).toBe('/tsm-customer/api/v2/customers/bulk?idOrCodes=CUS-001&idOrCodes=NOPE');
    expect(post?.method).toBe('POST');
    const posted = JSON.parse(post?.body ?? '') as Array<Record<string, unknown>>;
    expect(posted[0]?.['id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted[1]?.['id']).toBe(id);
    expect(put?.method).toBe('PUT');
    expect(JSON.parse(patch?.body ?? '')).toEqual([
      { id, patch: { name: 'N' } },
      { code: 'B', patch: { remarks: null } },
    ]);
    expect(del?.method).toBe('DELETE');
    expect(del?.url).toBe('/tsm-customer/api/v2/customers/bulk?idOrCodes=CUS-001&idOrCodes=B');
  });

  it('reads the log of an entity or a record, tolerating unknown shapes', async () => {
    const { server, client } = await setup(() => ({
      status: 200,
      body: { content: [{ op: 'UPDATE', anything: [1] }], totalElements: 1, totalPages: 1 },
    }));
    const page = await client.customers.log({ idOrCode: 'CUS-001', size: 10 });
    expect(page.content).toEqual([{ op: 'UPDATE', anything: [1] }]);
    await client.customers.log({ filter: [where.gtr('when', '-P1D')] });
    expect(server.requests.map((r) => r.url)).toEqual([
      '/tsm-customer/api/v2/customers/CUS-001/log?page=0&size=10',
      '/tsm-customer/api/v2/customers/log?when__gtr=-P1D&page=0',
    ]);
  });

  it('module paths are configurable per entity; unknown entities need one', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: [] }), {
      modules: { customers: '/crm/api/v2/', 'product-offerings': '/tsm-catalog/api/v2' },
    });
    await client.customers.search({ size: 5 });
    await client.entity('product-offerings').search();
    expect(server.requests.map((r) => r.url)).toEqual([
      '/crm/api/v2/customers/search?size=5',
      '/tsm-catalog/api/v2/product-offerings/search',
    ]);
    expect(() => client.entity('unknowns')).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID' }) as TidemarkError,
    );
  });

  it('a record not matching the schema is HTTP_RESPONSE_INVALID without values', async () => {
    const { client } = await setup(() => ({ status: 200, body: { id: 'secret-not-a-uuid' } }));
    const error = await failure(client.customers.get('C'));
    expect(error.code).toBe('HTTP_RESPONSE_INVALID');
    expect(JSON.stringify(error.details)).not.toContain('secret-not-a-uuid');
  });

  it('pageRaw keeps a record that fails the schema, where page fails the whole page', async () => {
    const broken = { ...customer, id: '019970a1-7797-73ba-a6d5-b424443a7dcc', name: 42 };
    const { server, client } = await setup(() => ({
      status: 200,
      body: { content: [customer, broken], page: 0, size: 2, totalElements: 2, totalPages: 1 },
    }));
    const raw = await client.customers.pageRaw({
      filter: [where.gte('auditInfo.whenEdited', '2025-09-25T00:00:00.000Z')],
      size: 2,
    });
    expect(raw.content).toEqual([customer, broken]);
    expect(server.requests[0]?.url).toBe(
      '/tsm-customer/api/v2/customers/page?auditInfo.whenEdited__gte=2025-09-25T00:00:00.000Z&page=0&size=2',
    );
    await expect(client.customers.page({ size: 2 })).rejects.toMatchObject({
      code: 'HTTP_RESPONSE_INVALID',
    });
  });

  it('refuses ids with a slash before sending', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: customer }));
    await expect(client.customers.get('a/b')).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(server.requests).toHaveLength(0);
  });
});
