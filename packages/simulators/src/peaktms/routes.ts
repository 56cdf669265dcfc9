import { z } from 'zod';
import { mediaType } from '../core/body.js';
import {
  HttpError,
  jsonResponse,
  type Router,
  type SimRequest,
  type SimResponse,
} from '../core/router.js';
import { isUuid } from './attributes.js';
import type { PeakAuth, PeakTokenPayload } from './auth.js';
import { SESSION_TOKEN_TTL_SECONDS } from './auth.js';
import { objectKinds, type ObjectKind } from './catalogue.js';
import type { PeakChangeContext, PeakDb } from './db.js';
import { PeakError, badRequest, conflict, errorResponse, notFound } from './errors.js';
import type { MaintenanceWindows } from './maintenance.js';
import { executeQuery, parseQueryBody, readHistory, MAX_PAGE_SIZE } from './query.js';
import { formatZoned, parseZoned } from './zoned.js';

/** Every API path starts here (the vendor's playground serves /tms_rest/swagger.html). */
export const API_PREFIX = '/tms_rest';
export const DEFAULT_HISTORY_PAGE_SIZE = 100;

export interface PeakRouteContext {
  db: PeakDb;
  auth: PeakAuth;
  maintenance: MaintenanceWindows;
  now: () => number;
  onError?: ((error: unknown) => void) | undefined;
}

interface Call {
  request: SimRequest;
  token: PeakTokenPayload | undefined;
  change: PeakChangeContext;
}

/** Anything a handler threw, as the error body. */
export function errorToResponse(
  error: unknown,
  path: string,
  timestamp: string,
  onError?: (error: unknown) => void,
): SimResponse {
  if (error instanceof PeakError)
    return errorResponse(error.status, error.message, path, timestamp, {
      ...(error.details === undefined ? {} : { details: error.details }),
      headers: error.headers,
    });
  if (error instanceof HttpError)
    return errorResponse(error.status, error.text, path, timestamp, { headers: error.headers });
  onError?.(error);
  return errorResponse(500, 'Internal server error', path, timestamp);
}

/** 503 with Retry-After while a maintenance window runs; checked before anything else. */
export function maintenanceGuard(maintenance: MaintenanceWindows): void {
  const wait = maintenance.retryAfterSeconds();
  if (wait !== null)
    throw new PeakError(503, 'PeakTMS is in a maintenance window', undefined, {
      'Retry-After': String(wait),
    });
}

