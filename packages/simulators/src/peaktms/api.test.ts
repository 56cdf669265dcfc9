import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateHash } from '../core/canonical.js';
import { main } from './main.js';
import { startPeaktmsSimulator, type PeaktmsSimulator } from './simulator.js';
import { peaktmsTestClient, type PeaktmsTestClient } from './testing.js';

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;
const list = (value: unknown) => value as Json[];
const attr = (record: unknown, name: string) =>
  list(obj(record).attributes).find((a) => a.name === name)?.value;

let sim: PeaktmsSimulator;
let client: PeaktmsTestClient;

beforeAll(async () => {
  sim = await startPeaktmsSimulator({ port: 0, seed: 5, demoRecords: 6 });
  client = peaktmsTestClient(sim);
});
afterAll(async () => {
  await sim.close();
});

async function createResource(name = 'Bench 1'): Promise<Json> {
  const answer = await client.api('POST', '/resources', {
    type: 'Test bench',
    name,
    location: 'Berlin',
    attributes: [{ name: 'Serial number', value: `SN-${name}` }],
  });
  expect(answer.status).toBe(201);
  return obj(answer.json);
}

describe('auth', () => {
  it('logs in for 15 minutes, rejects bad credentials, missing and expired tokens', async () => {
    const bad = await client.raw(
      'POST',
      '/login',
      JSON.stringify({ user: 'demo', password: 'x' }),
      {
        'Content-Type': 'application/json',
      },
    );
    expect(bad.status).toBe(401);
    const json = { 'Content-Type': 'application/json' };
    expect((await client.raw('POST', '/login', '{"user":1}', json)).status).toBe(400);
    const none = await client.raw('GET', '/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await client.raw('GET', '/users', undefined, { Authorization: 'Bearer nope' })).status,
    ).toBe(401);

    const login = await client.raw(
      'POST',
      '/login',
      JSON.stringify({ user: 'demo', password: 'demo' }),
      json,
    );
    expect(login.status).toBe(200);
    const session = obj(login.json);
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: 'demo' });
    expect(session.expiresAt).toMatch(/\+0[12]:00\[Europe\/Berlin\]$/);
    const bearer = { Authorization: `Bearer ${String(session.token)}` };
    expect((await client.raw('GET', '/users', undefined, bearer)).status).toBe(200);
    sim.admin.clock.apply({ advanceMs: 15 * 60_000 });
    try {
      expect((await client.raw('GET', '/users', undefined, bearer)).status).toBe(401);
      // The long-lived token generated ahead still works.
      const apiToken = sim.credentials.apiTokens[0]?.token ?? '';
      const users = await client.raw('GET', '/users', undefined, {
        Authorization: `Bearer ${apiToken}`,
      });
      expect(users.status).toBe(200);
      expect(list(users.json)[0]).toEqual({
        loginName: 'demo',
        phone: '+49 30 1234560',
        name: 'Demo',
        familyName: 'User',
        department: 'IT',
      });
    } finally {
      sim.admin.clock.apply({ reset: true });
    }
    expect((await client.raw('POST', '/logout', undefined, bearer)).status).toBe(204);
  });
});

