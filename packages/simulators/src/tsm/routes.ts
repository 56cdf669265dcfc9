import { mediaType, parseForm } from '../core/body.js';
import type { KeyedRateLimiter } from '../core/rate-limit.js';
import {
  HttpError,
  jsonResponse,
  type Router,
  type SimRequest,
  type SimResponse,
} from '../core/router.js';
import { scopeFor, type TsmAuth, type TsmTokenPayload } from './auth.js';
import type { TsmChangeContext, TsmDb, TsmRecord } from './db.js';
import { TsmError, badRequest, errorBody, errorResponse, notFound } from './errors.js';
import { FilterError, compileFilter, parseFilterParams, parseSort } from './filter.js';
import {
  entityResolver,
  executeList,
  executeLogList,
  expandRecord,
  logResolver,
  parseExpand,
  type ListQuery,
} from './list.js';
import { isObject } from './merge-patch.js';
import { tsmEntityDef, tsmModules, type TsmEntityDef } from './schema.js';

/** Spring Data's defaults: page 0, size 20, at most 2000 per page. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 2000;
/** /search: at most `size` items, default 100. */
export const DEFAULT_SEARCH_SIZE = 100;
/** Items per bulk request. */
export const MAX_BULK_ITEMS = 1000;

const RESERVED = new Set(['page', 'size', 'sort', 'expand']);

export interface TsmRouteContext {
  db: TsmDb;
  auth: TsmAuth;
  limiter: KeyedRateLimiter;
  now: () => number;
  onError?: ((error: unknown) => void) | undefined;
}

interface Call {
  request: SimRequest;
  def: TsmEntityDef;
  user: TsmTokenPayload;
  change: TsmChangeContext;
}

/** Turns anything a handler threw into the guide's error body. */
export function errorToResponse(
  error: unknown,
  path: string,
  nowMs: number,
  onError?: (error: unknown) => void,
): SimResponse {
  if (error instanceof TsmError)
    return errorResponse(error.status, error.message, path, nowMs, {
      ...(error.errors === undefined ? {} : { errors: error.errors }),
      headers: error.headers,
    });
  if (error instanceof FilterError) return errorResponse(400, error.message, path, nowMs);
  if (error instanceof HttpError)
    return errorResponse(error.status, error.text, path, nowMs, { headers: error.headers });
  onError?.(error);
  return errorResponse(500, 'Internal server error', path, nowMs);
}

/**
 * The tSM Public API v2 under /{module}/api/v2/{entity}: one generic set of handlers for every
 * entity of the table, plus the token endpoint /oauth2/token.
 */
