/**
 * The typed tSM Public API v2 client: create, get, put, patch (JSON Merge Patch), delete, bulk,
 * page, search and log of any entity under its module's base path, with the known entities'
 * records parsed by their schemas.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientDeps,
  type HttpMethod,
  type HttpResponse,
  type ResponseHeaders,
  type TokenProvider,
} from '@tidemark/http';
import { silentLogger, type Logger } from '@tidemark/telemetry';
import { createTsmTokenProvider, type TsmTokenProviderDeps } from './auth.js';
import { isTsmApiError, toTsmError, type TsmOperation } from './errors.js';
import {
  expandQueryString,
  idOrCodesQueryString,
  pageQueryString,
  searchQueryString,
  withQuery,
  type TsmPageQuery,
  type TsmSearchQuery,
} from './list-query.js';
import { MERGE_PATCH_CONTENT_TYPE, type MergePatch } from './merge-patch.js';
import {
  readBulk,
  readItems,
  readPage,
  type Read,
  type TsmBulkItem,
  type TsmPage,
} from './responses.js';
import {
  tsmEntitySchemas,
  tsmLogEntrySchema,
  tsmRecordSchema,
  type KnownTsmEntity,
  type TsmLogEntry,
  type TsmRecord,
} from './schemas.js';
import {
  DEFAULT_TSM_MODULES,
  resolveTsmClientSettings,
  tsmOrigin,
  type TsmClientSettings,
} from './settings.js';

/** What create and put send: the record's fields; `id`, `code` and `auditInfo` optional. */
export type TsmWrite<R extends TsmRecord> = Partial<R> & Record<string, unknown>;

/** A record as the server sent it, before any schema: any JSON object. */
export type TsmRawRecord = Record<string, unknown>;

const rawRecordSchema: z.ZodType<TsmRawRecord> = z.record(z.string(), z.unknown());

/** One item of a bulk PATCH: the record's id or code and its merge patch. */
export type TsmBulkPatch =
  | { id: string; code?: undefined; patch: MergePatch }
  | { code: string; id?: undefined; patch: MergePatch };

interface Signalled {
  signal?: AbortSignal;
}

export interface TsmGetOptions extends Signalled {
  /** Relations to inline (`ROLES`, `GROUPS`, `REGISTER`, …). */
  expand?: readonly string[];
}

export interface TsmCreateOptions extends Signalled {
  /**
   * The new record's id. Default: `values.id`, else a random UUID when `createIds` is
   * `client`. With an id the request is retried after a timeout, and a 409 for an id that
   * then reads back means the record exists: the result says `created: false`.
   */
  id?: string;
}

export interface TsmCreateResult<R> {
  record: R;
  /** False when the record already existed under the id (a retried or replayed create). */
  created: boolean;
  /** `Location` of the new record, when sent. */
  location: string | undefined;
}

export interface TsmUpdateOptions extends Signalled {
  /**
   * Optimistic locking: sent as `auditInfo.version`; the server answers 409 when the record
   * is at another version (a TsmApiError with `conflict: 'version'`). An update carrying a
   * version is not retried once it may have reached the server.
   */
  version?: number;
}

export interface TsmDeleteOptions extends Signalled {
  /** Resolve `'missing'` instead of throwing HTTP_NOT_FOUND (e.g. a replayed delete). */
  missingOk?: boolean;
}

export interface TsmPagesOptions extends Signalled {
  /** Items per request. Default: `query.size`, else 100. */
  pageSize?: number;
}

export interface TsmLogQuery extends TsmPageQuery {
  /** One record's trail (`/{entity}/{idOrCode}/log`); absent: the entity's (`/{entity}/log`). */
  idOrCode?: string;
}

