/**
 * Contract tests of @tidemark/tsm against the tSM simulator: every operation, every filter
 * operator (compared with a full listing as ground truth), the documented status codes, auth
 * flows and injected faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import { startTsmSimulator, type TsmSimulator } from '@tidemark/simulators';
import {
  createTsmClient,
  isTsmApiError,
  isTsmVersionConflict,
  where,
  type TsmApiError,
  type TsmAuthSettings,
  type TsmClient,
  type TsmCustomer,
  type TsmFilterCondition,
} from '@tidemark/tsm';

let sim: TsmSimulator;
const clients: TsmClient[] = [];
const slept: number[] = [];

function client(
  auth?: TsmAuthSettings,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): TsmClient {
  const c = createTsmClient(
    {
      baseUrl: sim.baseUrl,
      auth: auth ?? {
        mode: 'oauth2',
        grant: 'password',
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
        username: sim.credentials.username,
        password: sim.credentials.password,
      },
      http: {
        maxAttempts: 4,
        timeoutMs: options.timeoutMs ?? 5_000,
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      },
    },
    {
      http: {
        // Records the waits asked for (Retry-After) but keeps the test fast.
        sleep:
          options.sleep ??
          ((ms) => {
            slept.push(ms);
            return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
          }),
      },
    },
  );
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<TsmApiError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as TsmApiError,
  );
}

beforeAll(async () => {
  sim = await startTsmSimulator({ port: 0, seed: 7, demoRecords: 40, rateLimitPerSecond: null });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
});

beforeEach(() => {
  sim.admin.resetKnobs();
  sim.admin.clearFaults();
  sim.admin.setRateLimit(null);
  slept.length = 0;
});

describe('tSM client against the simulator: auth', () => {
  it('client_credentials (the default grant) and password grant both work', async () => {
    const cc = client({
      mode: 'oauth2',
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
    });
    expect((await cc.customers.search({ size: 1 })).length).toBe(1);
    expect((await client().customers.search({ size: 1 })).length).toBe(1);
  });

  it('HTTP Basic client authentication', async () => {
    const basic = client({
      mode: 'oauth2',
      clientAuthentication: 'basic',
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
    });
    expect((await basic.users.search({ size: 1 })).length).toBe(1);
  });

  it('after every token expired, a 401 fetches a new token (refresh grant) and repeats', async () => {
    const c = client();
    await c.customers.search({ size: 1 });
    sim.admin.clearRequests();
    expect(sim.admin.expireTokens()).toBeGreaterThan(0);
    expect((await c.customers.search({ size: 1 })).length).toBe(1);
    const statuses = sim.admin
      .requests()
      .map((r) => `${r.method} ${r.url.split('?')[0]} ${r.status}`);
    expect(statuses).toContain('GET /tsm-customer/api/v2/customers/search 401');
    expect(statuses.filter((s) => s.startsWith('POST /oauth2/token')).length).toBeGreaterThan(0);
  });

  it('wrong client secret → HTTP_UNAUTHORIZED; a static invalid token → HTTP_UNAUTHORIZED', async () => {
    const bad = client({
      mode: 'oauth2',
      clientId: sim.credentials.clientId,
      clientSecret: 'nope',
    });
    expect((await failure(bad.customers.search())).code).toBe('HTTP_UNAUTHORIZED');
    const fixed = client({ mode: 'token', token: 'not.a.jwt' });
    const error = await failure(fixed.customers.search());
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.status).toBe(401);
  });

  it('a read-only client gets 403 on writes', async () => {
    const ro = client({
      mode: 'oauth2',
      clientId: sim.credentials.readOnlyClientId,
      clientSecret: sim.credentials.readOnlyClientSecret,
    });
    expect((await ro.customers.search({ size: 1 })).length).toBe(1);
    const error = await failure(ro.customers.create({ code: 'RO-1', name: 'x' }));
    expect(error.code).toBe('HTTP_FORBIDDEN');
    expect(error.body?.status).toBe(403);
  });
});

describe('tSM client against the simulator: CRUD and optimistic locking', () => {
  it('create, get by id and code, put, merge patch, version conflict, delete', async () => {
    const c = client();
    const { record, created } = await c.customers.create({
      code: 'CT-1',
      name: 'Acme s.r.o.',
      remarks: 'to be removed',
      tags: ['a'],
    });
    expect(created).toBe(true);
    expect(record.auditInfo?.version).toBe(0);
    expect(await c.customers.get('CT-1')).toEqual(record);
    expect(await c.customers.get(record.id)).toEqual(record);

    const put = await c.customers.put(
      'CT-1',
      { code: 'CT-1', name: 'Acme a.s.', remarks: 'kept' },
      { version: 0 },
    );
    expect(put.name).toBe('Acme a.s.');
    expect(put.auditInfo?.version).toBe(1);

    const patched = await c.customers.patch(
      record.id,
      { remarks: null, tags: ['VIP', 'urgent'] },
      { version: 1 },
    );
    expect(patched.remarks ?? undefined).toBeUndefined();
    expect(patched['tags']).toEqual(['VIP', 'urgent']);
    expect(patched.name).toBe('Acme a.s.');
    expect(patched.auditInfo?.version).toBe(2);

    const stale = await failure(c.customers.patch('CT-1', { name: 'late' }, { version: 1 }));
    expect(stale.code).toBe('HTTP_CONFLICT');
    expect(isTsmVersionConflict(stale)).toBe(true);
    expect((await c.customers.get('CT-1')).name).toBe('Acme a.s.');

    const stalePut = await failure(
      c.customers.put('CT-1', { ...patched, name: 'late', auditInfo: { version: 0 } }),
    );
    expect(stalePut.conflict).toBe('version');

    expect(await c.customers.delete('CT-1')).toBe('deleted');
    expect(await c.customers.find('CT-1')).toBeUndefined();
    expect((await failure(c.customers.get(record.id))).code).toBe('HTTP_NOT_FOUND');
    expect(await c.customers.delete(record.id, { missingOk: true })).toBe('missing');
  });

  it('a duplicate code is a 409 duplicate; a missing required field a 422 with field errors', async () => {
    const c = client();
    await c.entityCatalogs.create({ code: 'CAT-DUP', name: 'Internet 300' });
    const duplicate = await failure(c.entityCatalogs.create({ code: 'CAT-DUP', name: 'again' }));
    expect(duplicate.code).toBe('HTTP_CONFLICT');
    expect(duplicate.conflict).toBe('duplicate');

    const invalid = await failure(c.entityCatalogs.create({ code: 'CAT-NO-NAME' }));
    expect(invalid.code).toBe('HTTP_UNPROCESSABLE');
    expect(invalid.fieldErrors.map((e) => e.field)).toContain('name');
    expect(invalid.fieldErrors.every((e) => typeof e.message === 'string')).toBe(true);
  });

  it('an unknown filter field is a 400 with the server’s message', async () => {
    const error = await failure(client().customers.search({ filter: [where.eq('foo', 1)] }));
    expect(error.code).toBe('HTTP_BAD_REQUEST');
    expect(error.body?.message).toMatch(/foo/);
  });

  it('create is idempotent: a POST that landed but whose answer was lost is read back', async () => {
    const c = client();
    // The server creates the record, then the connection drops halfway through the answer.
    sim.admin.injectFaults([{ fault: 'truncate', match: '^POST /tsm-ticket/api/v2/tickets$' }]);
    const result = await c.tickets.create({ code: 'T-IDEM', name: 'Printer on fire' });
    expect(result.created).toBe(false);
    expect(result.record.code).toBe('T-IDEM');
    const creates = sim.journal
      .all()
      .filter((entry) => entry.id === result.record.id && entry.op === 'create');
    expect(creates).toHaveLength(1);
  });

  it('users expand roles and groups; register values expand and filter by register', async () => {
    const c = client();
    const user = await c.users.get(sim.credentials.username, { expand: ['ROLES', 'GROUPS'] });
    expect(user.roles?.length).toBeGreaterThan(0);
    expect(typeof user.roles?.[0]).toBe('object');
    expect(user.groups?.length).toBeGreaterThan(0);
    const values = await c.registerValues.search({
      filter: [where.eq('register.code', 'Reg.Crm.Titul.Pred.Menom')],
      expand: ['REGISTER'],
      sort: ['order,ASC'],
      size: 100,
    });
    expect(values.map((v) => v.value)).toEqual(['Ing.', 'Mgr.', 'MUDr.', 'Bc.', 'Mgr. art.']);
    expect(values[0]?.register).toMatchObject({ code: 'Reg.Crm.Titul.Pred.Menom' });
    const mgr = await c.registerValues.page({
      filter: [where.eq('register.code', 'Reg.Crm.Titul.Pred.Menom'), where.like('value', '%Mgr%')],
      page: 0,
      size: 20,
      sort: ['order,asc'],
    });
    expect(mgr.content.map((v) => v.value)).toEqual(['Mgr.', 'Mgr. art.']);
    expect(mgr.totalElements).toBe(2);
  });

  it('log: the change trail of a record and of the entity', async () => {
    const c = client();
    const { record } = await c.tickets.create({ code: 'T-LOG', name: 'Logged' });
    await c.tickets.patch('T-LOG', { name: 'Logged twice' });
    const trail = await c.tickets.log({ idOrCode: record.id });
    expect(trail.content.length).toBe(2);
    expect(trail.content.every((entry) => typeof entry === 'object')).toBe(true);
    const all = await c.tickets.log({ size: 5 });
    expect(all.totalElements).toBeGreaterThanOrEqual(2);
  });
});

describe('tSM client against the simulator: bulk', () => {
  it('POST, GET, PUT, PATCH, DELETE with per-item results', async () => {
    const c = client();
    const created = await c.customers.bulkCreate([
      { code: 'BULK-1', name: 'One' },
      { code: 'BULK-2', name: 'Two' },
      { code: 'BULK-3' },
    ]);
    expect(created.map((r) => r.ok)).toEqual([true, true, false]);
    const failed = created[2];
    expect(failed?.ok === false && failed.status).toBe(422);
    expect(failed?.ok === false && failed.fieldErrors.map((e) => e.field)).toContain('name');

    const got = await c.customers.bulkGet(['BULK-1', 'BULK-2', 'BULK-NONE']);
    expect(got.map((r) => r.ok)).toEqual([true, true, false]);
    expect(got[2]?.status).toBe(404);
    const one = got[0]?.ok === true ? got[0].record : undefined;
    expect(one?.code).toBe('BULK-1');

    const put = await c.customers.bulkPut([
      { ...one, name: 'One!' },
      { code: 'BULK-NONE', name: 'x' },
    ]);
    expect(put.map((r) => r.ok)).toEqual([true, false]);
    expect(put[1]?.status).toBe(404);

    const patched = await c.customers.bulkPatch([
      { code: 'BULK-2', patch: { remarks: 'patched' } },
      { id: one?.id ?? '', patch: { name: 'One!!' } },
    ]);
    expect(patched.map((r) => r.ok && r.record?.['remarks'] !== undefined)).toEqual([true, false]);
    expect((await c.customers.get('BULK-1')).name).toBe('One!!');

    const deleted = await c.customers.bulkDelete(['BULK-1', 'BULK-2', 'BULK-NONE']);
    expect(deleted.map((r) => r.ok)).toEqual([true, true, false]);
    expect(await c.customers.find('BULK-2')).toBeUndefined();
  });

  it('a bulk PUT with a stale version reports that item as a 409', async () => {
    const c = client();
    const { record } = await c.customers.create({ code: 'BULK-V', name: 'v' });
    const result = await c.customers.bulkPut([{ ...record, name: 'w', auditInfo: { version: 7 } }]);
    expect(result[0]?.ok).toBe(false);
    expect(result[0]?.status).toBe(409);
  });
});

describe('tSM client against the simulator: listing and every filter operator', () => {
  let all: TsmCustomer[];
  beforeAll(async () => {
    all = [];
    for await (const customer of client().customers.items({}, { pageSize: 7 })) all.push(customer);
  });

  it('pages cover every record exactly once and agree with totals', async () => {
    const c = client();
    const first = await c.customers.page({ size: 7 });
    expect(first.totalElements).toBe(all.length);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(first.totalPages).toBe(Math.ceil(all.length / 7));
    const sorted = await c.customers.search({ sort: ['revenue,DESC', 'code,ASC'], size: 2000 });
    // Where records without revenue go is the server's choice; the rest must be descending.
    const revenues = sorted.flatMap((r) => (typeof r.revenue === 'number' ? [r.revenue] : []));
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
    expect(sorted).toHaveLength(all.length);
    expect((await c.customers.search({ size: 3 })).length).toBe(3);
  });

  const text = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);
  const sample = () =>
    all.find((r) => typeof r.name === 'string' && r.name.length > 4) as TsmCustomer;
  const middleRevenue = () => {
    const revenues = all.map((r) => r.revenue ?? 0).sort((a, b) => a - b);
    return revenues[Math.floor(revenues.length / 2)] ?? 0;
  };

  const cases: {
    op: string;
    filter: () => TsmFilterCondition;
    expect: (r: TsmCustomer) => boolean;
  }[] = [
    { op: 'eq', filter: () => where.eq('status', 'ACTIVE'), expect: (r) => r.status === 'ACTIVE' },
    {
      op: 'noteq',
      filter: () => where.noteq('status', 'ACTIVE'),
      expect: (r) => r.status !== 'ACTIVE',
    },
    {
      op: 'gt',
      filter: () => where.gt('revenue', middleRevenue()),
      expect: (r) => (r.revenue ?? -1) > middleRevenue(),
    },
    {
      op: 'gte',
      filter: () => where.gte('revenue', middleRevenue()),
      expect: (r) => (r.revenue ?? -1) >= middleRevenue(),
    },
    {
      op: 'lt',
      filter: () => where.lt('revenue', middleRevenue()),
      expect: (r) => r.revenue !== undefined && r.revenue !== null && r.revenue < middleRevenue(),
    },
    {
      op: 'lte',
      filter: () => where.lte('revenue', middleRevenue()),
      expect: (r) => r.revenue !== undefined && r.revenue !== null && r.revenue <= middleRevenue(),
    },
    {
      op: 'like',
      filter: () => where.like('name', `%${sample().name?.slice(1, 4) ?? ''}%`),
      expect: (r) => text(r.name)?.includes(text(sample().name?.slice(1, 4)) ?? '') === true,
    },
    {
      op: 'contains',
      filter: () => where.contains('name', sample().name?.slice(1, 4) ?? ''),
      expect: (r) => text(r.name)?.includes(text(sample().name?.slice(1, 4)) ?? '') === true,
    },
    {
      op: 'notcontains',
      filter: () => where.notcontains('name', sample().name?.slice(1, 4) ?? ''),
      expect: (r) =>
        typeof r.name === 'string' &&
        text(r.name)?.includes(text(sample().name?.slice(1, 4)) ?? '') === false,
    },
    {
      op: 'startswith',
      filter: () => where.startswith('code', 'CUS-0000'),
      expect: (r) => r.code?.startsWith('CUS-0000') === true,
    },
    {
      op: 'endswith',
      filter: () => where.endswith('code', '5'),
      expect: (r) => r.code?.endsWith('5') === true,
    },
    {
      op: 'in',
      filter: () => where.in('status', ['NEW', 'INACTIVE']),
      expect: (r) => r.status === 'NEW' || r.status === 'INACTIVE',
    },
    {
      op: 'notin',
      filter: () => where.notin('status', ['NEW', 'INACTIVE']),
      expect: (r) => typeof r.status === 'string' && r.status !== 'NEW' && r.status !== 'INACTIVE',
    },
    {
      op: 'empty',
      filter: () => where.empty('remarks'),
      expect: (r) => r.remarks === undefined || r.remarks === null || r.remarks === '',
    },
    {
      op: 'notempty',
      filter: () => where.notempty('remarks'),
      expect: (r) => typeof r.remarks === 'string' && r.remarks !== '',
    },
    {
      op: 'btw',
      filter: () => where.btw('revenue', 10_000, middleRevenue()),
      expect: (r) =>
        typeof r.revenue === 'number' && r.revenue >= 10_000 && r.revenue <= middleRevenue(),
    },
    {
      op: 'btw (dates, auditInfo path)',
      filter: () =>
        where.btw('auditInfo.whenInserted', new Date(0), new Date('2100-01-01T00:00:00Z')),
      expect: () => true,
    },
    {
      op: 'btwr',
      filter: () => where.btwr('revenue', 10_000, middleRevenue()),
      expect: (r) =>
        typeof r.revenue === 'number' && (r.revenue < 10_000 || r.revenue > middleRevenue()),
    },
    {
      op: 'gtr',
      filter: () => where.gtr('auditInfo.whenEdited', '-P3650D'),
      expect: () => true,
    },
    {
      op: 'ltr',
      filter: () => where.ltr('whenEdited', '-P3650D'),
      expect: () => false,
    },
  ];

  it.each(cases)('$op matches the ground truth', async ({ filter, expect: predicate }) => {
    const found = await client().customers.search({ filter: [filter()], size: 2000 });
    const expected = all
      .filter(predicate)
      .map((r) => r.id)
      .sort();
    expect(found.map((r) => r.id).sort()).toEqual(expected);
  });

  it('several filters combine with AND, also in /page', async () => {
    const filter = [where.eq('status', 'ACTIVE'), where.gte('revenue', middleRevenue())];
    const page = await client().customers.page({ filter, size: 2000 });
    const expected = all.filter(
      (r) => r.status === 'ACTIVE' && (r.revenue ?? -1) >= middleRevenue(),
    );
    expect(page.totalElements).toBe(expected.length);
    expect(page.content.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
  });

  it('a guide-style nested path on tickets: customer.code', async () => {
    const c = client();
    const tickets = await c.tickets.search({ filter: [where.notempty('customer.code')], size: 5 });
    expect(tickets.length).toBeGreaterThan(0);
  });
});

describe('tSM client against the simulator: faults', () => {
  it('503 and 429 with Retry-After are retried after the asked wait', async () => {
    const c = client();
    sim.admin.setKnobs({ retryAfterSeconds: 1 });
    sim.admin.injectFaults([
      { fault: '503', match: 'customers/search' },
      { fault: '429', match: 'customers/search' },
    ]);
    expect((await c.customers.search({ size: 2 })).length).toBe(2);
    expect(slept).toEqual([1000, 1000]);
  });

  it('the real rate limit: 429 with Retry-After, then success', async () => {
    const c = client(undefined, { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    await c.customers.search({ size: 1 });
    sim.admin.setRateLimit(2);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => c.customers.search({ size: 1 })),
    );
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(sim.admin.requests().some((r) => r.status === 429)).toBe(true);
  });

  it('a 500 on a read is retried; on a create with a client id too (it is idempotent)', async () => {
    const c = client();
    sim.admin.injectFaults([
      { fault: '500', match: '^GET /tsm-catalog' },
      { fault: '500', match: '^POST /tsm-catalog' },
    ]);
    expect((await c.entityCatalogs.search({ size: 1 })).length).toBe(1);
    const { created } = await c.entityCatalogs.create({ code: 'CAT-500', name: 'after 500' });
    expect(typeof created).toBe('boolean');
    expect((await c.entityCatalogs.search({ filter: [where.eq('code', 'CAT-500')] })).length).toBe(
      1,
    );
  });

  it('a 500 that persists ends as HTTP_SERVER_ERROR with the server body', async () => {
    const c = client();
    sim.admin.injectFaults([{ fault: '500', times: 10, match: '^GET /tsm-user' }]);
    const error = await failure(c.users.search());
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(isTsmApiError(error)).toBe(true);
    expect(error.body?.status).toBe(500);
  });

  it('a malformed body is HTTP_RESPONSE_INVALID; a reset connection on a read is retried', async () => {
    const c = client();
    sim.admin.injectFaults([{ fault: 'malformed', match: '^GET /tsm-ticket' }]);
    const error = (await failure(c.tickets.search({ size: 3 }))) as TidemarkError;
    expect(error.code).toBe('HTTP_RESPONSE_INVALID');
    sim.admin.injectFaults([{ fault: 'reset', match: '^GET /tsm-ticket' }]);
    expect((await c.tickets.search({ size: 3 })).length).toBe(3);
  });

  it('random faults on every request: a full listing still matches', async () => {
    const c = client();
    const truth: string[] = [];
    for await (const r of c.customers.items({ sort: ['code,ASC'] }, { pageSize: 9 }))
      truth.push(r.id);
    sim.admin.setKnobs({ error503Rate: 0.2, error429Rate: 0.1, retryAfterSeconds: 0 });
    const seen: string[] = [];
    for await (const r of c.customers.items({ sort: ['code,ASC'] }, { pageSize: 9 }))
      seen.push(r.id);
    expect(seen).toEqual(truth);
  });
});
