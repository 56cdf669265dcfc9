import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZeyosSimulator, type ZeyosSimulator } from './simulator.js';
import { zeyosTestClient, type ZeyosTestClient } from './testing.js';

// Over a real socket: the simulator on a random port, requests through global fetch.
let sim: ZeyosSimulator;
let client: ZeyosTestClient;

beforeAll(async () => {
  sim = await startZeyosSimulator({ port: 0, seed: 'api-test', demoRecords: 0 });
  client = zeyosTestClient(sim);
});
afterAll(async () => {
  await sim.close();
});

async function createAccount(body: Record<string, unknown>) {
  const answer = await client.api('PUT', '/accounts', body);
  expect(answer.status).toBe(201);
  return answer.json as Record<string, unknown> & { ID: number };
}

describe('create, read, update, delete', () => {
  it('creates with PUT: 201, server ID, defaults, Content-Location, ETag, Last-Modified', async () => {
    const answer = await client.api('PUT', '/accounts', { lastname: 'Acme', type: 1 });
    expect(answer.status).toBe(201);
    const record = answer.json as Record<string, unknown>;
    expect(record.ID).toEqual(expect.any(Number));
    expect(record).toMatchObject({
      lastname: 'Acme',
      type: 1,
      visibility: 0,
      locked: 0,
      contact: null,
      creator: 1,
    });
    expect(record.lastmodified).toBe(record.creationdate);
    expect(Math.abs((record.lastmodified as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(answer.headers.get('content-location')).toBe(
      `/demo/api/v1/accounts/${String(record.ID)}`,
    );
    expect(answer.headers.get('etag')).toMatch(/^"[a-f0-9]{32}"$/);
    expect(answer.headers.get('last-modified')).toBe(
      new Date((record.lastmodified as number) * 1000).toUTCString(),
    );
  });

  it('refuses an ID in the create body with 409', async () => {
    const answer = await client.api('PUT', '/accounts', { ID: 99, lastname: 'X' });
    expect(answer.status).toBe(409);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('reads with GET and HEAD, with validators; 404 for a missing record', async () => {
    const created = await createAccount({ lastname: 'Readable' });
    const get = await client.api('GET', `/accounts/${created.ID}`);
    expect(get.status).toBe(200);
    expect(get.json).toEqual(created);
    const head = await client.api('HEAD', `/accounts/${created.ID}`);
    expect(head.status).toBe(204);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('last-modified')).toBe(get.headers.get('last-modified'));
    const missing = await client.api('GET', '/accounts/999999');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('Not Found');
    expect((await client.api('HEAD', '/accounts/999999')).status).toBe(404);
  });

  it('updates with PATCH, resets lastmodified and changes the ETag', async () => {
    sim.admin.clock.apply({ frozen: true });
    try {
      const created = await createAccount({ lastname: 'Before' });
      const before = await client.api('GET', `/accounts/${created.ID}`);
      sim.admin.clock.apply({ advanceMs: 5000 });
      const patched = await client.api('PATCH', `/accounts/${created.ID}`, {
        lastname: 'After',
        ID: created.ID,
      });
      expect(patched.status).toBe(200);
      const record = patched.json as Record<string, unknown>;
      expect(record.lastname).toBe('After');
      expect(record.lastmodified).toBe((created.lastmodified as number) + 5);
      expect(record.creationdate).toBe(created.creationdate);
      expect(patched.headers.get('etag')).not.toBe(before.headers.get('etag'));
    } finally {
      sim.admin.clock.apply({ reset: true });
    }
  });

  it('answers 409 to a PATCH whose body carries a different ID', async () => {
    const created = await createAccount({ lastname: 'Mine' });
    const answer = await client.api('PATCH', `/accounts/${created.ID}`, {
      ID: created.ID + 1,
      lastname: 'x',
    });
    expect(answer.status).toBe(409);
  });

  it('deletes permanently: 204, then 404', async () => {
    const created = await createAccount({ lastname: 'Doomed' });
    expect((await client.api('DELETE', `/accounts/${created.ID}`)).status).toBe(204);
    expect((await client.api('GET', `/accounts/${created.ID}`)).status).toBe(404);
    expect((await client.api('DELETE', `/accounts/${created.ID}`)).status).toBe(404);
    expect((await client.api('PATCH', `/accounts/${created.ID}`, { lastname: 'x' })).status).toBe(
      404,
    );
  });

  it('soft-deletes through visibility 2; the record stays readable', async () => {
    const created = await createAccount({ lastname: 'Soft' });
    const answer = await client.api('PATCH', `/accounts/${created.ID}`, { visibility: 2 });
    expect((answer.json as Record<string, unknown>).visibility).toBe(2);
    expect((await client.api('GET', `/accounts/${created.ID}`)).status).toBe(200);
  });

  it('stores extdata and tags, shown on GET only when asked for', async () => {
    const created = await createAccount({
      lastname: 'Tagged',
      extdata: { nickname: 'tg', size: 3 },
      tags: ['b', 'a'],
    });
    const plain = (await client.api('GET', `/accounts/${created.ID}`)).json as Record<
      string,
      unknown
    >;
    expect(plain.extdata).toBeUndefined();
    expect(plain.tags).toBeUndefined();
    await client.api('PATCH', `/accounts/${created.ID}`, {
      extdata: { size: null, color: 'red' },
      '+tags': ['c'],
      '-tags': ['a'],
    });
    const full = (await client.api('GET', `/accounts/${created.ID}?extdata=1&tags=1`))
      .json as Record<string, unknown>;
    expect(full.extdata).toEqual({ nickname: 'tg', color: 'red' });
    expect(full.tags).toEqual(['b', 'c']);
  });

  it('accepts form-encoded bodies (PHP bracket style)', async () => {
    const answer = await client.raw(
      'PUT',
      '/demo/api/v1/accounts',
      'lastname=Formed&type=2&extdata[nick]=f',
      {
        Authorization: `Bearer ${await client.token()}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    );
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ lastname: 'Formed', type: 2 });
  });

  it('answers 405 for operations the entity does not document (users are read-only)', async () => {
    const answer = await client.api('PUT', '/users', { name: 'x', email: 'x@example.com' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect((await client.api('GET', '/users/1')).status).toBe(200);
    const getList = await client.api('GET', '/users');
    expect(getList.status).toBe(405);
    expect(getList.headers.get('allow')).toBe('POST');
    expect((await client.api('DELETE', '/users/1')).headers.get('allow')).toBe('GET, HEAD');
  });

  it('expands binfile and JSON columns only when asked', async () => {
    const answer = await client.api('PUT', '/notes', {
      name: 'With file',
      binfile: { content: Buffer.from('Hello World!').toString('base64') },
      attachments: ['a.pdf', 'b c.pdf'],
    });
    expect(answer.status).toBe(201);
    const note = answer.json as Record<string, unknown> & { ID: number };
    expect(note.binfile).toEqual(expect.any(Number));
    expect(note.attachments).toBe('{a.pdf,"b c.pdf"}');
    const expanded = await client.api(
      'GET',
      `/notes/${note.ID}?expand[]=binfile&expand[]=attachments`,
    );
    expect(expanded.json).toMatchObject({
      binfile: { content: Buffer.from('Hello World!').toString('base64') },
      attachments: ['a.pdf', 'b c.pdf'],
    });
    const listed = await client.api('POST', '/notes', {
      fields: ['ID', 'binfile'],
      expand: ['binfile'],
      filter: { ID: note.ID },
    });
    expect(listed.json).toEqual([{ ID: note.ID, binfile: { content: 'SGVsbG8gV29ybGQh' } }]);
  });
});

describe('conditional requests (RFC 7232)', () => {
  it('GET and HEAD answer 304 to a matching If-None-Match and to If-Modified-Since', async () => {
    const created = await createAccount({ lastname: 'Cached' });
    const get = await client.api('GET', `/accounts/${created.ID}`);
    const etag = get.headers.get('etag') ?? '';
    const lastModified = get.headers.get('last-modified') ?? '';
    expect(
      (await client.api('GET', `/accounts/${created.ID}`, undefined, { 'If-None-Match': etag }))
        .status,
    ).toBe(304);
    expect(
      (
        await client.api('HEAD', `/accounts/${created.ID}`, undefined, {
          'If-None-Match': `"x", ${etag}`,
        })
      ).status,
    ).toBe(304);
    expect(
      (
        await client.api('GET', `/accounts/${created.ID}`, undefined, {
          'If-None-Match': '"other"',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await client.api('GET', `/accounts/${created.ID}`, undefined, {
          'If-Modified-Since': lastModified,
        })
      ).status,
    ).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 10_000).toUTCString();
    expect(
      (
        await client.api('GET', `/accounts/${created.ID}`, undefined, {
          'If-Modified-Since': earlier,
        })
      ).status,
    ).toBe(200);
  });

  it('PATCH and DELETE answer 412 to a stale If-Match or If-Unmodified-Since', async () => {
    const created = await createAccount({ lastname: 'Guarded' });
    const get = await client.api('GET', `/accounts/${created.ID}`);
    const etag = get.headers.get('etag') ?? '';
    const stale = await client.api(
      'PATCH',
      `/accounts/${created.ID}`,
      { lastname: 'x' },
      { 'If-Match': '"stale"' },
    );
    expect(stale.status).toBe(412);
    const ok = await client.api(
      'PATCH',
      `/accounts/${created.ID}`,
      { lastname: 'y' },
      { 'If-Match': etag },
    );
    expect(ok.status).toBe(200);
    // The old tag no longer matches after the change.
    expect(
      (await client.api('DELETE', `/accounts/${created.ID}`, undefined, { 'If-Match': etag }))
        .status,
    ).toBe(412);
    const past = new Date(((created.lastmodified as number) - 60) * 1000).toUTCString();
    expect(
      (
        await client.api('DELETE', `/accounts/${created.ID}`, undefined, {
          'If-Unmodified-Since': past,
        })
      ).status,
    ).toBe(412);
    expect(
      (await client.api('DELETE', `/accounts/${created.ID}`, undefined, { 'If-Match': '*' }))
        .status,
    ).toBe(204);
  });
});

describe('authentication on /api/v1', () => {
  it('answers 401 with WWW-Authenticate without or with a bad token', async () => {
    const none = await client.raw('POST', '/demo/api/v1/accounts', '{}');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="demo"');
    expect(none.headers.get('content-type')).toMatch(/^text\/plain/);
    const bad = await client.raw('GET', '/demo/api/v1/accounts/1', undefined, {
      Authorization: 'Bearer 0000',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="demo" error="invalid_token"');
    expect(bad.text).toBe('Unauthorized: Invalid bearer token');
  });
});

describe('the documented accounts query (zeyos-rest-api-v1.txt, "Data Retrieval")', () => {
  const since = 1524472045;
  let ids: Record<string, number>;
  // A simulator of its own, holding exactly the records of the example.
  let docs: ZeyosSimulator;
  let client: ZeyosTestClient;

  beforeAll(async () => {
    docs = await startZeyosSimulator({ port: 0, demoRecords: 0 });
    client = zeyosTestClient(docs);
    const insert = (entity: string, values: Record<string, unknown>) =>
      docs.admin.insert('demo', entity, values).ID as number;
    const recent = since + 1000;
    const old = since - 1000;
    const london1 = insert('contacts', {
      address: 'Queensstreet',
      postalcode: '12923',
      city: 'London',
      country: 'GB',
      lastmodified: recent,
    });
    const london2 = insert('contacts', {
      address: 'Tower Bridge',
      postalcode: '12923',
      city: 'London',
      country: 'GB',
      lastmodified: recent,
    });
    const munich = insert('contacts', {
      address: 'Schmittstr. 4',
      postalcode: '80172',
      city: 'Munich',
      country: 'DE',
      lastmodified: recent,
    });
    const boston = insert('contacts', {
      address: 'Main St',
      postalcode: '02108',
      city: 'Boston',
      country: 'US',
      lastmodified: recent,
    });
    const oldContact = insert('contacts', {
      address: 'Ring 1',
      postalcode: '1010',
      city: 'Vienna',
      country: 'AT',
      lastmodified: old,
    });
    ids = {
      beq: insert('accounts', {
        lastname: 'BEQ Building Equipment',
        contact: london1,
        assigneduser: 2,
        lastmodified: recent,
      }),
      clean: insert('accounts', { lastname: 'CleanTexx', contact: london2, lastmodified: recent }),
      light: insert('accounts', { lastname: 'Lightexx AG', contact: munich, lastmodified: recent }),
      zeta: insert('accounts', { lastname: 'Zeta Corp', contact: munich, lastmodified: recent }),
      // Old itself, but its contact changed recently: kept by the OR group's second branch.
      zulu: insert('accounts', { lastname: 'Zulu Ltd', contact: london1, lastmodified: old }),
      us: insert('accounts', { lastname: 'US Corp', contact: boston, lastmodified: recent }),
      archived: insert('accounts', {
        lastname: 'Archived AG',
        contact: london1,
        visibility: 1,
        lastmodified: recent,
      }),
      stale: insert('accounts', { lastname: 'Old GmbH', contact: oldContact, lastmodified: old }),
    };
  });
  afterAll(async () => {
    await docs.close();
  });

  const filters = {
    visibility: 0,
    'contact.country': { IN: ['DE', 'AT', 'GB'] },
    2: ['OR', { lastmodified: { '>': since } }, { 'contact.lastmodified': { '>': since } }],
  };

  it('returns the documented shape: aliases, joins, extdata, OR group, sort, limit', async () => {
    const answer = await client.api('POST', '/accounts/', {
      fields: {
        Id: 'ID',
        Name: 'lastname',
        Nickname: 'extdata.nickname',
        Address: 'contact.address',
        Postalcode: 'contact.postalcode',
        Town: 'contact.city',
        SalesAgent: 'assigneduser.name',
      },
      filters,
      sort: ['+lastname', '-contact.country'],
      limit: 3,
      offset: 0,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      {
        Id: ids.beq,
        Name: 'BEQ Building Equipment',
        Nickname: null,
        Address: 'Queensstreet',
        Postalcode: '12923',
        Town: 'London',
        SalesAgent: 'Max Mueller',
      },
      {
        Id: ids.clean,
        Name: 'CleanTexx',
        Nickname: null,
        Address: 'Tower Bridge',
        Postalcode: '12923',
        Town: 'London',
        SalesAgent: null,
      },
      {
        Id: ids.light,
        Name: 'Lightexx AG',
        Nickname: null,
        Address: 'Schmittstr. 4',
        Postalcode: '80172',
        Town: 'Munich',
        SalesAgent: null,
      },
    ]);
  });

  it('counts with the count modifier (fields, sort and limit have no effect)', async () => {
    const answer = await client.api('POST', '/accounts', {
      count: 1,
      filters,
      limit: 1,
      fields: ['ID'],
    });
    expect(answer.json).toEqual({ count: 5 });
  });

  it('pages with limit and offset', async () => {
    const page = async (offset: number) =>
      (
        (
          await client.api('POST', '/accounts', {
            fields: ['ID'],
            filters,
            sort: ['lastname'],
            limit: 2,
            offset,
          })
        ).json as { ID: number }[]
      ).map((r) => r.ID);
    expect([...(await page(0)), ...(await page(2)), ...(await page(4))]).toEqual([
      ids.beq,
      ids.clean,
      ids.light,
      ids.zeta,
      ids.zulu,
    ]);
  });

  it('accepts `filter` like `filters`, and form-encoded lists as in the curl example', async () => {
    const viaFilter = await client.api('POST', '/accounts', { count: 1, filter: filters });
    expect(viaFilter.json).toEqual({ count: 5 });
    const form = await client.raw(
      'POST',
      '/demo/api/v1/contacts/',
      'fields[]=ID&fields[]=city&fields[]=country&limit=3',
      {
        Authorization: `Bearer ${await client.token()}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    );
    expect(form.status).toBe(200);
    expect(form.json).toHaveLength(3);
    expect(Object.keys((form.json as Record<string, unknown>[])[0] ?? {})).toEqual([
      'ID',
      'city',
      'country',
    ]);
  });
});

describe('list features', () => {
  it('selects every field by default, in document order', async () => {
    await createAccount({ lastname: 'Defaults' });
    const rows = (await client.api('POST', '/accounts', { limit: 1 })).json as Record<
      string,
      unknown
    >[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'ID',
      'fork',
      'ownergroup',
      'creator',
      'assigneduser',
      'creationdate',
      'lastmodified',
      'contact',
      'visibility',
      'lastname',
      'firstname',
      'type',
      'customernum',
      'suppliernum',
      'taxid',
      'currency',
      'locked',
      'excludetax',
      'description',
    ]);
  });

  it('sorts descending, pages, and applies distinct before the limit', async () => {
    for (const name of ['Dup One', 'Dup One', 'Dup Two'])
      await createAccount({ lastname: name, type: 4 });
    const distinct = await client.api('POST', '/accounts', {
      fields: ['lastname'],
      filter: { type: 4 },
      distinct: 1,
      sort: ['-lastname'],
    });
    expect(distinct.json).toEqual([{ lastname: 'Dup Two' }, { lastname: 'Dup One' }]);
  });

  it('searches the searchable strings with `query`', async () => {
    await createAccount({ lastname: 'Quasar Industries', customernum: 'C-777' });
    const hits = await client.api('POST', '/accounts', {
      fields: ['lastname'],
      query: 'quasar c-777',
    });
    expect(hits.json).toEqual([{ lastname: 'Quasar Industries' }]);
  });

  it('rejects unknown selection, filter and sort fields with 400', async () => {
    const selection = await client.api('POST', '/accounts', { fields: ['nope'] });
    expect(selection.status).toBe(400);
    expect(selection.text).toBe('Bad Request: Invalid selection field');
    expect((await client.api('POST', '/accounts', { filter: { nope: 1 } })).status).toBe(400);
    expect((await client.api('POST', '/accounts', { sort: ['-nope'] })).status).toBe(400);
    expect((await client.api('POST', '/accounts', { fields: ['contact.nope'] })).status).toBe(400);
    expect((await client.api('POST', '/accounts', { fields: ['lastname.x'] })).status).toBe(400);
  });

  it('enforces limit bounds (1..10000)', async () => {
    expect((await client.api('POST', '/accounts', { limit: 0 })).status).toBe(400);
    expect((await client.api('POST', '/accounts', { limit: 10001 })).status).toBe(400);
    expect((await client.api('POST', '/accounts', { limit: 10000, fields: ['ID'] })).status).toBe(
      200,
    );
    expect((await client.api('POST', '/accounts', { offset: -1 })).status).toBe(400);
  });

  it('defaults to 1000 rows', async () => {
    sim.admin.bulkLoad('demo', 'items', 1500, (i) => ({ name: `Item ${i}` }));
    const rows = (await client.api('POST', '/items', { fields: ['ID'] })).json as unknown[];
    expect(rows).toHaveLength(1000);
  });
});

describe('bad input never crashes the server', () => {
  it('answers 400 to malformed JSON and wrong types, 404 to unknown entities, 413 to huge bodies', async () => {
    const bearer = {
      Authorization: `Bearer ${await client.token()}`,
      'Content-Type': 'application/json',
    };
    const malformed = await client.raw('PUT', '/demo/api/v1/accounts', '{"lastname": ', bearer);
    expect(malformed.status).toBe(400);
    expect(malformed.text).toBe('Bad Request: Invalid JSON');
    expect((await client.raw('POST', '/demo/api/v1/accounts', '[1,2]', bearer)).status).toBe(400);
    expect((await client.api('PUT', '/accounts', { lastname: { a: 1 } })).status).toBe(400);
    expect((await client.api('PUT', '/accounts', { type: 'customer' })).status).toBe(400);
    expect((await client.api('PUT', '/accounts', { type: 17 })).status).toBe(400);
    expect((await client.api('PUT', '/accounts', { currency: 'euro' })).status).toBe(400);
    expect((await client.api('PUT', '/accounts', { bogus: 1 })).status).toBe(400);
    expect((await client.api('PUT', '/tasks', {})).text).toBe(
      'Bad Request: Missing value for field name',
    );
    expect((await client.api('POST', '/nonsense', {})).status).toBe(404);
    expect((await client.api('GET', '/accounts/abc')).status).toBe(400);
    expect((await client.raw('GET', '/nowhere/api/v1/accounts/1')).status).toBe(404);
    const huge = await client.raw(
      'PUT',
      '/demo/api/v1/accounts',
      JSON.stringify({ lastname: 'x'.repeat(2 * 1024 * 1024) }),
      bearer,
    );
    expect(huge.status).toBe(413);
    // Still serving.
    expect((await client.api('POST', '/accounts', { limit: 1, fields: ['ID'] })).status).toBe(200);
  });
});