export function tsmRoutes(router: Router, context: TsmRouteContext): void {
  const { db, auth, limiter, now } = context;

  const api =
    (handler: (call: Call) => SimResponse | Promise<SimResponse>) =>
    async (request: SimRequest): Promise<SimResponse> => {
      try {
        // Spring Security runs before dispatch: 401 even for unknown modules and entities.
        const user = auth.authenticate(request.header('authorization'));
        const wait = limiter.take(user.token);
        if (wait !== null)
          throw new TsmError(429, 'Rate limit exceeded', undefined, {
            'Retry-After': String(wait),
          });
        const module = request.params.module ?? '';
        if (!tsmModules.has(module)) throw notFound(`Unknown module '${module}'`);
        const def = tsmEntityDef(module, request.params.entity ?? '');
        if (def === undefined)
          throw notFound(`Unknown entity '${request.params.entity ?? ''}' in module '${module}'`);
        if (!user.scopes.includes(scopeFor(request.method)))
          throw new TsmError(403, 'Access Denied');
        return await handler({
          request,
          def,
          user,
          change: { user: user.user, source: 'api' },
        });
      } catch (error) {
        return errorToResponse(error, request.path, now(), context.onError);
      }
    };

  const base = '/:module/api/v2/:entity';

  router.add(
    'POST',
    base,
    api(async ({ request, def, change }) => {
      const row = db.create(def, await readJson(request), change);
      return jsonResponse(201, row, { Location: `${request.path}/${String(row.id)}` });
    }),
  );

  router.add(
    'GET',
    `${base}/page`,
    api(({ request, def }) => {
      const { page, size } = pageParams(request.url.searchParams);
      const expand = parseExpand(def, request.url.searchParams.getAll('expand'));
      const result = executeList(db.store(def.name), entityResolver(db, def), {
        ...listQuery(request, def),
        offset: page * size,
        limit: size,
        countTotal: true,
      });
      const total = result.total ?? 0;
      return jsonResponse(200, {
        content: result.rows.map((row) => expandRecord(db, def, row, expand)),
        page,
        size,
        totalElements: total,
        totalPages: Math.ceil(total / size),
      });
    }),
  );

  router.add(
    'GET',
    `${base}/search`,
    api(({ request, def }) => {
      const size = intParam(
        request.url.searchParams,
        'size',
        DEFAULT_SEARCH_SIZE,
        1,
        MAX_PAGE_SIZE,
      );
      const expand = parseExpand(def, request.url.searchParams.getAll('expand'));
      const result = executeList(db.store(def.name), entityResolver(db, def), {
        ...listQuery(request, def),
        offset: 0,
        limit: size,
        countTotal: false,
      });
      return jsonResponse(
        200,
        result.rows.map((row) => expandRecord(db, def, row, expand)),
      );
    }),
  );

  router.add(
    'GET',
    `${base}/log`,
    api(({ request, def }) => logPage(request, db.store(def.name).log)),
  );

  router.add(
    'GET',
    `${base}/:idOrCode/log`,
    api(({ request, def }) => {
      const key = request.params.idOrCode ?? '';
      const store = db.store(def.name);
      const live = store.find(key);
      const entries = store.logByRecord.get(
        live === undefined ? key.toLowerCase() : (live.id as string),
      );
      if (entries === undefined) throw notFound(`${def.name} '${key}' not found`);
      return logPage(request, entries);
    }),
  );

  router.add(
    'POST',
    `${base}/save-diff`,
    api(async ({ request, def, change }) => {
      const { record, created } = db.saveDiff(def, await readJson(request), change);
      return jsonResponse(created ? 201 : 200, record);
    }),
  );

  // Bulk: per-item results, HTTP 200; one item's failure does not undo the others.
  router.add(
    'GET',
    `${base}/bulk`,
    api(({ request, def }) => {
      const keys = idOrCodes(request);
      const expand = parseExpand(def, request.url.searchParams.getAll('expand'));
      return bulkAnswer(
        keys.map((key, index) =>
          item(index, key, () => ({
            status: 200,
            data: expandRecord(db, def, db.get(def.name, key), expand),
          })),
        ),
      );
    }),
  );
  router.add(
    'DELETE',
    `${base}/bulk`,
    api(({ request, def, change }) => {
      const keys = idOrCodes(request);
      return bulkAnswer(
        keys.map((key, index) =>
          item(index, key, () => {
            const row = db.remove(def, key, change);
            return { status: 204, id: row.id };
          }),
        ),
      );
    }),
  );
  router.add(
    'POST',
    `${base}/bulk`,
    api(async ({ request, def, change }) => {
      const items = bulkBody(await readJson(request));
      return bulkAnswer(
        items.map((body, index) =>
          item(index, keyOf(body), () => {
            const row = db.create(def, body, change);
            return { status: 201, id: row.id, data: row };
          }),
        ),
      );
    }),
  );
  router.add(
    'PUT',
    `${base}/bulk`,
    api(async ({ request, def, change }) => {
      const items = bulkBody(await readJson(request));
      return bulkAnswer(
        items.map((body, index) => {
          const key = keyOf(body);
          return item(index, key, () => {
            if (key === undefined) throw badRequest('Each item needs an id or a code');
            const row = db.replace(def, key, body, change);
            return { status: 200, id: row.id, data: row };
          });
        }),
      );
    }),
  );
  router.add(
    'PATCH',
    `${base}/bulk`,
    api(async ({ request, def, change }) => {
      const items = bulkBody(await readJson(request));
      return bulkAnswer(
        items.map((body, index) => {
          const key = isObject(body) ? keyOf(body) : undefined;
          return item(index, key, () => {
            if (!isObject(body) || key === undefined)
              throw badRequest('Each item must be { "id" | "code", "patch": { … } }');
            const row = db.patch(def, key, body.patch, change);
            return { status: 200, id: row.id, data: row };
          });
        }),
      );
    }),
  );

  const itemPath = `${base}/:idOrCode`;
  router.add(
    'GET',
    itemPath,
    api(({ request, def }) => {
      const expand = parseExpand(def, request.url.searchParams.getAll('expand'));
      return jsonResponse(
        200,
        expandRecord(db, def, db.get(def.name, request.params.idOrCode ?? ''), expand),
      );
    }),
  );
  router.add(
    'PUT',
    itemPath,
    api(async ({ request, def, change }) =>
      jsonResponse(
        200,
        db.replace(def, request.params.idOrCode ?? '', await readJson(request), change),
      ),
    ),
  );
  router.add(
    'PATCH',
    itemPath,
    api(async ({ request, def, change }) =>
      jsonResponse(
        200,
        db.patch(def, request.params.idOrCode ?? '', await readJson(request), change),
      ),
    ),
  );
  router.add(
    'DELETE',
    itemPath,
    api(({ request, def, change }) => {
      db.remove(def, request.params.idOrCode ?? '', change);
      return { status: 204 };
    }),
  );

  router.add('POST', '/oauth2/token', async (request) => {
    try {
      const params = await readTokenParams(request);
      const answer = auth.grant(params, basicCredentials(request.header('authorization')));
      return jsonResponse(answer.status, answer.body, {
        'Cache-Control': 'no-store',
        ...answer.headers,
      });
    } catch (error) {
      return errorToResponse(error, request.path, now(), context.onError);
    }
  });

  function listQuery(
    request: SimRequest,
    def: TsmEntityDef,
  ): Pick<ListQuery, 'conditions' | 'sort'> {
    const resolver = entityResolver(db, def);
    const params = request.url.searchParams;
    return {
      conditions: compileFilter(parseFilterParams(params, RESERVED), resolver, now()),
      sort: parseSort(params.getAll('sort'), resolver),
    };
  }

  function logPage(
    request: SimRequest,
    entries: Parameters<typeof executeLogList>[0],
  ): SimResponse {
    const params = request.url.searchParams;
    const { page, size } = pageParams(params);
    const result = executeLogList(entries, {
      conditions: compileFilter(parseFilterParams(params, RESERVED), logResolver, now()),
      sort: parseSort(params.getAll('sort'), logResolver),
      offset: page * size,
      limit: size,
      countTotal: true,
    });
    const total = result.total ?? 0;
    return jsonResponse(200, {
      content: result.rows,
      page,
      size,
      totalElements: total,
      totalPages: Math.ceil(total / size),
    });
  }

  function item(
    index: number,
    key: string | undefined,
    run: () => { status: number; id?: unknown; data?: TsmRecord },
  ): Record<string, unknown> {
    try {
      const result = run();
      return { index, ...(key === undefined ? {} : { idOrCode: key }), ...result };
    } catch (error) {
      if (!(error instanceof TsmError) && !(error instanceof FilterError)) throw error;
      const status = error instanceof TsmError ? error.status : 400;
      const {
        timestamp: _t,
        path: _p,
        ...body
      } = errorBody(
        status,
        error.message,
        '',
        now(),
        error instanceof TsmError ? error.errors : undefined,
      );
      return { index, ...(key === undefined ? {} : { idOrCode: key }), status, error: body };
    }
  }
}