describe('objects', () => {
  it('creates, reads, patches, puts and deletes with relations and typed attributes', async () => {
    const resource = await createResource('CRUD');
    const project = obj(
      (
        await client.api('POST', '/projects', {
          type: 'Customer project',
          name: 'Qualification',
          begin: '2026-11-23T08:00:00+01:00[Europe/Berlin]',
          end: '2026-12-23T08:00:00Z',
          attributes: [{ name: 'Customer', value: 'Acme' }],
        })
      ).json,
    );
    expect(attr(project, 'Number')).toMatch(/^PRJ-\d{6}$/);
    expect(attr(project, 'Status')).toBe('Open');
    expect(project.end).toBe('2026-12-23T09:00:00.000+01:00[Europe/Berlin]');

    const created = await client.api('POST', '/activities', {
      type: 'Test',
      name: 'Climate run',
      dataPool: 'Lab Berlin',
      projectId: project.id,
      resources: [resource.id],
      begin: '2026-11-24T09:00:00+01:00',
      end: '2026-11-24T17:00:00+01:00',
      attributes: [
        { name: 'Samples', value: 3 },
        { name: 'Labels', value: ['EMC'] },
        { name: 'Device', value: resource.id },
        { name: 'Approval', value: { state: 'PENDING' } },
      ],
    });
    expect(created.status).toBe(201);
    const row = obj(created.json);
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.headers.get('location')).toBe(`/tms_rest/activities/${String(row.id)}`);
    expect(row).toMatchObject({
      type: 'Test',
      dataPool: 'Lab Berlin',
      projectId: project.id,
      seriesId: null,
      createdBy: 'demo',
    });
    expect(list(row.attributes).map((a) => a.dataType)).toContain('STATUS_ENGINE');
    expect(attr(row, 'Report')).toMatchObject({ files: [] });
    const id = String(row.id);
    expect(obj((await client.api('GET', `/activities/${id}`)).json)).toEqual(row);

    const patched = await client.api('PATCH', `/activities/${id}`, {
      attributes: [{ name: 'Status', value: 'In progress' }],
    });
    expect(patched.status).toBe(200);
    expect(attr(patched.json, 'Status')).toBe('In progress');
    expect(attr(patched.json, 'Samples')).toBe(3);

    const put = await client.api('PUT', `/activities/${id}`, {
      type: 'Test',
      name: 'Climate run 2',
    });
    expect(put.status).toBe(200);
    expect(obj(put.json)).toMatchObject({ name: 'Climate run 2', projectId: null, resources: [] });
    expect(attr(put.json, 'Samples')).toBeNull();
    expect(attr(put.json, 'Status')).toBe('In progress'); // kept
    expect(attr(put.json, 'Number')).toBe(attr(row, 'Number')); // server-managed, kept

    // Referential integrity: the project is referenced until the activity is gone.
    await client.api('PATCH', `/activities/${id}`, { projectId: project.id });
    expect((await client.api('DELETE', `/projects/${String(project.id)}`)).status).toBe(409);
    expect((await client.api('DELETE', `/activities/${id}`)).status).toBe(204);
    expect((await client.api('GET', `/activities/${id}`)).status).toBe(404);
    expect((await client.api('DELETE', `/activities/${id}`)).status).toBe(404);
    expect((await client.api('DELETE', `/projects/${String(project.id)}`)).status).toBe(204);

    // The journal holds the truth: hash of the record as GET returned it.
    const entries = sim.journal.all().filter((e) => e.id === id);
    expect(entries.map((e) => e.op)).toEqual(['create', 'update', 'update', 'update', 'delete']);
    expect(entries[0]?.hash).toBe(stateHash(row));
    expect(entries[0]?.historyEntryId).toBeGreaterThan(0);
  });

  it('answers 400, 404, 405, 409, 415 and 422 with the error body', async () => {
    const a = await client.api('POST', '/activities', {
      type: 'Test',
      name: 'x',
      attributes: [{ name: 'Samples', value: 'three' }],
    });
    expect(a.status).toBe(422);
    expect(obj(a.json)).toMatchObject({
      status: 422,
      error: 'Unprocessable Entity',
      path: '/tms_rest/activities',
    });
    expect(obj(a.json).details).toEqual([
      { field: 'attributes.Samples', message: 'must be an integer' },
    ]);
    const cases: [string, string, unknown, number][] = [
      ['POST', '/activities', { type: 'Nope', name: 'x' }, 422],
      ['POST', '/activities', { name: 'x' }, 422],
      ['POST', '/activities', { type: 'Test', name: '' }, 422],
      ['POST', '/activities', { type: 'Test', name: 'x', dataPool: 'Mars' }, 422],
      [
        'POST',
        '/activities',
        { type: 'Test', name: 'x', attributes: [{ name: 'Ghost', value: 1 }] },
        422,
      ],
      [
        'POST',
        '/activities',
        { type: 'Test', name: 'x', attributes: [{ name: 'Samples', dataType: 'TEXT', value: 1 }] },
        422,
      ],
      [
        'POST',
        '/activities',
        { type: 'Test', name: 'x', attributes: [{ name: 'Number', value: 'ACT-1' }] },
        422,
      ],
      [
        'POST',
        '/activities',
        { type: 'Test', name: 'x', begin: '2026-01-02T00:00Z', end: '2026-01-01T00:00Z' },
        422,
      ],
      [
        'POST',
        '/activities',
        { type: 'Test', name: 'x', projectId: '00000000-0000-4000-8000-000000000000' },
        422,
      ],
      [
        'POST',
        '/projects',
        { type: 'Internal project', name: 'x', begin: '2026-01-01T00:00Z' },
        422,
      ],
      ['POST', '/activities', { type: 'Test', name: 5 }, 400],
      ['POST', '/activities', { type: 'Test', name: 'x', attributes: {} }, 400],
      ['POST', '/activities', [1, 2], 400],
      ['POST', '/activities', { id: 'not-a-uuid', type: 'Test', name: 'x' }, 400],
      ['GET', '/activities/not-a-uuid', undefined, 404],
      ['GET', '/activities/00000000-0000-4000-8000-000000000000', undefined, 404],
      ['GET', '/nothing', undefined, 404],
      ['DELETE', '/activities', undefined, 405],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await client.api(method, path, body);
      expect({ method, path, body, status: answer.status }).toEqual({ method, path, body, status });
    }
    expect((await client.api('POST', '/activities', undefined)).status).toBe(400);
    const badJson = await client.api('POST', '/activities', undefined, {
      'Content-Type': 'application/json',
    });
    expect(badJson.status).toBe(400);
    const token = await client.token();
    const text = await client.raw('POST', '/activities', 'x', {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'text/plain',
    });
    expect(text.status).toBe(415);
    const broken = await client.raw('POST', '/activities', '{"type":', {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    });
    expect(broken.status).toBe(400);
    const resource = await createResource('dup');
    const dup = await client.api('POST', '/resources', {
      id: resource.id,
      type: 'Test bench',
      name: 'y',
      attributes: [{ name: 'Serial number', value: 'S' }],
    });
    expect(dup.status).toBe(409);
    const typeChange = await client.api('PATCH', `/resources/${String(resource.id)}`, {
      type: 'Person',
    });
    expect(typeChange.status).toBe(422);
    const transition = await client.api('POST', '/activities', {
      type: 'Test',
      name: 't',
      attributes: [{ name: 'Status', value: 'Done' }],
    });
    expect(transition.status).toBe(201);
    const back = await client.api('PATCH', `/activities/${String(obj(transition.json).id)}`, {
      attributes: [{ name: 'Status', value: 'Cancelled' }],
    });
    expect(back.status).toBe(422);
  });

  it('survives junk input without a 500', async () => {
    const token = await client.token();
    const junk = [
      'null',
      '"x"',
      '[]',
      '{"attributes":[null]}',
      '{"attributes":[{"name":{}}]}',
      '{"resources":[1]}',
      '{"type":"Test","name":"x","attributes":[{"name":"Due","value":{"a":1}}]}',
      '\u0000',
      '{"page":-1}',
      '{"attributes":[{"name":"Samples","operator":"LIKE"}]}',
    ];
    for (const body of junk) {
      for (const path of ['/activities', '/activities/query', '/valuelists', '/login']) {
        const answer = await client.raw('POST', path, body, {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        });
        expect(answer.status, `${path} ${body}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${path} ${body}`).toBeLessThan(500);
      }
    }
    const odd = await client.api('GET', '/activities/%E0%A4%A');
    expect(odd.status).toBe(404);
  });
});

