/**
 * Contract tests of @tidemark/peaktms against the PeakTMS simulator: every endpoint, the
 * status codes it documents, login and token flows, faults and a maintenance window.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPeaktmsClient,
  getDate,
  getText,
  isPeaktmsApiError,
  type PeaktmsApiError,
  type PeaktmsAuthSettings,
  type PeaktmsClient,
  type PeaktmsRecord,
} from '@tidemark/peaktms';
import { startPeaktmsSimulator, type PeaktmsSimulator } from '@tidemark/simulators';

let sim: PeaktmsSimulator;
const clients: PeaktmsClient[] = [];
const slept: number[] = [];

function client(auth?: PeaktmsAuthSettings, maxAttempts = 4): PeaktmsClient {
  const c = createPeaktmsClient(
    {
      baseUrl: sim.baseUrl,
      auth: auth ?? {
        mode: 'login',
        user: sim.credentials.user,
        password: sim.credentials.password,
      },
      http: { maxAttempts, timeoutMs: 5_000, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    },
    {
      http: {
        // Records the waits asked for (Retry-After) but keeps the test fast.
        sleep: (ms) => {
          slept.push(ms);
          return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
        },
      },
    },
  );
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<PeaktmsApiError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as PeaktmsApiError,
  );
}

beforeAll(async () => {
  sim = await startPeaktmsSimulator({ port: 0, seed: 7, demoRecords: 12 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
});

beforeEach(() => {
  sim.admin.clearFaults();
  sim.admin.resetKnobs();
  sim.admin.setMaintenanceWindows([]);
  slept.length = 0;
});

describe('PeakTMS client against the simulator: objects', () => {
  it('queries every kind, paging to the same set as one large page', async () => {
    const c = client();
    for (const kind of ['activities', 'activityseries', 'projects', 'resources'] as const) {
      const all: PeaktmsRecord[] = [];
      for await (const record of c.objects(kind).queryAll({ pageSize: 2 })) all.push(record);
      const one = await c.objects(kind).query({ pageSize: 1000 });
      expect(all.map((r) => r.id).sort()).toEqual(one.content.map((r) => r.id).sort());
      expect(one.totalElements).toBe(all.length);
    }
  });

  it('get, create, patch, put, delete; 404 and find', async () => {
    const c = client();
    const [resource] = (await c.resources.query({})).content;
    if (resource === undefined) throw new Error('no demo resource');
    expect(await c.resources.get(resource.id)).toMatchObject({ id: resource.id });
    const created = await c.resources.create({
      type: resource.type,
      dataPool: resource.dataPool,
      location: resource.location,
      name: 'Contract test',
      // Required attributes copied; the server makes FILE_MANAGEMENT, IDGENERATOR, STATUS_ENGINE.
      attributes: resource.attributes.filter(
        (a) => !['FILE_MANAGEMENT', 'IDGENERATOR', 'STATUS_ENGINE'].includes(a.dataType ?? ''),
      ),
    });
    expect(created).toMatchObject({ type: resource.type, name: 'Contract test' });
    const patched = await c.resources.patch(created.id, { name: 'Patched' });
    expect(patched.name).toBe('Patched');
    const put = await c.resources.put(created.id, { ...patched, name: 'Put' });
    expect(put.name).toBe('Put');
    expect(await c.resources.delete(created.id)).toBe('deleted');
    expect(await c.resources.find(created.id)).toBeUndefined();
    expect((await failure(c.resources.get(created.id))).code).toBe('HTTP_NOT_FOUND');
    expect(await c.resources.delete(created.id, { missingOk: true })).toBe('missing');
  });

  it('typed attributes and zoned date-times read back', async () => {
    const c = client();
    const [activity] = (await c.activities.query({ types: ['Test'], pageSize: 1 })).content;
    if (activity === undefined) throw new Error('no demo activity');
    expect(activity.attributes.length).toBeGreaterThan(0);
    const dates = activity.attributes.filter((a) => a.dataType === 'DATE' && a.value !== null);
    for (const date of dates) expect(getDate(activity, date.name)?.zone).toBeDefined();
    const texts = activity.attributes.filter((a) => a.dataType === 'TEXT');
    for (const text of texts) expect(() => getText(activity, text.name)).not.toThrow();
  });

  it('400 and 422 carry the server error body', async () => {
    const c = client();
    const bad = await failure(c.projects.query({ unknownMember: 1 }));
    expect(bad.code).toBe('HTTP_BAD_REQUEST');
    expect(isPeaktmsApiError(bad)).toBe(true);
    expect(bad.body?.status).toBe(400);
    const invalid = await failure(c.projects.create({ type: 'No such type', name: 'x' }));
    expect(invalid.code).toBe('HTTP_UNPROCESSABLE');
    expect(invalid.body?.message).toBeDefined();
  });

  it('the history log pages from an entry id and from a time', async () => {
    const c = client();
    const [resource] = (await c.resources.query({ types: ['Test bench'] })).content;
    if (resource === undefined) throw new Error('no test bench');
    await c.resources.patch(resource.id, { name: 'Bench renamed' });
    const ids: (string | number)[] = [];
    for await (const page of c.resources.historyPages({ sinceEntryId: 0, pageSize: 3 }))
      ids.push(...page.entries.map((e) => e.entryId));
    expect(ids.length).toBeGreaterThan(0);
    expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(ids);
    const last = await c.resources.historyLog({ objectId: resource.id, sinceEntryId: 0 });
    expect(last.entries.at(-1)).toMatchObject({ objectId: resource.id, operation: 'UPDATE' });
    const since = await c.resources.historyLog({ since: new Date(0) });
    expect(since.entries.length).toBeGreaterThan(0);
    // A type that is not logged: 409.
    const off = await failure(c.projects.historyLog({ type: 'Internal project' }));
    expect(off.code).toBe('HTTP_CONFLICT');
  });
});

describe('PeakTMS client against the simulator: other endpoints', () => {
  it('resource availability, users, value lists, maintenance windows', async () => {
    const c = client();
    const [resource] = (await c.resources.query({})).content;
    if (resource === undefined) throw new Error('no resource');
    const availability = await c.resourceAvailability({
      resourceId: resource.id,
      from: new Date(Date.now() - 86_400_000),
      to: new Date(Date.now() + 86_400_000),
    });
    expect(typeof availability.available).toBe('boolean');
    const users = await c.users.list();
    expect(users.map((u) => u.loginName)).toContain(sim.credentials.user);
    expect((await c.users.get(sim.credentials.user)).loginName).toBe(sim.credentials.user);
    expect((await failure(c.users.get('nobody'))).code).toBe('HTTP_NOT_FOUND');
    const lists = await c.valueLists.list();
    expect(lists.map((l) => l.name)).toContain('Priority');
    const name = `Contract ${Date.now()}`;
    expect(await c.valueLists.create({ name, values: ['a'] })).toMatchObject({ name });
    expect((await failure(c.valueLists.create({ name, values: ['a'] }))).code).toBe(
      'HTTP_CONFLICT',
    );
    expect((await c.valueLists.put(name, ['a', 'b'])).values).toEqual(['a', 'b']);
    expect((await c.valueLists.get(name)).values).toEqual(['a', 'b']);
    const start = Date.now() + 3_600_000;
    sim.admin.setMaintenanceWindows([{ start, end: start + 60_000, reason: 'upgrade' }]);
    const windows = await c.maintenanceWindows.upcoming();
    expect(windows).toHaveLength(1);
    expect(windows[0]?.reason).toBe('upgrade');
  });

  it('files: upload, list, describe, download, delete', async () => {
    const c = client();
    const [activity] = (await c.activities.query({ types: ['Test'], pageSize: 1 })).content;
    const attribute = activity?.attributes.find((a) => a.dataType === 'FILE_MANAGEMENT');
    if (activity === undefined || attribute === undefined) throw new Error('no file attribute');
    const uploaded = await c.files.upload({
      objectId: activity.id,
      attribute: attribute.name,
      fileName: 'report.txt',
      content: 'hello',
      contentType: 'text/plain',
    });
    expect(uploaded.name).toBe('report.txt');
    const described = await c.files.describe(uploaded.fileId);
    expect(described.fileId).toBe(uploaded.fileId);
    const filesId = uploaded.filesId ?? described.filesId;
    if (filesId === null || filesId === undefined) throw new Error('no filesId');
    const container = await c.files.list(filesId);
    expect(container.files.map((f) => f.fileId)).toContain(uploaded.fileId);
    const download = await c.files.download(uploaded.fileId);
    expect(Buffer.from(download.bytes).toString('utf8')).toBe('hello');
    expect(download.fileName).toBe('report.txt');
    expect(await c.files.delete(uploaded.fileId)).toBe('deleted');
    expect((await failure(c.files.describe(uploaded.fileId))).code).toBe('HTTP_NOT_FOUND');
  });
});

describe('PeakTMS client against the simulator: tokens, faults, maintenance', () => {
  it('a long-lived API token works; refused credentials are HTTP_UNAUTHORIZED', async () => {
    const token = sim.credentials.apiTokens[0]?.token;
    if (token === undefined) throw new Error('no API token');
    expect((await client({ mode: 'token', token }).users.list()).length).toBeGreaterThan(0);
    const refused = await failure(
      client({ mode: 'login', user: sim.credentials.user, password: 'wrong' }).users.list(),
    );
    expect(refused.code).toBe('HTTP_UNAUTHORIZED');
    expect((await failure(client({ mode: 'token', token: 'nope' }).users.list())).code).toBe(
      'HTTP_UNAUTHORIZED',
    );
  });

  it('expired tokens: logs in again once and the request succeeds', async () => {
    const c = client();
    await c.users.list();
    expect(sim.admin.expireTokens()).toBeGreaterThan(0);
    expect((await c.users.list()).length).toBeGreaterThan(0);
  });

  it('500, 503 and 429 faults are retried; malformed bodies are HTTP_RESPONSE_INVALID', async () => {
    const c = client();
    await c.users.list();
    sim.admin.injectFaults([
      { fault: '500', match: '^GET /tms_rest/users' },
      { fault: '503', match: '^GET /tms_rest/users' },
      { fault: '429', match: '^GET /tms_rest/users' },
    ]);
    expect((await c.users.list()).length).toBeGreaterThan(0);
    expect(slept).toContain(1000);
    sim.admin.injectFaults([{ fault: 'malformed', times: 4, match: '^GET /tms_rest/valuelists' }]);
    expect((await failure(c.valueLists.list())).code).toBe('HTTP_RESPONSE_INVALID');
  });

  it('a maintenance window: 503 + Retry-After waited out, or surfaced as HTTP_UNAVAILABLE', async () => {
    const c = client(undefined, 2);
    await c.users.list();
    const start = Date.now() - 1000;
    sim.admin.setMaintenanceWindows([{ start, end: Date.now() + 120_000 }]);
    const down = await failure(c.users.list());
    expect(down.code).toBe('HTTP_UNAVAILABLE');
    expect(down.retryAfterMs).toBeGreaterThan(100_000);
    // Retry-After beyond the retry deadline (120 s): not waited, surfaced at once.
    expect(slept.some((ms) => ms > 100_000)).toBe(false);

    // A short window: the client waits it out and succeeds.
    sim.admin.setMaintenanceWindows([{ start, end: Date.now() + 1500 }]);
    const patient = createPeaktmsClient({
      baseUrl: sim.baseUrl,
      auth: { mode: 'login', user: sim.credentials.user, password: sim.credentials.password },
      http: { maxAttempts: 5, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    });
    clients.push(patient);
    expect((await patient.users.list()).length).toBeGreaterThan(0);
  });
});