function bulkAnswer(results: Record<string, unknown>[]): SimResponse {
  return jsonResponse(200, results);
}

function keyOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (typeof body.id === 'string') return body.id;
  if (typeof body.code === 'string') return body.code;
  return undefined;
}

function bulkBody(body: unknown): unknown[] {
  if (!Array.isArray(body)) throw badRequest('A bulk request body must be a JSON array');
  if (body.length > MAX_BULK_ITEMS)
    throw badRequest(`A bulk request holds at most ${MAX_BULK_ITEMS} items`);
  return body;
}

function idOrCodes(request: SimRequest): string[] {
  const keys = request.url.searchParams
    .getAll('idOrCodes')
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (keys.length === 0) throw badRequest("Required parameter 'idOrCodes' is missing");
  if (keys.length > MAX_BULK_ITEMS)
    throw badRequest(`A bulk request holds at most ${MAX_BULK_ITEMS} items`);
  return keys;
}

/** Spring Data's lenient paging: bad or negative page → 0, bad size → default, clamp to max. */
function pageParams(params: URLSearchParams): { page: number; size: number } {
  return {
    page: intParam(params, 'page', 0, 0, Number.MAX_SAFE_INTEGER),
    size: intParam(params, 'size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
  };
}

function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(name);
  if (raw === null || !/^-?\d+$/.test(raw.trim())) return fallback;
  const value = Number(raw);
  if (value < min) return name === 'page' ? min : fallback;
  return Math.min(value, max);
}

/**
 * A JSON body (application/json, application/merge-patch+json, any +json, or no type).
 * Empty → 400 "Required request body is missing" (Spring's wording); not JSON → 400;
 * another media type → 415.
 */
async function readJson(request: SimRequest): Promise<unknown> {
  const type = mediaType(request.header('content-type'));
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json'))
    throw new TsmError(415, `Content-Type '${type}' is not supported`);
  const text = (await request.body()).toString('utf8');
  if (text.trim() === '') throw badRequest('Required request body is missing');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(
      `Malformed JSON request: ${error instanceof Error ? error.message : 'parse error'}`,
    );
  }
}

/** Token request parameters: form-encoded (RFC 6749) or, leniently, a JSON object. */
async function readTokenParams(request: SimRequest): Promise<Record<string, string>> {
  const text = (await request.body()).toString('utf8');
  const type = mediaType(request.header('content-type'));
  const out: Record<string, string> = {};
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest('Malformed JSON request');
    }
    if (!isObject(parsed)) throw badRequest('Request body must be a JSON object');
    for (const [key, value] of Object.entries(parsed))
      if (typeof value === 'string') out[key] = value;
    return out;
  }
  for (const [key, value] of Object.entries(parseForm(text)))
    if (typeof value === 'string') out[key] = value;
  return out;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+(\S+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}