async function readJson(request: SimRequest, optional = false): Promise<unknown> {
  const type = mediaType(request.header('content-type'));
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json'))
    throw new PeakError(415, `Content type '${type}' not supported`);
  const body = await request.body();
  if (body.length === 0) {
    if (optional) return {};
    throw badRequest('Required request body is missing');
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw badRequest('JSON parse error');
  }
}

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`);
  return Math.min(n, max);
}

function instantParam(
  params: URLSearchParams,
  name: string,
  required: boolean,
): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (required) throw badRequest(`${name} is required`);
    return undefined;
  }
  const ms = parseZoned(raw);
  if (ms === null) throw badRequest(`${name} must be a zoned date-time`);
  return ms;
}

const loginSchema = z.object({
  user: z.string().optional(),
  username: z.string().optional(),
  password: z.string(),
});

const valueListSchema = z
  .object({ name: z.string().min(1).max(255), values: z.array(z.string().min(1)).max(10_000) })
  .strict();

/** The PeakTMS REST API under /tms_rest. */
export function peaktmsRoutes(router: Router, context: PeakRouteContext): void {
  const { db, auth, maintenance } = context;
  const p = (path: string) => `${API_PREFIX}${path}`;

  const api =
    (handler: (call: Call) => SimResponse | Promise<SimResponse>, authenticated = true) =>
    async (request: SimRequest): Promise<SimResponse> => {
      try {
        maintenanceGuard(maintenance);
        const token = authenticated
          ? auth.authenticate(request.header('authorization')).payload
          : undefined;
        return await handler({
          request,
          token,
          change: { user: token?.user ?? 'anonymous', source: 'api' },
        });
      } catch (error) {
        return errorToResponse(error, request.path, db.now(), context.onError);
      }
    };

  router.add(
    'POST',
    p('/login'),
    api(async ({ request }) => {
      const parsed = loginSchema.safeParse(await readJson(request));
      const user = parsed.success ? (parsed.data.user ?? parsed.data.username) : undefined;
      if (!parsed.success || user === undefined) throw badRequest('user and password are required');
      const entry = auth.login(user, parsed.data.password);
      return jsonResponse(200, {
        token: entry.token,
        tokenType: 'Bearer',
        expiresIn: SESSION_TOKEN_TTL_SECONDS,
        expiresAt: formatZoned(entry.expiresAtMs ?? 0, db.zone),
        user,
      });
    }, false),
  );
  router.add(
    'POST',
    p('/logout'),
    api(({ request }) => {
      const token = /^Bearer\s+(\S+)/i.exec(request.header('authorization') ?? '')?.[1];
      if (token !== undefined) auth.tokens.revoke(token);
      return { status: 204 };
    }),
  );

  for (const kind of objectKinds) registerKind(kind);

  function registerKind(kind: ObjectKind) {
    const base = p(`/${kind}`);
    router.add(
      'POST',
      `${base}/query`,
      api(async ({ request }) => {
        const query = parseQueryBody(await readJson(request, true));
        return jsonResponse(
          200,
          executeQuery(db.store(kind).values(), db.typesOf(kind), kind, query),
        );
      }),
    );
    router.add(
      'GET',
      `${base}/historylog`,
      api(({ request }) => {
        const params = request.url.searchParams;
        const typeName = params.get('type');
        let logged = db.typesOf(kind).filter((type) => type.historyLog);
        if (typeName !== null) {
          const type = db.typeDef(kind, typeName);
          if (type === undefined) throw notFound(`unknown ${kind} type '${typeName}'`);
          if (!type.historyLog) throw conflict(`history log is not enabled for type '${typeName}'`);
          logged = [type];
        } else if (logged.length === 0) {
          throw conflict(`history log is not enabled for any ${kind} type`);
        }
        const objectId = params.get('objectId') ?? undefined;
        if (objectId !== undefined && !isUuid(objectId))
          throw badRequest('objectId must be a UUID');
        return jsonResponse(
          200,
          readHistory(db.historyOf(kind), {
            sinceEntryId: intParam(params, 'sinceEntryId', 0, Number.MAX_SAFE_INTEGER),
            sinceMs: instantParam(params, 'since', false),
            types: new Set(logged.map((type) => type.name)),
            objectId: objectId?.toLowerCase(),
            pageSize: Math.max(
              1,
              intParam(params, 'pageSize', DEFAULT_HISTORY_PAGE_SIZE, MAX_PAGE_SIZE),
            ),
          }),
        );
      }),
    );
    router.add(
      'POST',
      base,
      api(async ({ request, change }) => {
        const row = db.create(kind, await readJson(request), change);
        return jsonResponse(201, row, { Location: `${base}/${String(row.id)}` });
      }),
    );
    router.add(
      'GET',
      `${base}/:id`,
      api(({ request }) => jsonResponse(200, db.get(kind, request.params.id ?? ''))),
    );
    for (const method of ['PUT', 'PATCH'] as const) {
      router.add(
        method,
        `${base}/:id`,
        api(async ({ request, change }) => {
          const id = request.params.id ?? '';
          db.get(kind, id); // 404 before reading the body
          const mode = method === 'PUT' ? 'put' : 'patch';
          return jsonResponse(200, db.update(kind, id, await readJson(request), mode, change));
        }),
      );
    }
    router.add(
      'DELETE',
      `${base}/:id`,
      api(({ request, change }) => {
        db.remove(kind, request.params.id ?? '', change);
        return { status: 204 };
      }),
    );
  }

  router.add(
    'GET',
    p('/resourceavailability'),
    api(({ request }) => {
      const params = request.url.searchParams;
      const resourceId = params.get('resourceId') ?? '';
      if (!isUuid(resourceId)) throw badRequest('resourceId must be a UUID');
      const resource = db.get('resources', resourceId);
      const from = instantParam(params, 'from', true) as number;
      const to = instantParam(params, 'to', true) as number;
      if (to <= from) throw badRequest('to must be after from');
      const busy = db.assignments(resource.id as string, from, to);
      return jsonResponse(200, {
        resourceId: resource.id,
        from: formatZoned(from, db.zone),
        to: formatZoned(to, db.zone),
        available: busy.length === 0,
        assignments: busy.map((row) => ({
          activityId: row.id,
          name: row.name,
          begin: row.begin,
          end: row.end,
        })),
      });
    }),
  );

  router.add(
    'GET',
    p('/files/:filesId'),
    api(({ request }) => jsonResponse(200, db.container(request.params.filesId ?? ''))),
  );
  router.add(
    'POST',
    p('/files'),
    api(async ({ request, change }) => {
      const params = request.url.searchParams;
      const objectId = params.get('objectId');
      const attribute = params.get('attribute');
      const fileName = params.get('fileName') ?? request.header('x-file-name');
      if (
        objectId === null ||
        attribute === null ||
        fileName === undefined ||
        fileName === null ||
        fileName === ''
      )
        throw badRequest('objectId, attribute and fileName are required');
      const content = await request.body();
      const contentType = mediaType(request.header('content-type')) || 'application/octet-stream';
      const file = db.upload(objectId, attribute, { name: fileName, contentType, content }, change);
      const { content: bytes, ...description } = file;
      void bytes;
      return jsonResponse(201, description, { Location: p(`/filecontent/${file.fileId}`) });
    }),
  );
  router.add(
    'GET',
    p('/filecontent/:fileId'),
    api(({ request }) => {
      const { content, ...description } = db.file(request.params.fileId ?? '');
      void content;
      return jsonResponse(200, description);
    }),
  );
  router.add(
    'GET',
    p('/filecontent/:fileId/content'),
    api(({ request }) => {
      const file = db.file(request.params.fileId ?? '');
      return {
        status: 200,
        headers: {
          'Content-Type': file.contentType,
          'Content-Disposition': `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`,
        },
        body: file.content,
      };
    }),
  );
  router.add(
    'DELETE',
    p('/filecontent/:fileId'),
    api(({ request, change }) => {
      db.deleteFile(request.params.fileId ?? '', change);
      return { status: 204 };
    }),
  );

  const valueListOut = (name: string) => ({ name, values: db.valueLists.get(name) ?? [] });
  router.add(
    'GET',
    p('/valuelists'),
    api(() => jsonResponse(200, [...db.valueLists.keys()].map(valueListOut))),
  );
  router.add(
    'GET',
    p('/valuelists/:name'),
    api(({ request }) => {
      const name = request.params.name ?? '';
      if (!db.valueLists.has(name)) throw notFound(`value list '${name}' not found`);
      return jsonResponse(200, valueListOut(name));
    }),
  );
  router.add(
    'POST',
    p('/valuelists'),
    api(async ({ request }) => {
      const parsed = valueListSchema.safeParse(await readJson(request));
      if (!parsed.success) throw badRequest(`Invalid value list: ${z.prettifyError(parsed.error)}`);
      if (db.valueLists.has(parsed.data.name))
        throw conflict(`value list '${parsed.data.name}' already exists`);
      db.valueLists.set(parsed.data.name, [...new Set(parsed.data.values)]);
      return jsonResponse(201, valueListOut(parsed.data.name), {
        Location: p(`/valuelists/${encodeURIComponent(parsed.data.name)}`),
      });
    }),
  );
  router.add(
    'PUT',
    p('/valuelists/:name'),
    api(async ({ request }) => {
      const name = request.params.name ?? '';
      if (!db.valueLists.has(name)) throw notFound(`value list '${name}' not found`);
      const body = await readJson(request);
      const parsed = valueListSchema.safeParse({ name, ...(body as object) });
      if (!parsed.success || parsed.data.name !== name)
        throw badRequest(
          `Invalid value list: ${parsed.success ? 'name differs from the path' : z.prettifyError(parsed.error)}`,
        );
      db.valueLists.set(name, [...new Set(parsed.data.values)]);
      return jsonResponse(200, valueListOut(name));
    }),
  );

  router.add(
    'GET',
    p('/users'),
    api(() => jsonResponse(200, db.users)),
  );
  router.add(
    'GET',
    p('/users/:loginName'),
    api(({ request }) => {
      const user = db.users.find((u) => u.loginName === request.params.loginName);
      if (user === undefined) throw notFound(`user '${request.params.loginName ?? ''}' not found`);
      return jsonResponse(200, user);
    }),
  );

  router.add(
    'GET',
    p('/maintenancewindows'),
    api(() => jsonResponse(200, maintenance.upcoming())),
  );
}