describe('query', () => {
  it('filters by type, data pool, attributes and modification time, and pages', async () => {
    const mark = sim.db.now();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await client.api('POST', '/activities', {
        type: 'Test',
        name: `Query ${i}`,
        dataPool: 'Lab Munich',
        attributes: [
          { name: 'Samples', value: i },
          { name: 'Priority', value: i % 2 === 0 ? 'High' : 'Low' },
        ],
      });
      made.push(String(obj(answer.json).id));
    }
    const q = async (body: unknown) => client.api('POST', '/activities/query', body);
    const all = obj(
      (await q({ modifiedFrom: mark, dataPools: ['Lab Munich'], types: ['Test'] })).json,
    );
    expect(all.totalElements).toBe(5);
    expect(list(all.content).map((r) => r.id)).toEqual(made);
    const high = obj(
      (
        await q({
          modifiedFrom: mark,
          attributes: [
            { name: 'Priority', value: 'High' },
            { name: 'Samples', operator: 'GREATER_THAN', value: 0 },
          ],
        })
      ).json,
    );
    expect(list(high.content).map((r) => r.name)).toEqual(['Query 2', 'Query 4']);
    const page = obj((await q({ modifiedFrom: mark, page: 1, pageSize: 2 })).json);
    expect(page).toMatchObject({ page: 1, pageSize: 2, totalElements: 5, totalPages: 3 });
    expect(list(page.content).map((r) => r.id)).toEqual(made.slice(2, 4));
    expect(obj((await q({ modifiedFrom: mark, name: 'query 3' })).json).totalElements).toBe(1);
    expect(obj((await client.api('POST', '/activities/query')).json).totalElements).toBeGreaterThan(
      5,
    );
    expect((await q({ attributes: [{ name: 'Ghost', value: 1 }] })).status).toBe(400);
    expect((await q({ modifiedFrom: 'yesterday' })).status).toBe(400);
    expect((await q({ pageSize: 5000 })).status).toBe(400);
    expect((await q({ unknown: 1 })).status).toBe(400);
  });
});