/** The operations on one entity. */
export interface TsmEntityClient<R extends TsmRecord> {
  /** The entity's name in URLs (`customers`, `register-values`). */
  readonly entity: string;
  /** The module's base path (`/tsm-customer/api/v2`). */
  readonly basePath: string;
  /** `POST /{entity}`; idempotent with an id (see `TsmCreateOptions.id`). */
  create(values: TsmWrite<R>, options?: TsmCreateOptions): Promise<TsmCreateResult<R>>;
  /** `GET /{entity}/{idOrCode}`; 404 → HTTP_NOT_FOUND. */
  get(idOrCode: string, options?: TsmGetOptions): Promise<R>;
  /** Like `get`, but `undefined` on 404. */
  find(idOrCode: string, options?: TsmGetOptions): Promise<R | undefined>;
  /** `PUT /{entity}/{idOrCode}`: full update. A `version` (or the body's `auditInfo.version`) locks. */
  put(idOrCode: string, record: TsmWrite<R>, options?: TsmUpdateOptions): Promise<R>;
  /** `PATCH /{entity}/{idOrCode}` with a JSON Merge Patch (`application/merge-patch+json`). */
  patch(idOrCode: string, patch: MergePatch, options?: TsmUpdateOptions): Promise<R>;
  /** `DELETE /{entity}/{idOrCode}`. */
  delete(idOrCode: string, options?: TsmDeleteOptions): Promise<'deleted' | 'missing'>;
  /** `GET /{entity}/bulk?idOrCodes=…`: one result per key, missing ones as failed items. */
  bulkGet(idOrCodes: readonly string[], options?: TsmGetOptions): Promise<TsmBulkItem<R>[]>;
  /** `POST /{entity}/bulk`: one result per new record (ids assigned as by `create`). */
  bulkCreate(items: readonly TsmWrite<R>[], options?: Signalled): Promise<TsmBulkItem<R>[]>;
  /** `PUT /{entity}/bulk`: full records, each with its id or code. */
  bulkPut(items: readonly TsmWrite<R>[], options?: Signalled): Promise<TsmBulkItem<R>[]>;
  /** `PATCH /{entity}/bulk`: `[{ id | code, patch }]`. */
  bulkPatch(items: readonly TsmBulkPatch[], options?: Signalled): Promise<TsmBulkItem<R>[]>;
  /** `DELETE /{entity}/bulk?idOrCodes=…`. */
  bulkDelete(idOrCodes: readonly string[], options?: Signalled): Promise<TsmBulkItem<R>[]>;
  /** `GET /{entity}/page`: one page with totals. */
  page(query?: TsmPageQuery, options?: Signalled): Promise<TsmPage<R>>;
  /**
   * `GET /{entity}/page` with every item kept as the JSON object the server sent, unchecked
   * against the record schema: for a reader that validates records one by one (a poller
   * dead-letters a malformed record instead of failing the page that holds it).
   */
  pageRaw(query?: TsmPageQuery, options?: Signalled): Promise<TsmPage<TsmRawRecord>>;
  /** `GET /{entity}/search`: at most `size` items, no totals. */
  search(query?: TsmSearchQuery, options?: Signalled): Promise<R[]>;
  /** Every page from `query.page` (default 0) on; stops at the last page or a short one. */
  pages(query?: TsmPageQuery, options?: TsmPagesOptions): AsyncIterableIterator<TsmPage<R>>;
  /** Every item of `pages`, one at a time. */
  items(query?: TsmPageQuery, options?: TsmPagesOptions): AsyncIterableIterator<R>;
  /** `GET /{entity}/log` or `/{entity}/{idOrCode}/log`: the change trail, one page. */
  log(query?: TsmLogQuery, options?: Signalled): Promise<TsmPage<TsmLogEntry>>;
}

export interface TsmEntityOptions<R extends TsmRecord> {
  /** Record schema; default: the known entity's, else id/code/auditInfo with the rest kept. */
  schema?: z.ZodType<R>;
  /** Module base path; default: `settings.modules`, then `DEFAULT_TSM_MODULES`. */
  basePath?: string;
}

export type TsmKnownRecord<E extends KnownTsmEntity> = z.output<(typeof tsmEntitySchemas)[E]>;

