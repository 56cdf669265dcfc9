import {
  HttpError,
  jsonResponse,
  type HeaderValue,
  type Router,
  type SimRequest,
  type SimResponse,
} from '../core/router.js';
import { etagOf, wireRecord, type ChangeContext, type ZeyosRow } from './db.js';
import {
  httpDate,
  httpDateSeconds,
  parseEtags,
  queryFlag,
  queryList,
  readParams,
  strongMatch,
  weakMatch,
} from './http.js';
import { instanceOf, requireBearer, type ZeyosInstance, type ZeyosInstances } from './instance.js';
import { executeList, expandValue, parseListRequest } from './list.js';
import { entityDef, type EntityDef, type EntityOperation } from './schema.js';
import { badRequest } from './values.js';

/**
 * The ZeyOS Standard REST API v1 under /{INSTANCE}/api/v1: one generic set of handlers for
 * every entity of the generated table.
 */

const collectionMethods: Partial<Record<EntityOperation, string>> = { list: 'POST', create: 'PUT' };
const itemMethods: Partial<Record<EntityOperation, string>> = {
  get: 'GET',
  head: 'HEAD',
  update: 'PATCH',
  delete: 'DELETE',
};

function allowed(def: EntityDef, methods: Partial<Record<EntityOperation, string>>): string[] {
  return Object.entries(methods)
    .filter(([op]) => def.operations.has(op as EntityOperation))
    .map(([, method]) => method);
}

interface Target {
  instance: ZeyosInstance;
  def: EntityDef;
  context: ChangeContext;
}

/** Authenticates, then resolves the entity and checks it supports the operation. */
function target(instances: ZeyosInstances, request: SimRequest, op: EntityOperation): Target {
  const instance = instanceOf(instances, request);
  const auth = requireBearer(instance, request);
  const def = entityDef(request.params.entity ?? '');
  if (def === undefined) throw new HttpError(404, 'Not Found');
  if (!def.operations.has(op)) {
    const methods = op in collectionMethods ? collectionMethods : itemMethods;
    throw new HttpError(405, 'Method Not Allowed', { Allow: allowed(def, methods).join(', ') });
  }
  return { instance, def, context: { userId: auth.userId, source: 'api' } };
}

function recordId(request: SimRequest): number {
  const raw = request.params.id ?? '';
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw badRequest('Invalid ID');
  return Number(raw);
}

/** Seconds for Last-Modified: lastmodified, else creationdate, else none. */
function modifiedSeconds(row: ZeyosRow): number | undefined {
  const value = row.data.lastmodified ?? row.data.creationdate;
  return typeof value === 'number' ? value : undefined;
}

function validators(row: ZeyosRow): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = { ETag: etagOf(row) };
  const seconds = modifiedSeconds(row);
  if (seconds !== undefined) headers['Last-Modified'] = httpDate(seconds);
  return headers;
}

/** GET/HEAD preconditions (RFC 7232 6): If-None-Match, else If-Modified-Since. */
function notModified(request: SimRequest, row: ZeyosRow): boolean {
  const tags = parseEtags(request.header('if-none-match'));
  if (tags !== null) return weakMatch(tags, etagOf(row));
  const since = httpDateSeconds(request.header('if-modified-since'));
  const seconds = modifiedSeconds(row);
  return since !== undefined && seconds !== undefined && seconds <= since;
}

/** PATCH/DELETE preconditions: If-Match, else If-Unmodified-Since; 412 when they fail. */
function checkPreconditions(request: SimRequest, row: ZeyosRow): void {
  const tags = parseEtags(request.header('if-match'));
  if (tags !== null) {
    if (!strongMatch(tags, etagOf(row)))
      throw new HttpError(412, 'Precondition Failed: Non-matching ETag');
    return;
  }
  const since = httpDateSeconds(request.header('if-unmodified-since'));
  const seconds = modifiedSeconds(row);
  if (since !== undefined && seconds !== undefined && seconds > since) {
    throw new HttpError(412, 'Precondition Failed: Modified since');
  }
}

function existing(t: Target, id: number): ZeyosRow {
  const row = t.instance.db.get(t.def.name, id);
  if (row === undefined) throw new HttpError(404, 'Not Found');
  return row;
}

export function zeyosApiRoutes(router: Router, instances: ZeyosInstances): void {
  const base = '/:instance/api/v1';

  router.add('GET', `${base}/config`, (request) => {
    const instance = instanceOf(instances, request);
    requireBearer(instance, request);
    return jsonResponse(200, {
      instance: instance.name,
      currency: 'EUR',
      timezone: 'Europe/Berlin',
      language: 'en_US',
    });
  });

  router.add('GET', `${base}/settings`, (request) => {
    const instance = instanceOf(instances, request);
    requireBearer(instance, request);
    return jsonResponse(200, {});
  });

  router.add('POST', `${base}/:entity`, async (request) => {
    const t = target(instances, request, 'list');
    const list = parseListRequest(await readParams(request));
    const result = executeList(t.instance.db, t.def, list);
    switch (result.kind) {
      case 'count':
        return jsonResponse(200, { count: result.count });
      case 'rows':
        return jsonResponse(200, result.rows);
      case 'csv':
        return {
          status: 200,
          headers: { 'Content-Type': 'text/csv; charset=utf-8' },
          body: result.text,
        };
    }
  });

  router.add('PUT', `${base}/:entity`, async (request) => {
    const t = target(instances, request, 'create');
    const row = t.instance.db.create(t.def.name, await readParams(request), t.context);
    return jsonResponse(201, wireRecord(row), {
      'Content-Location': `/${t.instance.name}/api/v1/${t.def.name}/${String(row.data.ID)}`,
      ...validators(row),
    });
  });

  const read = (request: SimRequest, op: 'get' | 'head'): SimResponse => {
    const t = target(instances, request, op);
    const row = existing(t, recordId(request));
    if (notModified(request, row)) return { status: 304, headers: validators(row) };
    if (op === 'head') return { status: 204, headers: validators(row) };
    const record = wireRecord(row, {
      extdata: t.def.extdata.read && queryFlag(request.url, 'extdata'),
      tags: t.def.tags.read && queryFlag(request.url, 'tags'),
    });
    for (const name of queryList(request.url, 'expand')) {
      const field = t.def.fields.get(name);
      if (field?.composite !== true) throw badRequest('Invalid expand field');
      record[name] = expandValue(t.instance.db, field, record[name]);
    }
    return jsonResponse(200, record, validators(row));
  };
  router.add('GET', `${base}/:entity/:id`, (request) => read(request, 'get'));
  router.add('HEAD', `${base}/:entity/:id`, (request) => read(request, 'head'));

  router.add('PATCH', `${base}/:entity/:id`, async (request) => {
    const t = target(instances, request, 'update');
    const id = recordId(request);
    const body = await readParams(request);
    // Check and write with no await in between: no other request can change the row here.
    checkPreconditions(request, existing(t, id));
    const row = t.instance.db.update(t.def.name, id, body, t.context);
    return jsonResponse(200, wireRecord(row), validators(row));
  });

  router.add('DELETE', `${base}/:entity/:id`, (request) => {
    const t = target(instances, request, 'delete');
    const id = recordId(request);
    checkPreconditions(request, existing(t, id));
    t.instance.db.remove(t.def.name, id, t.context);
    return { status: 204 };
  });
}