describe('history log', () => {
  it('pages since an entry id, filters by time and object, and honours the per-type switch', async () => {
    const start = obj(
      (await client.api('GET', '/activities/historylog?sinceEntryId=0&pageSize=1000')).json,
    );
    const since = Number(start.lastEntryId);
    const created = obj(
      (await client.api('POST', '/activities', { type: 'Test', name: 'Logged' })).json,
    );
    const id = String(created.id);
    await client.api('PATCH', `/activities/${id}`, {
      name: 'Logged 2',
      attributes: [{ name: 'Cost', value: 12.5 }],
    });
    await client.api('PATCH', `/activities/${id}`, { name: 'Logged 2' }); // no change, no entry
    await client.api('DELETE', `/activities/${id}`);
    const unlogged = await client.api('POST', '/activities', {
      type: 'Maintenance',
      name: 'Oil change',
    });
    expect(unlogged.status).toBe(201);

    const first = obj(
      (await client.api('GET', `/activities/historylog?sinceEntryId=${since}&pageSize=2`)).json,
    );
    expect(first.hasMore).toBe(true);
    const entries = list(first.entries);
    expect(entries.map((e) => e.operation)).toEqual(['CREATE', 'UPDATE']);
    expect(entries[0]).toMatchObject({
      objectId: id,
      type: 'Test',
      dataPool: 'Default',
      user: 'demo',
    });
    expect(Number(entries[1]?.entryId)).toBeGreaterThan(Number(entries[0]?.entryId));
    expect(entries[1]?.changes).toEqual([
      { attribute: 'name', dataType: null, oldValue: 'Logged', newValue: 'Logged 2' },
      { attribute: 'Cost', dataType: 'DECIMAL', oldValue: null, newValue: 12.5 },
    ]);
    const second = obj(
      (
        await client.api(
          'GET',
          `/activities/historylog?sinceEntryId=${String(first.lastEntryId)}&pageSize=2`,
        )
      ).json,
    );
    expect(list(second.entries).map((e) => e.operation)).toEqual(['DELETE']);
    expect(second.hasMore).toBe(false);
    const deleted = list(second.entries)[0];
    expect(list(deleted?.changes).find((c) => c.attribute === 'name')).toMatchObject({
      oldValue: 'Logged 2',
      newValue: null,
    });
    // The journal points at the history entries; the Maintenance change has none.
    expect(
      sim.journal
        .all()
        .filter((e) => e.id === id)
        .map((e) => e.historyEntryId),
    ).toEqual([...entries, deleted].map((e) => e?.entryId));
    expect(sim.journal.all().at(-1)).toMatchObject({ type: 'Maintenance', historyEntryId: null });

    const byObject = obj((await client.api('GET', `/activities/historylog?objectId=${id}`)).json);
    expect(list(byObject.entries)).toHaveLength(3);
    const future = encodeURIComponent('2999-01-01T00:00:00Z');
    expect(
      list(obj((await client.api('GET', `/activities/historylog?since=${future}`)).json).entries),
    ).toHaveLength(0);
    expect((await client.api('GET', '/activities/historylog?type=Maintenance')).status).toBe(409);
    expect((await client.api('GET', '/activities/historylog?type=Nope')).status).toBe(404);
    expect((await client.api('GET', '/activities/historylog?sinceEntryId=-1')).status).toBe(400);
    expect((await client.api('GET', '/activities/historylog?since=yesterday')).status).toBe(400);

    // Switch logging on for Maintenance over the admin API: changes from now on are logged.
    const on = await fetch(`${sim.admin.url}/peaktms/types/activities/Maintenance`, {
      method: 'PATCH',
      body: JSON.stringify({ historyLog: true }),
    });
    expect(on.status).toBe(200);
    await client.api('PATCH', `/activities/${String(obj(unlogged.json).id)}`, {
      name: 'Oil change 2',
    });
    const maint = obj((await client.api('GET', '/activities/historylog?type=Maintenance')).json);
    expect(list(maint.entries).map((e) => e.operation)).toEqual(['UPDATE']);
    sim.admin.setHistoryLog('activities', 'Maintenance', false);
    sim.admin.setHistoryLog('projects', 'Customer project', false);
    sim.admin.setHistoryLog('projects', 'Internal project', false);
    expect((await client.api('GET', '/projects/historylog')).status).toBe(409);
    sim.admin.setHistoryLog('projects', 'Customer project', true);
    expect((await client.api('GET', '/projects/historylog')).status).toBe(200);
  });
});