export interface TsmClient {
  readonly customers: TsmEntityClient<TsmKnownRecord<'customers'>>;
  readonly tickets: TsmEntityClient<TsmKnownRecord<'tickets'>>;
  readonly users: TsmEntityClient<TsmKnownRecord<'users'>>;
  readonly registerValues: TsmEntityClient<TsmKnownRecord<'register-values'>>;
  readonly entityCatalogs: TsmEntityClient<TsmKnownRecord<'entity-catalogs'>>;
  /** Any entity; INPUT_INVALID when its module base path is unknown. */
  entity<E extends KnownTsmEntity>(name: E): TsmEntityClient<TsmKnownRecord<E>>;
  entity<R extends TsmRecord = TsmRecord>(
    name: string,
    options?: TsmEntityOptions<R>,
  ): TsmEntityClient<R>;
  /** Closes the connections of the API and of the token endpoint. Idempotent. */
  close(): Promise<void>;
}

export interface TsmClientDeps extends TsmTokenProviderDeps {
  /** A token provider shared with other clients; default: one made from `settings.auth`. */
  tokenProvider?: TokenProvider;
  logger?: Logger;
  /** Passed to the API's HTTP client (dispatcher, tracer, sleep, random). */
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

const ENTITY = /^[a-z][a-z0-9-]*$/;
const DEFAULT_PAGES_SIZE = 100;

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function invalidBody(op: TsmOperation, status: number, reason: string, error?: z.ZodError) {
  return new TidemarkError(
    'HTTP_RESPONSE_INVALID',
    `tSM ${op.operation} ${op.entity ?? ''}: ${reason}`,
    {
      retryable: false,
      details: {
        ...op,
        status,
        reason,
        // Path, code and message only: the issues' input would be the record.
        ...(error === undefined
          ? {}
          : {
              issues: error.issues.slice(0, 20).map((issue) => ({
                path: issue.path.map(String).join('.'),
                code: issue.code,
                message: issue.message,
              })),
            }),
      },
    },
  );
}

function checkKey(entity: string, idOrCode: string): string {
  if (idOrCode.trim() === '' || idOrCode.includes('/'))
    throw new TidemarkError('INPUT_INVALID', `tSM ${entity}: not an id or code`, {
      details: { entity },
    });
  return encodeURIComponent(idOrCode);
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body's `auditInfo.version`, when it carries one. */
function bodyVersion(body: Record<string, unknown>): number | undefined {
  const audit = body['auditInfo'];
  const version = isRecordObject(audit) ? audit['version'] : undefined;
  return typeof version === 'number' ? version : undefined;
}

function withVersion(
  body: Readonly<Record<string, unknown>>,
  version: number | undefined,
): Record<string, unknown> {
  if (version === undefined) return { ...body };
  const audit = isRecordObject(body['auditInfo']) ? body['auditInfo'] : {};
  return { ...body, auditInfo: { ...audit, version } };
}

/**
 * Creates a client for one tSM server. Settings are validated (CONFIG_INVALID lists every
 * problem). Retries, timeouts, concurrency and tracing headers come from `@tidemark/http`
 * (`settings.http`); every failure is a TidemarkError whose code says what happened — a
 * `TsmApiError` when the server answered, carrying its error body.
 */
export function createTsmClient(settings: TsmClientSettings, deps: TsmClientDeps = {}): TsmClient {
  const resolved = resolveTsmClientSettings(settings);
  const origin = tsmOrigin(resolved.baseUrl);
  const modules: Record<string, string> = { ...DEFAULT_TSM_MODULES, ...resolved.modules };
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };
  const { auth } = resolved;
  const ownTokens =
    deps.tokenProvider === undefined && auth.mode !== 'apiKey'
      ? createTsmTokenProvider(
          {
            baseUrl: origin,
            auth,
            refreshBeforeMs: resolved.refreshBeforeMs,
            ...(resolved.http === undefined ? {} : { http: resolved.http }),
          },
          deps,
        )
      : undefined;
  const tokenProvider = deps.tokenProvider ?? ownTokens;
  const apiKeyHeaders =
    auth.mode === 'apiKey' ? { [auth.header]: `${auth.prefix}${auth.apiKey.reveal()}` } : {};
  const http: HttpClient = createHttpClient(
    {
      ...resolved.http,
      baseUrl: origin,
      defaultHeaders: { ...resolved.http?.defaultHeaders, ...apiKeyHeaders },
    },
    {
      ...deps.http,
      ...(tokenProvider === undefined ? {} : { tokenProvider }),
      logger,
      now: () => clock.now(),
    },
  );

  async function call(
    op: TsmOperation,
    options: {
      method: HttpMethod;
      path: string;
      body?: unknown;
      mergePatch?: unknown;
      expect?: readonly number[];
      idempotent?: boolean;
      signal?: AbortSignal | undefined;
    },
  ): Promise<HttpResponse<unknown>> {
    try {
      return await http.request({
        method: options.method,
        path: options.path,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.mergePatch === undefined
          ? {}
          : {
              rawBody: JSON.stringify(options.mergePatch),
              headers: { 'content-type': MERGE_PATCH_CONTENT_TYPE },
            }),
        ...(options.expect === undefined ? {} : { expect: options.expect }),
        ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error: unknown) {
      throw toTsmError(error, op);
    }
  }

  function read<T>(result: Read<T>, op: TsmOperation, status: number): T {
    if (result.ok) return result.value;
    throw invalidBody(op, status, result.failure.reason, result.failure.error);
  }

  function parseRecord<R>(
    schema: z.ZodType<R>,
    value: unknown,
    op: TsmOperation,
    status: number,
  ): R {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw invalidBody(op, status, 'the record does not match the schema', parsed.error);
    return parsed.data;
  }

  function entityClient<R extends TsmRecord>(
    entity: string,
    options: TsmEntityOptions<R> = {},
  ): TsmEntityClient<R> {
    if (!ENTITY.test(entity))
      throw new TidemarkError('INPUT_INVALID', `not a tSM entity name: ${JSON.stringify(entity)}`);
    const basePath = (options.basePath ?? modules[entity])?.replace(/\/+$/, '');
    if (basePath === undefined)
      throw new TidemarkError(
        'INPUT_INVALID',
        `tSM ${entity}: no module base path (set settings.modules["${entity}"])`,
        { details: { entity } },
      );
    const schema: z.ZodType<R> =
      options.schema ??
      ((tsmEntitySchemas as Record<string, z.ZodType>)[entity] as z.ZodType<R> | undefined) ??
      (tsmRecordSchema as unknown as z.ZodType<R>);
    const root = `${basePath}/${entity}`;
    const itemPath = (idOrCode: string) => `${root}/${checkKey(entity, idOrCode)}`;

    async function get(idOrCode: string, opts: TsmGetOptions = {}): Promise<R> {
      const op = { operation: 'get', entity, idOrCode };
      const answer = await call(op, {
        method: 'GET',
        path: withQuery(itemPath(idOrCode), expandQueryString(opts.expand)),
        signal: opts.signal,
      });
      return parseRecord(schema, answer.body, op, answer.status);
    }

    async function find(idOrCode: string, opts: TsmGetOptions = {}): Promise<R | undefined> {
      try {
        return await get(idOrCode, opts);
      } catch (error: unknown) {
        if (isTidemarkError(error) && error.code === 'HTTP_NOT_FOUND') return undefined;
        throw error;
      }
    }

    async function create(
      values: TsmWrite<R>,
      opts: TsmCreateOptions = {},
    ): Promise<TsmCreateResult<R>> {
      const given = opts.id ?? (typeof values['id'] === 'string' ? values['id'] : undefined);
      const id = given ?? (resolved.createIds === 'client' ? randomUUID() : undefined);
      const op = { operation: 'create', entity, ...(id === undefined ? {} : { idOrCode: id }) };
      const body = id === undefined ? { ...values } : { ...values, id };
      let answer: HttpResponse<unknown>;
      try {
        answer = await call(op, {
          method: 'POST',
          path: root,
          body,
          expect: [200, 201],
          // With an id a repeat cannot create a second record: it gets 409 and is read back.
          idempotent: id !== undefined,
          signal: opts.signal,
        });
      } catch (error: unknown) {
        if (id === undefined || !isTsmApiError(error) || error.code !== 'HTTP_CONFLICT')
          throw error;
        // Our id is taken: if it reads back, an earlier attempt (or run) created it.
        const existing = await find(id, { ...(opts.signal ? { signal: opts.signal } : {}) });
        if (existing === undefined || existing.id.toLowerCase() !== id.toLowerCase()) throw error;
        logger.info('tSM create found the record already created', { entity, id });
        return { record: existing, created: false, location: undefined };
      }
      const location = header(answer.headers, 'location');
      // Tolerate a 201 without a body: read the record back when its id is known.
      if ((answer.body === undefined || answer.body === '') && id !== undefined)
        return { record: await get(id, opts), created: true, location };
      return {
        record: parseRecord(schema, answer.body, op, answer.status),
        created: true,
        location,
      };
    }

    async function put(
      idOrCode: string,
      record: TsmWrite<R>,
      opts: TsmUpdateOptions = {},
    ): Promise<R> {
      const body = withVersion(record, opts.version);
      const sentVersion = bodyVersion(body) !== undefined;
      const op = { operation: 'put', entity, idOrCode, sentVersion };
      const answer = await call(op, {
        method: 'PUT',
        path: itemPath(idOrCode),
        body,
        // A versioned write repeated after it landed would report a false conflict.
        idempotent: !sentVersion,
        signal: opts.signal,
      });
      return parseRecord(schema, answer.body, op, answer.status);
    }

    async function patch(
      idOrCode: string,
      changes: MergePatch,
      opts: TsmUpdateOptions = {},
    ): Promise<R> {
      const body = withVersion(changes, opts.version);
      const sentVersion = bodyVersion(body) !== undefined;
      const op = { operation: 'patch', entity, idOrCode, sentVersion };
      const answer = await call(op, {
        method: 'PATCH',
        path: itemPath(idOrCode),
        mergePatch: body,
        // A merge patch applied twice gives the same record (RFC 7396), unless versioned.
        idempotent: !sentVersion,
        signal: opts.signal,
      });
      return parseRecord(schema, answer.body, op, answer.status);
    }

    async function remove(
      idOrCode: string,
      opts: TsmDeleteOptions = {},
    ): Promise<'deleted' | 'missing'> {
      const op = { operation: 'delete', entity, idOrCode };
      const answer = await call(op, {
        method: 'DELETE',
        path: itemPath(idOrCode),
        expect: opts.missingOk === true ? [200, 202, 204, 404] : [200, 202, 204],
        signal: opts.signal,
      });
      return answer.status === 404 ? 'missing' : 'deleted';
    }

    async function bulk(
      operation: string,
      method: HttpMethod,
      path: string,
      requested: readonly (string | undefined)[],
      body: unknown,
      signal: AbortSignal | undefined,
      idempotent?: boolean,
    ): Promise<TsmBulkItem<R>[]> {
      const op = { operation, entity };
      const answer = await call(op, {
        method,
        path,
        ...(body === undefined ? {} : { body }),
        ...(idempotent === undefined ? {} : { idempotent }),
        signal,
      });
      return read(readBulk(answer.body, schema, requested), op, answer.status);
    }

    function keyOf(item: Readonly<Record<string, unknown>>): string | undefined {
      const id = item['id'];
      const code = item['code'];
      return typeof id === 'string' ? id : typeof code === 'string' ? code : undefined;
    }

    async function pageWith<T>(
      itemSchema: z.ZodType<T>,
      query: TsmPageQuery,
      opts: Signalled,
    ): Promise<TsmPage<T>> {
      const op = { operation: 'page', entity };
      const answer = await call(op, {
        method: 'GET',
        path: withQuery(`${root}/page`, pageQueryString(query)),
        signal: opts.signal,
      });
      return read(
        readPage(answer.body, itemSchema, { page: query.page ?? 0, size: query.size }),
        op,
        answer.status,
      );
    }

    const page = (query: TsmPageQuery = {}, opts: Signalled = {}) => pageWith(schema, query, opts);

    async function* pages(
      query: TsmPageQuery = {},
      opts: TsmPagesOptions = {},
    ): AsyncIterableIterator<TsmPage<R>> {
      const size = opts.pageSize ?? query.size ?? DEFAULT_PAGES_SIZE;
      let number = query.page ?? 0;
      for (;;) {
        const current = await page({ ...query, page: number, size }, opts);
        if (current.content.length > 0) yield current;
        if (current.content.length === 0) return;
        if (current.totalPages !== undefined && number + 1 >= current.totalPages) return;
        // Without totals, a page shorter than the size the server applied is the last.
        if (current.totalPages === undefined && current.content.length < current.size) return;
        number += 1;
      }
    }

    return {
      entity,
      basePath,
      create,
      get,
      find,
      put,
      patch,
      delete: remove,
      bulkGet: (idOrCodes, opts = {}) =>
        bulk(
          'bulk get',
          'GET',
          withQuery(`${root}/bulk`, idOrCodesQueryString(idOrCodes, opts.expand)),
          idOrCodes,
          undefined,
          opts.signal,
        ),
      bulkCreate: (items, opts = {}) => {
        const bodies = items.map((item) => {
          const given = typeof item['id'] === 'string' ? item['id'] : undefined;
          const id = given ?? (resolved.createIds === 'client' ? randomUUID() : undefined);
          return id === undefined ? { ...item } : { ...item, id };
        });
        return bulk('bulk create', 'POST', `${root}/bulk`, bodies.map(keyOf), bodies, opts.signal);
      },
      bulkPut: (items, opts = {}) =>
        bulk(
          'bulk put',
          'PUT',
          `${root}/bulk`,
          items.map(keyOf),
          items,
          opts.signal,
          // Versioned items repeated after they landed would report false conflicts.
          !items.some((item) => bodyVersion(item) !== undefined),
        ),
      bulkPatch: (items, opts = {}) =>
        bulk(
          'bulk patch',
          'PATCH',
          `${root}/bulk`,
          items.map((item) => item.id ?? item.code),
          items,
          opts.signal,
        ),
      bulkDelete: (idOrCodes, opts = {}) =>
        bulk(
          'bulk delete',
          'DELETE',
          withQuery(`${root}/bulk`, idOrCodesQueryString(idOrCodes)),
          idOrCodes,
          undefined,
          opts.signal,
        ),
      page,
      pageRaw: (query = {}, opts = {}) => pageWith(rawRecordSchema, query, opts),
      async search(query = {}, opts = {}) {
        const op = { operation: 'search', entity };
        const answer = await call(op, {
          method: 'GET',
          path: withQuery(`${root}/search`, searchQueryString(query)),
          signal: opts.signal,
        });
        return read(readItems(answer.body, schema), op, answer.status);
      },
      pages,
      async *items(query = {}, opts = {}) {
        for await (const current of pages(query, opts)) yield* current.content;
      },
      async log(query = {}, opts = {}) {
        const { idOrCode, ...rest } = query;
        const op = {
          operation: 'log',
          entity,
          ...(idOrCode === undefined ? {} : { idOrCode }),
        };
        const path = idOrCode === undefined ? `${root}/log` : `${itemPath(idOrCode)}/log`;
        const answer = await call(op, {
          method: 'GET',
          path: withQuery(path, pageQueryString(rest)),
          signal: opts.signal,
        });
        return read(
          readPage(answer.body, tsmLogEntrySchema, { page: rest.page ?? 0, size: rest.size }),
          op,
          answer.status,
        );
      },
    };
  }

  const client: TsmClient = {
    customers: entityClient<TsmKnownRecord<'customers'>>('customers'),
    tickets: entityClient<TsmKnownRecord<'tickets'>>('tickets'),
    users: entityClient<TsmKnownRecord<'users'>>('users'),
    registerValues: entityClient<TsmKnownRecord<'register-values'>>('register-values'),
    entityCatalogs: entityClient<TsmKnownRecord<'entity-catalogs'>>('entity-catalogs'),
    entity: entityClient,
    async close() {
      await Promise.all([http.close(), ownTokens?.close()]);
    },
  };
  return client;
}
