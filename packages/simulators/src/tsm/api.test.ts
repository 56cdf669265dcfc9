import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateHash } from '../core/canonical.js';
import { startTsmSimulator, type TsmSimulator } from './simulator.js';
import { tsmTestClient, type TsmTestClient } from './testing.js';

const C = '/tsm-customer/api/v2/customers';
const T = '/tsm-ticket/api/v2/tickets';
const U = '/tsm-user-management/api/v2/users';
const RV = '/tsm-config-form/api/v2/register-values';
const CAT = '/tsm-catalog/api/v2/entity-catalogs';

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;
const list = (value: unknown) => value as Json[];

let sim: TsmSimulator;
let client: TsmTestClient;

beforeAll(async () => {
  sim = await startTsmSimulator({ port: 0, seed: 7, rateLimitPerSecond: null });
  client = tsmTestClient(sim);
});
afterAll(async () => {
  await sim.close();
});

describe('CRUD', () => {
  it('creates with a server id, reads by id and code, updates, patches, deletes', async () => {
    const created = await client.api('POST', C, {
      code: 'CUS-001',
      name: 'Acme s.r.o.',
      active: true,
    });
    expect(created.status).toBe(201);
    const row = obj(created.json);
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.headers.get('location')).toBe(`${C}/${String(row.id)}`);
    expect(row.auditInfo).toMatchObject({ version: 0, whoInserted: 'demo', whoEdited: 'demo' });
    const audit = obj(row.auditInfo);
    expect(audit.whenInserted).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(row.status).toBe('ACTIVE'); // default

    expect(obj((await client.api('GET', `${C}/${String(row.id)}`)).json)).toEqual(row);
    expect(obj((await client.api('GET', `${C}/CUS-001`)).json)).toEqual(row);

    const put = await client.api('PUT', `${C}/CUS-001`, {
      code: 'CUS-001',
      name: 'Acme a.s.',
      remarks: 'x',
    });
    expect(put.status).toBe(200);
    expect(obj(put.json)).toMatchObject({
      name: 'Acme a.s.',
      remarks: 'x',
      status: 'ACTIVE',
      auditInfo: { version: 1 },
    });
    expect(obj(put.json).active).toBe(true); // default again after full update

    const patch = await client.api(
      'PATCH',
      `${C}/CUS-001`,
      { remarks: null, chars: { a: 1, b: { c: 2 } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(patch.status).toBe(200);
    expect(obj(patch.json)).not.toHaveProperty('remarks');
    expect(obj(patch.json).chars).toEqual({ a: 1, b: { c: 2 } });
    const nested = await client.api('PATCH', `${C}/CUS-001`, { chars: { b: { c: null, d: 3 } } });
    expect(obj(nested.json).chars).toEqual({ a: 1, b: { d: 3 } });
    expect(obj(obj(nested.json).auditInfo).version).toBe(3);

    // A patch that changes nothing writes nothing.
    const same = await client.api('PATCH', `${C}/CUS-001`, { name: 'Acme a.s.' });
    expect(obj(obj(same.json).auditInfo).version).toBe(3);

    expect((await client.api('DELETE', `${C}/CUS-001`)).status).toBe(204);
    const gone = await client.api('GET', `${C}/${String(row.id)}`);
    expect(gone.status).toBe(404);
    expect(obj(gone.json)).toMatchObject({
      status: 404,
      error: 'Not Found',
      path: `${C}/${String(row.id)}`,
    });
    expect(typeof obj(gone.json).timestamp).toBe('string');
  });

  it('accepts client-assigned ids; 409 on a taken id or code', async () => {
    const id = '019970a1-7797-73ba-a6d5-b424443a7dcb';
    const created = await client.api('POST', CAT, {
      id,
      code: 'CAT-900',
      name: 'Internet 300',
      active: true,
    });
    expect(created.status).toBe(201);
    expect(obj(created.json).id).toBe(id);
    const again = await client.api('POST', CAT, { id, code: 'CAT-901', name: 'x' });
    expect(again.status).toBe(409);
    const dup = await client.api('POST', CAT, { code: 'CAT-900', name: 'x' });
    expect(dup.status).toBe(409);
    expect(obj(dup.json)).toMatchObject({ status: 409, error: 'Conflict' });
    // The guide's PUT example: full object by code.
    const put = await client.api('PUT', `${CAT}/CAT-900`, {
      id,
      code: 'CAT-900',
      name: 'Internet 500',
      active: true,
    });
    expect(obj(put.json)).toMatchObject({ id, name: 'Internet 500' });
    const mismatch = await client.api('PUT', `${CAT}/CAT-900`, {
      id: sim.db.newId(),
      code: 'CAT-900',
      name: 'y',
    });
    expect(mismatch.status).toBe(400);
  });

  it('optimistic locking: a stale auditInfo.version gives 409', async () => {
    const row = obj((await client.api('POST', C, { code: 'LOCK-1', name: 'Lock' })).json);
    const ok = await client.api('PATCH', `${C}/LOCK-1`, {
      name: 'Lock 2',
      auditInfo: { version: 0 },
    });
    expect(ok.status).toBe(200);
    const stale = await client.api('PATCH', `${C}/LOCK-1`, {
      name: 'Lock 3',
      auditInfo: { version: 0 },
    });
    expect(stale.status).toBe(409);
    expect(obj(stale.json).message).toMatch(/version/i);
    const stalePut = await client.api('PUT', `${C}/${String(row.id)}`, {
      code: 'LOCK-1',
      name: 'x',
      auditInfo: { version: 7 },
    });
    expect(stalePut.status).toBe(409);
  });

  it('422 lists every invalid field; 400 on malformed JSON, wrong bodies; 415', async () => {
    const bad = await client.api('POST', C, {
      name: 42,
      status: 'WEIRD',
      revenue: 'lots',
      tags: [1],
      validFrom: 'soon',
    });
    expect(bad.status).toBe(422);
    const body = obj(bad.json);
    expect(body).toMatchObject({ status: 422, error: 'Unprocessable Entity' });
    expect((body.errors as Json[]).map((e) => e.field).sort()).toEqual([
      'code',
      'name',
      'revenue',
      'status',
      'tags',
      'validFrom',
    ]);
    const blank = await client.api('POST', C, { code: 'B-1', name: '  ' });
    expect(list(obj(blank.json).errors)).toEqual([{ field: 'name', message: 'must not be blank' }]);
    const ref = await client.api('POST', RV, {
      code: 'RV-X',
      value: 'v',
      registerId: sim.db.newId(),
    });
    expect(ref.status).toBe(422);
    expect(list(obj(ref.json).errors)[0]?.field).toBe('registerId');

    const token = await client.token();
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    for (const text of ['{"code":', '[1,2', 'nope', '']) {
      const answer = await client.raw('POST', C, text, auth);
      expect(answer.status).toBe(400);
      expect(obj(answer.json).path).toBe(C);
    }
    expect((await client.raw('POST', C, '[{"code":"A","name":"a"}]', auth)).status).toBe(400);
    expect((await client.raw('PATCH', `${C}/CUS-00001`, '"x"', auth)).status).toBe(400);
    expect(
      (await client.raw('POST', C, 'code=x', { ...auth, 'Content-Type': 'text/csv' })).status,
    ).toBe(415);
  });

  it('404 for unknown modules, entities, records; 405 for unsupported methods', async () => {
    expect((await client.api('GET', '/tsm-nope/api/v2/customers/x')).status).toBe(404);
    expect((await client.api('GET', '/tsm-ticket/api/v2/customers/page')).status).toBe(404);
    expect((await client.api('GET', '/tsm-customer/api/v2/widgets/page')).status).toBe(404);
    expect((await client.api('GET', `${C}/NOPE`)).status).toBe(404);
    expect((await client.api('PATCH', `${C}/NOPE`, { name: 'x' })).status).toBe(404);
    expect((await client.api('DELETE', `${C}/NOPE`)).status).toBe(404);
    const wrong = await client.api('GET', C);
    expect(wrong.status).toBe(405);
    expect(obj(wrong.json).status).toBe(405);
    expect((await client.raw('GET', '/elsewhere')).status).toBe(404);
  });
});

describe('page, search, filters, sort, expand', () => {
  it('/page answers Spring-style totals', async () => {
    const answer = await client.api('GET', `${C}/page?page=1&size=5&sort=code,ASC`);
    expect(answer.status).toBe(200);
    const page = obj(answer.json);
    const total = sim.db.store('customers').size;
    expect(page).toMatchObject({
      page: 1,
      size: 5,
      totalElements: total,
      totalPages: Math.ceil(total / 5),
    });
    const codes = list(page.content).map((row) => row.code as string);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toHaveLength(5);
  });

  it('/search is capped by size and has no totals', async () => {
    const answer = await client.api('GET', `${C}/search?size=3&sort=name,desc`);
    expect(Array.isArray(answer.json)).toBe(true);
    expect(list(answer.json)).toHaveLength(3);
  });

  it('runs the guide examples on register values (nested paths, like, sort, expand)', async () => {
    const search = await client.api(
      'GET',
      `${RV}/search?register.code__eq=Reg.Crm.Titul.Pred.Menom&size=100`,
    );
    expect(list(search.json)).toHaveLength(5);
    const page = await client.api(
      'GET',
      `${RV}/page?register.code__eq=Reg.Crm.Titul.Pred.Menom&value__like=%25Mgr%25&page=0&size=20&sort=order,asc&expand=REGISTER`,
    );
    const rows = list(obj(page.json).content);
    expect(rows.map((row) => row.value)).toEqual(['Mgr.', 'Mgr. art.']);
    expect(obj(rows[0]?.register).code).toBe('Reg.Crm.Titul.Pred.Menom');
    const registerId = rows[0]?.registerId as string;
    const byId = await client.api('GET', `${RV}/search?register.id__eq=${registerId}`);
    expect(list(byId.json)).toHaveLength(5);
    const vip = await client.api(
      'GET',
      `${RV}/page?register.code__eq=Reg.Crm.Type.Partner&value__contains=VIP&sort=order,desc&size=30`,
    );
    expect(list(obj(vip.json).content).map((row) => row.value)).toEqual([
      'VIP Platinum',
      'VIP Gold',
    ]);
    const nonEmpty = await client.api('GET', `${RV}/page?name__notempty=true&page=0&size=50`);
    expect(obj(nonEmpty.json).totalElements).toBe(5);
  });

  it('every operator reaches the API; combined with AND', async () => {
    const now = Date.now();
    const cases: [string, (row: Json) => boolean][] = [
      ['status__eq=ACTIVE', (r) => r.status === 'ACTIVE'],
      ['status__noteq=ACTIVE', (r) => r.status !== 'ACTIVE'],
      ['revenue__gt=20000', (r) => (r.revenue as number) > 20000],
      ['revenue__gte=20000', (r) => (r.revenue as number) >= 20000],
      ['revenue__lt=20000', (r) => (r.revenue as number) < 20000],
      ['revenue__lte=20000', (r) => (r.revenue as number) <= 20000],
      ['name__like=%25s.r.o.', (r) => (r.name as string).endsWith('s.r.o.')],
      ['name__contains=tech', (r) => /tech/i.test(r.name as string)],
      ['name__notcontains=tech', (r) => !/tech/i.test(r.name as string)],
      ['name__startswith=acme', (r) => /^acme/i.test(r.name as string)],
      ['name__endswith=GMBH', (r) => /gmbh$/i.test(r.name as string)],
      ['status__in=NEW,INACTIVE', (r) => ['NEW', 'INACTIVE'].includes(r.status as string)],
      ['status__notin=NEW,INACTIVE', (r) => !['NEW', 'INACTIVE'].includes(r.status as string)],
      ['remarks__empty=true', (r) => r.remarks === undefined],
      ['remarks__notempty=true', (r) => r.remarks !== undefined],
      [
        'revenue__btw=10000,30000',
        (r) => (r.revenue as number) >= 10000 && (r.revenue as number) <= 30000,
      ],
      [
        'auditInfo.whenEdited__gtr=-P7D',
        (r) => Date.parse(obj(r.auditInfo).whenEdited as string) > now - 7 * 86_400_000,
      ],
      [
        'whenInserted__ltr=-P7D',
        (r) => Date.parse(obj(r.auditInfo).whenInserted as string) < now - 7 * 86_400_000,
      ],
      [
        'tags__eq=VIP&status__eq=ACTIVE',
        (r) => (r.tags as string[] | undefined)?.includes('VIP') === true && r.status === 'ACTIVE',
      ],
      ['chars.segment__eq=SMB', (r) => obj(r.chars ?? {}).segment === 'SMB'],
    ];
    const all = list(obj((await client.api('GET', `${C}/page?size=2000`)).json).content);
    for (const [query, expected] of cases) {
      const answer = await client.api('GET', `${C}/page?size=2000&${query}`);
      expect(answer.status, query).toBe(200);
      const got = list(obj(answer.json).content)
        .map((row) => row.id)
        .sort();
      expect(got, query).toEqual(
        all
          .filter(expected)
          .map((row) => row.id)
          .sort(),
      );
    }
  });

  it('400 with the documented body for unknown filter fields, operators, bad values, sort, expand', async () => {
    const answer = await client.api('GET', `${U}/page?foo__eq=1`);
    expect(answer.status).toBe(400);
    expect(obj(answer.json)).toMatchObject({
      status: 400,
      error: 'Bad Request',
      message: "Unknown filter field 'foo'",
      path: `${U}/page`,
    });
    for (const query of [
      'name__zz=1',
      'auditInfo.version__gt=x',
      'sort=nope,asc',
      'expand=NOPE',
      'auditInfo.whenEdited__gtr=yesterday',
    ]) {
      expect((await client.api('GET', `${U}/search?${query}`)).status, query).toBe(400);
    }
  });

  it('expands ROLES and GROUPS of users', async () => {
    const plain = obj((await client.api('GET', `${U}/demo`)).json);
    expect(plain).not.toHaveProperty('roles');
    const user = obj((await client.api('GET', `${U}/demo?expand=ROLES&expand=GROUPS`)).json);
    expect(list(user.roles).map((role) => role.code)).toEqual(['ADMIN']);
    expect(list(user.groups).map((group) => group.code)).toEqual(['OPERATIONS', 'SUPPORT']);
    const admins = await client.api('GET', `${U}/search?roles.code__eq=ADMIN`);
    expect(list(admins.json).map((row) => row.code)).toEqual(['demo']);
    const ticket = obj(
      list(
        (await client.api('GET', `${T}/search?customerId__notempty=true&size=1&expand=CUSTOMER`))
          .json,
      )[0],
    );
    expect(obj(ticket.customer).id).toBe(ticket.customerId);
  });

  it('pages by auditInfo.whenEdited then id through the index, same as a full sort', async () => {
    const full = list(
      obj(
        (await client.api('GET', `${T}/page?size=2000&sort=auditInfo.whenEdited,ASC&sort=id,ASC`))
          .json,
      ).content,
    );
    const keys = full.map((row) => `${String(obj(row.auditInfo).whenEdited)}|${String(row.id)}`);
    expect(keys).toEqual([...keys].sort());
    const seen: unknown[] = [];
    for (let page = 0; ; page++) {
      const answer = obj(
        (
          await client.api(
            'GET',
            `${T}/page?size=7&page=${page}&sort=auditInfo.whenEdited,ASC&sort=id,ASC`,
          )
        ).json,
      );
      seen.push(...list(answer.content).map((row) => row.id));
      if (page + 1 >= (answer.totalPages as number)) break;
    }
    expect(seen).toEqual(full.map((row) => row.id));
    const cut = obj(full[5]?.auditInfo).whenEdited as string;
    const after = list(
      obj(
        (
          await client.api(
            'GET',
            `${T}/page?size=2000&auditInfo.whenEdited__gt=${cut}&sort=auditInfo.whenEdited,DESC`,
          )
        ).json,
      ).content,
    );
    expect(after.map((row) => row.id)).toEqual(
      full
        .filter((row) => (obj(row.auditInfo).whenEdited as string) > cut)
        .map((row) => row.id)
        .reverse(),
    );
  });
});

describe('bulk, save-diff, log, journal', () => {
  it('bulk POST/GET/PUT/PATCH/DELETE with per-item results', async () => {
    const created = list(
      (
        await client.api('POST', `${C}/bulk`, [
          { code: 'BULK-1', name: 'One' },
          { code: 'BULK-2', name: 'Two' },
          { code: 'BULK-1', name: 'Dup' },
          { name: 'No code' },
        ])
      ).json,
    );
    expect(created.map((item) => item.status)).toEqual([201, 201, 409, 422]);
    expect(obj(created[3]?.error).errors).toEqual([
      { field: 'code', message: 'must not be blank' },
    ]);
    const read = list(
      (
        await client.api(
          'GET',
          `${C}/bulk?idOrCodes=BULK-1&idOrCodes=${String(created[1]?.id)}&idOrCodes=NOPE`,
        )
      ).json,
    );
    expect(read.map((item) => item.status)).toEqual([200, 200, 404]);
    expect(obj(read[0]?.data).name).toBe('One');
    const put = list(
      (
        await client.api('PUT', `${C}/bulk`, [
          { code: 'BULK-1', name: 'One!' },
          { id: created[1]?.id, code: 'BULK-2', name: 'Two!', auditInfo: { version: 5 } },
          { name: 'nobody' },
        ])
      ).json,
    );
    expect(put.map((item) => item.status)).toEqual([200, 409, 400]);
    const patched = list(
      (
        await client.api('PATCH', `${C}/bulk`, [
          { code: 'BULK-1', patch: { remarks: 'r' } },
          { id: created[1]?.id, patch: { name: null } },
          { code: 'NOPE', patch: {} },
        ])
      ).json,
    );
    expect(patched.map((item) => item.status)).toEqual([200, 422, 404]);
    expect(obj(patched[0]?.data).remarks).toBe('r');
    const deleted = list(
      (await client.api('DELETE', `${C}/bulk?idOrCodes=BULK-1,BULK-2,NOPE`)).json,
    );
    expect(deleted.map((item) => item.status)).toEqual([204, 204, 404]);
    expect((await client.api('POST', `${C}/bulk`, { code: 'x' })).status).toBe(400);
    expect((await client.api('GET', `${C}/bulk`)).status).toBe(400);
  });

  it('save-diff creates, then merges only the differences', async () => {
    const first = await client.api('POST', `${C}/save-diff`, {
      code: 'SD-1',
      name: 'Save',
      remarks: 'a',
    });
    expect(first.status).toBe(201);
    const second = await client.api('POST', `${C}/save-diff`, { code: 'SD-1', remarks: 'b' });
    expect(second.status).toBe(200);
    expect(obj(second.json)).toMatchObject({
      name: 'Save',
      remarks: 'b',
      auditInfo: { version: 1 },
    });
    const third = await client.api('POST', `${C}/save-diff`, { code: 'SD-1', remarks: 'b' });
    expect(obj(obj(third.json).auditInfo).version).toBe(1);
  });

  it('/log: per record and per entity type, with seq cursor, time filter and deletes', async () => {
    const row = obj(
      (await client.api('POST', T, { code: 'T-LOG', name: 'Log me', assignee: 'Eva' })).json,
    );
    await client.api('PATCH', `${T}/T-LOG`, { assignee: null, tags: ['VIP', 'urgent'] });
    await client.api('DELETE', `${T}/T-LOG`);
    const trail = obj((await client.api('GET', `${T}/${String(row.id)}/log`)).json);
    const entries = list(trail.content);
    expect(entries.map((entry) => entry.operation)).toEqual(['CREATE', 'UPDATE', 'DELETE']);
    expect(entries[1]).toMatchObject({
      entityType: 'tickets',
      entityId: row.id,
      entityCode: 'T-LOG',
      version: 1,
      who: 'demo',
    });
    expect(entries[1]?.changes).toEqual([
      { field: 'assignee', oldValue: 'Eva', newValue: null },
      { field: 'tags', oldValue: null, newValue: ['VIP', 'urgent'] },
    ]);
    expect(
      list(entries[2]?.changes).some(
        (change) => change.field === 'name' && change.newValue === null,
      ),
    ).toBe(true);

    const firstSeq = entries[0]?.seq as number;
    const since = obj((await client.api('GET', `${T}/log?seq__gt=${firstSeq}&size=10`)).json);
    expect(list(since.content).map((entry) => entry.seq)).toEqual(
      entries.slice(1).map((entry) => entry.seq),
    );
    expect(since.totalElements).toBe(2);
    const byTime = obj(
      (
        await client.api(
          'GET',
          `${T}/log?when__gte=${String(entries[0]?.when)}&entityId__eq=${String(row.id)}`,
        )
      ).json,
    );
    expect(byTime.totalElements).toBe(3);
    const newest = obj((await client.api('GET', `${T}/log?sort=seq,DESC&size=1`)).json);
    expect(list(newest.content)[0]?.seq).toBe(entries[2]?.seq);
    expect((await client.api('GET', `${T}/log?bogus__eq=1`)).status).toBe(400);
    expect((await client.api('GET', `${T}/${sim.db.newId()}/log`)).status).toBe(404);
  });

  it('journals every change with version, whenEdited and the state hash', async () => {
    const before = sim.journal.lastSeq;
    const row = obj((await client.api('POST', C, { code: 'J-1', name: 'Journal' })).json);
    const updated = obj((await client.api('PATCH', `${C}/J-1`, { name: 'Journal 2' })).json);
    await client.api('DELETE', `${C}/J-1`);
    const entries = sim.journal.read(before, 10).entries;
    expect(entries.map((e) => [e.op, e.version])).toEqual([
      ['create', 0],
      ['update', 1],
      ['delete', 1],
    ]);
    expect(entries[0]).toMatchObject({
      module: 'tsm-customer',
      entity: 'customers',
      id: row.id,
      code: 'J-1',
      hash: stateHash(row),
      source: 'api',
    });
    expect(entries[1]?.hash).toBe(stateHash(updated));
    expect(entries[1]?.whenEdited).toBe(obj(updated.auditInfo).whenEdited);
    expect(entries[2]?.hash).toBeNull();
  });
});