describe('resources, files, value lists, users', () => {
  it('reports availability from assigned activities', async () => {
    const resource = await createResource('Avail');
    await client.api('POST', '/activities', {
      type: 'Test',
      name: 'Busy',
      resources: [resource.id],
      begin: '2026-11-24T09:00:00+01:00',
      end: '2026-11-24T17:00:00+01:00',
    });
    const at = (from: string, to: string) =>
      client.api(
        'GET',
        `/resourceavailability?resourceId=${String(resource.id)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      );
    const busy = obj((await at('2026-11-24T12:00:00+01:00', '2026-11-24T13:00:00+01:00')).json);
    expect(busy).toMatchObject({ available: false, resourceId: resource.id });
    expect(list(busy.assignments)[0]).toMatchObject({ name: 'Busy' });
    expect(
      obj((await at('2026-11-25T00:00:00+01:00', '2026-11-26T00:00:00+01:00')).json).available,
    ).toBe(true);
    expect((await at('2026-11-26T00:00:00Z', '2026-11-25T00:00:00Z')).status).toBe(400);
    expect((await client.api('GET', '/resourceavailability?resourceId=x')).status).toBe(400);
    expect(
      (
        await client.api(
          'GET',
          '/resourceavailability?resourceId=00000000-0000-4000-8000-000000000000&from=2026-01-01T00:00Z&to=2026-01-02T00:00Z',
        )
      ).status,
    ).toBe(404);
  });

  it('uploads, lists, downloads and deletes files of a FILE_MANAGEMENT attribute', async () => {
    const resource = await createResource('Files');
    const token = await client.token();
    const auth = { Authorization: `Bearer ${token}` };
    const upload = await client.raw(
      'POST',
      `/files?objectId=${String(resource.id)}&attribute=Manual&fileName=manual.pdf`,
      'PDF!',
      { ...auth, 'Content-Type': 'application/pdf' },
    );
    expect(upload.status).toBe(201);
    const file = obj(upload.json);
    expect(file).toMatchObject({
      name: 'manual.pdf',
      contentType: 'application/pdf',
      size: 4,
      createdBy: 'demo',
    });
    const record = obj((await client.api('GET', `/resources/${String(resource.id)}`)).json);
    const slot = obj(attr(record, 'Manual'));
    expect(slot.files).toEqual([{ fileId: file.fileId, name: 'manual.pdf', size: 4 }]);
    const container = obj((await client.api('GET', `/files/${String(slot.filesId)}`)).json);
    expect(list(container.files).map((f) => f.fileId)).toEqual([file.fileId]);
    expect(obj((await client.api('GET', `/filecontent/${String(file.fileId)}`)).json).name).toBe(
      'manual.pdf',
    );
    const download = await client.api('GET', `/filecontent/${String(file.fileId)}/content`);
    expect(download.text).toBe('PDF!');
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect((await client.api('DELETE', `/filecontent/${String(file.fileId)}`)).status).toBe(204);
    expect((await client.api('GET', `/filecontent/${String(file.fileId)}`)).status).toBe(404);
    expect(
      obj(attr(obj((await client.api('GET', `/resources/${String(resource.id)}`)).json), 'Manual'))
        .files,
    ).toEqual([]);
    expect(
      (
        await client.raw(
          'POST',
          `/files?objectId=${String(resource.id)}&attribute=Capacity&fileName=a`,
          'x',
          auth,
        )
      ).status,
    ).toBe(422);
    expect(
      (await client.raw('POST', `/files?objectId=${String(resource.id)}`, 'x', auth)).status,
    ).toBe(400);
    expect((await client.api('GET', '/files/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });

  it('serves value lists and users', async () => {
    expect(list((await client.api('GET', '/valuelists')).json).map((v) => v.name)).toEqual([
      'Priority',
      'Labels',
    ]);
    expect(
      (await client.api('POST', '/valuelists', { name: 'Shift', values: ['Early', 'Late'] }))
        .status,
    ).toBe(201);
    expect((await client.api('POST', '/valuelists', { name: 'Shift', values: [] })).status).toBe(
      409,
    );
    expect((await client.api('POST', '/valuelists', { name: 'Bad', values: [1] })).status).toBe(
      400,
    );
    const put = await client.api('PUT', '/valuelists/Priority', {
      values: ['Low', 'Medium', 'High', 'Critical'],
    });
    expect(obj(put.json).values).toEqual(['Low', 'Medium', 'High', 'Critical']);
    expect(
      (
        await client.api('POST', '/activities', {
          type: 'Test',
          name: 'c',
          attributes: [{ name: 'Priority', value: 'Critical' }],
        })
      ).status,
    ).toBe(201);
    expect((await client.api('GET', '/valuelists/Shift')).status).toBe(200);
    expect((await client.api('GET', '/valuelists/Nope')).status).toBe(404);
    expect((await client.api('PUT', '/valuelists/Nope', { values: [] })).status).toBe(404);
    expect(obj((await client.api('GET', '/users/jdoe')).json)).toEqual({
      loginName: 'jdoe',
      phone: '+49 89 555010',
      name: 'John',
      familyName: 'Doe',
      department: 'Sales',
    });
    expect((await client.api('GET', '/users/nobody')).status).toBe(404);
  });
});

describe('maintenance, faults, request log, workload', () => {
  it('lists upcoming windows and answers 503 with Retry-After during one', async () => {
    const now = sim.admin.clock.nowMs();
    sim.admin.setMaintenanceWindows([
      { start: now + 3_600_000, end: now + 7_200_000, reason: 'Upgrade' },
      { start: now - 7_200_000, end: now - 3_600_000 },
    ]);
    const windows = list((await client.api('GET', '/maintenancewindows')).json);
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ reason: 'Upgrade', active: false });
    sim.admin.clock.apply({ advanceMs: 3_600_000 + 60_000 });
    try {
      const down = await client.api('GET', '/users');
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('3540');
      expect((await client.raw('POST', '/login', '{}')).status).toBe(503);
      expect((await client.raw('GET', '/nothing')).status).toBe(503);
    } finally {
      sim.admin.clock.apply({ reset: true });
    }
    const set = await fetch(`${sim.admin.url}/peaktms/maintenance`, {
      method: 'PUT',
      body: JSON.stringify([{ start: 'x', end: 1 }]),
    });
    expect(set.status).toBe(400);
    const clear = await fetch(`${sim.admin.url}/peaktms/maintenance`, {
      method: 'PUT',
      body: '[]',
    });
    expect(await clear.json()).toEqual([]);
    expect((await client.api('GET', '/users')).status).toBe(200);
  });

  it('injects faults, logs tracing headers and echoes request ids', async () => {
    sim.admin.injectFaults([{ fault: '503', times: 1, match: 'historylog' }]);
    const fault = await client.api('GET', '/activities/historylog');
    expect(fault.status).toBe(503);
    expect(fault.headers.get('retry-after')).toBe('1');
    expect((await client.api('GET', '/activities/historylog')).status).toBe(200);
    sim.admin.clearRequests();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answer = await client.api('GET', '/users', undefined, {
      traceparent,
      'X-Correlation-Id': 'corr-1',
      'X-Request-Id': 'req-1',
    });
    expect(answer.headers.get('x-request-id')).toBe('req-1');
    expect(sim.admin.requests().at(-1)).toMatchObject({
      traceparent,
      correlationId: 'corr-1',
      requestId: 'req-1',
      status: 200,
    });
    sim.admin.setKnobs({ error500Rate: 1, match: '/users' });
    try {
      expect((await client.api('GET', '/users')).status).toBe(500);
    } finally {
      sim.admin.resetKnobs();
    }
  });

  it('runs a seeded workload whose journal matches the records', async () => {
    const before = sim.journal.lastSeq;
    sim.admin.workload.runOps(60, {
      entities: ['activities', 'projects', 'resources', 'activityseries'],
    });
    const entries = sim.journal.read(before, 1000).entries;
    expect(entries.length).toBeGreaterThanOrEqual(50);
    expect(entries.every((e) => e.source === 'workload')).toBe(true);
    const last = new Map(entries.map((e) => [e.id, e]));
    for (const [id, entry] of last) {
      const answer = await client.api('GET', `/${entry.kind}/${id}`);
      if (entry.op === 'delete') expect(answer.status).toBe(404);
      else expect(stateHash(answer.json)).toBe(entry.hash);
    }
  });
});

describe('main', () => {
  it('prints one ready line and stops on SIGTERM', async () => {
    const out: string[] = [];
    const signals = new EventEmitter();
    const done = main(
      ['--port', '0', '--seed', '3', '--api-token', 'fixed-token', '--demo-records', '0'],
      {
        stdout: (line) => out.push(line),
        stderr: () => undefined,
        signals,
      },
    );
    await expect.poll(() => out.length).toBe(1);
    const ready = JSON.parse(String(out[0]).replace(/^peaktms simulator ready /, '')) as Json;
    expect(obj(ready.credentials)).toMatchObject({
      user: 'demo',
      password: 'demo',
      apiTokens: [{ token: 'fixed-token', user: 'demo' }],
    });
    const users = await fetch(`${String(ready.api)}/users`, {
      headers: { Authorization: 'Bearer fixed-token' },
    });
    expect(users.status).toBe(200);
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    const bad: string[] = [];
    expect(
      await main(['--port', 'x'], { stdout: () => undefined, stderr: (l) => bad.push(l), signals }),
    ).toBe(2);
  });
});
