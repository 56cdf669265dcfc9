/**
 * The typed ZeyOS REST API v1 client: list, count, get, exists, create, update, delete of any
 * entity, with the records of the known entities parsed by their generated schemas.
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientDeps,
  type ResponseHeaders,
  type TokenProvider,
} from '@tidemark/http';
import { silentLogger, type Logger } from '@tidemark/telemetry';
import { createZeyosTokenProvider, type ZeyosTokenProviderDeps } from './auth.js';
import { toZeyosError, type ZeyosOperation } from './errors.js';
import { zeyosEntitySchemas } from './generated/entities.js';
import {
  DEFAULT_LIMIT,
  buildCountBody,
  buildListBody,
  type FieldSelection,
  type ListQuery,
} from './list-query.js';
import { resolveZeyosClientSettings, zeyosUrls, type ZeyosClientSettings } from './settings.js';

/** Entities with a generated schema. */
export type KnownZeyosEntity = keyof typeof zeyosEntitySchemas;

/** A record of any entity: an object; unknown fields kept. */
export const zeyosRowSchema = z.looseObject({});
export type ZeyosRow = z.output<typeof zeyosRowSchema>;

/** The record type of `E`: its generated schema's output, else a plain row. */
export type ZeyosRecord<E extends string> = E extends KnownZeyosEntity
  ? z.output<(typeof zeyosEntitySchemas)[E]>
  : ZeyosRow & { ID: number };

/** A list row with a field selection: any documented field may be missing, aliases are extra. */
export type ZeyosSelectedRow<E extends string> = Partial<ZeyosRecord<E>> & ZeyosRow;

/** What create and update send: the entity's fields plus `extdata` and tag edits. */
export type ZeyosWrite<E extends string> = Partial<Omit<ZeyosRecord<E>, 'ID'>> & {
  /** Extension data; `null` removes a value. */
  extdata?: Record<string, unknown>;
  /** Replace all tags. */
  tags?: readonly string[];
  '+tags'?: readonly string[];
  '-tags'?: readonly string[];
} & Record<string, unknown>;

/** Entity names: lower-case letters, digits and `2` joins (`contacts2contacts`). */
const entityPattern = /^[a-z][a-z0-9]*$/;

export interface GetOptions {
  /** `If-None-Match`: an ETag from an earlier answer; a match gives `{ status: 'not-modified' }`. */
  ifNoneMatch?: string;
  /** Add the pseudo field `extdata` (`?extdata=1`). */
  extdata?: boolean;
  /** Add the pseudo field `tags` (`?tags=1`). */
  tags?: boolean;
  /** Composite fields to load in full. */
  expand?: readonly string[];
  signal?: AbortSignal;
}

/** Validators of a record as the server sent them. */
export interface RecordMeta {
  /** `ETag`, quotes included, as the server sent it. */
  etag: string | undefined;
  /** `Last-Modified` as Unix seconds (ZeyOS's unit for dates). */
  lastModified: number | undefined;
}

export type GetResult<R> =
  ({ status: 'ok'; record: R } & RecordMeta) | { status: 'not-modified'; etag: string | undefined };

export interface WriteOptions {
  /** `If-Match`: the write fails with HTTP_PRECONDITION_FAILED if the record changed since. */
  ifMatch?: string;
  /** `If-Unmodified-Since`, Unix seconds. */
  ifUnmodifiedSince?: number;
  signal?: AbortSignal;
}

export interface CreateResult<R> extends RecordMeta {
  id: number;
  record: R;
  /** `Content-Location` (`/{INSTANCE}/api/v1/{entity}/{ID}`), when sent. */
  location: string | undefined;
}

export interface UpdateResult<R> extends RecordMeta {
  record: R;
}

export interface DeleteOptions extends WriteOptions {
  /** Resolve `'missing'` instead of throwing HTTP_NOT_FOUND (e.g. a replayed delete). */
  missingOk?: boolean;
}

export interface PageOptions {
  /** Rows per request, 1…10000. Default 1000 (the API's default limit). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ZeyosClient {
  /** `POST /{entity}`: one page of rows. Without `fields`, whole records. */
  list<E extends string>(
    entity: E,
    query?: ListQuery & { fields?: undefined },
    options?: { signal?: AbortSignal },
  ): Promise<ZeyosRecord<E>[]>;
  list<E extends string>(
    entity: E,
    query: ListQuery & { fields: FieldSelection },
    options?: { signal?: AbortSignal },
  ): Promise<ZeyosSelectedRow<E>[]>;
  /**
   * `POST /{entity}` like `list`, but each row is only checked to be an object, not parsed by
   * the entity's schema: for callers that validate row by row (a poller dead-letters one bad
   * record and goes on, where `list` would fail the whole page).
   */
  listRaw(
    entity: string,
    query?: ListQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ZeyosRow[]>;
  /** Every page from `query.offset` (default 0) on, `pageSize` rows at a time; stops at a short page. */
  pages<E extends string>(
    entity: E,
    query?: Omit<ListQuery, 'limit'>,
    options?: PageOptions,
  ): AsyncIterableIterator<ZeyosSelectedRow<E>[]>;
  /** Every row of `pages`, one at a time. */
  rows<E extends string>(
    entity: E,
    query?: Omit<ListQuery, 'limit'>,
    options?: PageOptions,
  ): AsyncIterableIterator<ZeyosSelectedRow<E>>;
  /** `POST /{entity}` with `count`: how many rows match. */
  count(
    entity: string,
    query?: Pick<ListQuery, 'filter' | 'search' | 'distinct'>,
    options?: { signal?: AbortSignal },
  ): Promise<number>;
  /** `GET /{entity}/{ID}` with its ETag and Last-Modified; conditional with `ifNoneMatch`. */
  get<E extends string>(
    entity: E,
    id: number,
    options?: GetOptions,
  ): Promise<GetResult<ZeyosRecord<E>>>;
  /** `HEAD /{entity}/{ID}`: true on 2xx, false on 404. */
  exists(entity: string, id: number, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** `PUT /{entity}` → 201; the new ID from the body or Content-Location. Never retried after it may have reached the server. */
  create<E extends string>(
    entity: E,
    values: ZeyosWrite<E>,
    options?: { signal?: AbortSignal },
  ): Promise<CreateResult<ZeyosRecord<E>>>;
  /** `PATCH /{entity}/{ID}`, with `If-Match` when given (412 → HTTP_PRECONDITION_FAILED). */
  update<E extends string>(
    entity: E,
    id: number,
    values: ZeyosWrite<E>,
    options?: WriteOptions,
  ): Promise<UpdateResult<ZeyosRecord<E>>>;
  /** `DELETE /{entity}/{ID}` (permanent), with `If-Match` when given. */
  delete(entity: string, id: number, options?: DeleteOptions): Promise<'deleted' | 'missing'>;
  /** Closes the connections of the API and of the auth endpoints. Idempotent. */
  close(): Promise<void>;
}

export interface ZeyosClientDeps extends ZeyosTokenProviderDeps {
  /**
   * A token provider shared with other clients of the same user in this process (ZeyOS keeps
   * one OAuth token set per user and client). Default: one made from `settings.auth`, closed
   * by `close()`.
   */
  tokenProvider?: TokenProvider;
  logger?: Logger;
  /** Passed to the API's HTTP client (dispatcher, tracer, sleep, random). */
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** `Last-Modified` (an HTTP date) as Unix seconds. */
export function parseLastModified(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function httpDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toUTCString();
}

/** The ID at the end of a `Content-Location` such as `/demo/api/v1/accounts/17`. */
export function idFromLocation(location: string | undefined): number | undefined {
  const match = location === undefined ? null : /\/(\d+)\/?(?:[?#].*)?$/.exec(location);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function meta(headers: ResponseHeaders): RecordMeta {
  return {
    etag: header(headers, 'etag'),
    lastModified: parseLastModified(header(headers, 'last-modified')),
  };
}

function invalidBody(
  op: ZeyosOperation,
  status: number,
  reason: string,
  error?: z.ZodError,
): TidemarkError {
  return new TidemarkError(
    'HTTP_RESPONSE_INVALID',
    `ZeyOS ${op.operation} ${op.entity ?? ''}: ${reason}`,
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

function checkEntity(entity: string): void {
  if (!entityPattern.test(entity)) {
    throw new TidemarkError('INPUT_INVALID', `not a ZeyOS entity name: ${JSON.stringify(entity)}`);
  }
}

function checkId(entity: string, id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new TidemarkError('INPUT_INVALID', `ZeyOS ${entity}: an ID is a positive integer`, {
      details: { entity },
    });
  }
}

const countResponseSchema = z.union([
  z.looseObject({ count: z.coerce.number().int().nonnegative() }).transform((v) => v.count),
  z.number().int().nonnegative(),
]);

/**
 * Creates a client for one ZeyOS instance. Settings are validated (CONFIG_INVALID lists every
 * problem). Retries, timeouts, concurrency and tracing headers come from `@tidemark/http`
 * (`settings.http`); every failure is a TidemarkError whose code says what happened and whose
 * message quotes the server (`zeyosErrorText` reads it).
 */
export function createZeyosClient(
  settings: ZeyosClientSettings,
  deps: ZeyosClientDeps = {},
): ZeyosClient {
  const resolved = resolveZeyosClientSettings(settings);
  const urls = zeyosUrls(resolved.baseUrl, resolved.instance);
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };
  const ownTokens =
    deps.tokenProvider === undefined
      ? createZeyosTokenProvider(
          {
            instanceUrl: urls.instance,
            auth: resolved.auth,
            refreshBeforeMs: resolved.refreshBeforeMs,
            ...(resolved.http === undefined ? {} : { http: resolved.http }),
          },
          deps,
        )
      : undefined;
  const tokenProvider = deps.tokenProvider ?? ownTokens;
  const http: HttpClient = createHttpClient(
    { ...resolved.http, baseUrl: urls.api },
    { ...deps.http, tokenProvider, logger, now: () => clock.now() },
  );

  function recordSchema(entity: string): z.ZodType<ZeyosRow> {
    return (
      (zeyosEntitySchemas as Record<string, z.ZodType<ZeyosRow>>)[entity] ??
      zeyosRowSchema.extend({ ID: z.number().int() })
    );
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, op: ZeyosOperation, status: number): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw invalidBody(
        op,
        status,
        'the answer does not match the documented schema',
        parsed.error,
      );
    return parsed.data;
  }

  async function call<T>(op: ZeyosOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error: unknown) {
      throw toZeyosError(error, op);
    }
  }

  function rowsSchema(entity: string, fields: FieldSelection | undefined): z.ZodType<ZeyosRow[]> {
    const record = recordSchema(entity);
    // With a selection any documented field may be absent; aliases are unknown keys, kept.
    const row =
      fields === undefined
        ? record
        : record instanceof z.ZodObject
          ? (record.partial() as z.ZodType<ZeyosRow>)
          : zeyosRowSchema;
    return z.array(row);
  }

  async function list(
    entity: string,
    query: ListQuery = {},
    options: { signal?: AbortSignal } = {},
    raw = false,
  ) {
    checkEntity(entity);
    const op = { operation: 'list', entity };
    const body = buildListBody(query);
    const answer = await call(op, () =>
      http.request({
        method: 'POST',
        path: `/${entity}`,
        body,
        // A list reads only: repeating it is harmless.
        idempotent: true,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
    const schema = raw ? z.array(zeyosRowSchema) : rowsSchema(entity, query.fields);
    return parse(schema, answer.body, op, answer.status);
  }

  async function* pages(
    entity: string,
    query: Omit<ListQuery, 'limit'> = {},
    options: PageOptions = {},
  ) {
    const pageSize = options.pageSize ?? DEFAULT_LIMIT;
    let offset = query.offset ?? 0;
    for (;;) {
      const page = await list(entity, { ...query, limit: pageSize, offset }, options);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      offset += page.length;
    }
  }

  const client = {
    list,
    listRaw: (entity: string, query: ListQuery = {}, options: { signal?: AbortSignal } = {}) =>
      list(entity, query, options, true),
    pages,
    async *rows(entity: string, query: Omit<ListQuery, 'limit'> = {}, options: PageOptions = {}) {
      for await (const page of pages(entity, query, options)) yield* page;
    },
    async count(
      entity: string,
      query: Pick<ListQuery, 'filter' | 'search' | 'distinct'> = {},
      options: { signal?: AbortSignal } = {},
    ) {
      checkEntity(entity);
      const op = { operation: 'count', entity };
      const answer = await call(op, () =>
        http.request({
          method: 'POST',
          path: `/${entity}`,
          body: buildCountBody(query),
          idempotent: true,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      return parse(countResponseSchema, answer.body, op, answer.status);
    },
    async get(entity: string, id: number, options: GetOptions = {}) {
      checkEntity(entity);
      checkId(entity, id);
      const op = { operation: 'get', entity, id };
      const answer = await call(op, () =>
        http.request({
          method: 'GET',
          path: `/${entity}/${id}`,
          query: {
            extdata: options.extdata === true ? 1 : undefined,
            tags: options.tags === true ? 1 : undefined,
            'expand[]': options.expand ?? [],
          },
          headers:
            options.ifNoneMatch === undefined ? {} : { 'if-none-match': options.ifNoneMatch },
          expect: [200, 304],
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      if (answer.status === 304) {
        return {
          status: 'not-modified' as const,
          etag: header(answer.headers, 'etag') ?? options.ifNoneMatch,
        };
      }
      const record = parse(recordSchema(entity), answer.body, op, answer.status);
      return { status: 'ok' as const, record, ...meta(answer.headers) };
    },
    async exists(entity: string, id: number, options: { signal?: AbortSignal } = {}) {
      checkEntity(entity);
      checkId(entity, id);
      const op = { operation: 'exists', entity, id };
      const answer = await call(op, () =>
        http.request({
          method: 'HEAD',
          path: `/${entity}/${id}`,
          // api.json documents 204; 200 is what most servers answer to HEAD.
          expect: [200, 204, 404],
          responseType: 'bytes',
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      return answer.status !== 404;
    },
    async create(
      entity: string,
      values: Record<string, unknown>,
      options: { signal?: AbortSignal } = {},
    ) {
      checkEntity(entity);
      const op = { operation: 'create', entity };
      const answer = await call(op, () =>
        http.request({
          method: 'PUT',
          path: `/${entity}`,
          body: values,
          expect: [200, 201],
          // PUT creates here: a repeat after a lost answer would create a second record.
          idempotent: false,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      const location = header(answer.headers, 'content-location');
      const fromBody = answer.body === undefined || answer.body === null ? undefined : answer.body;
      const idFromHeader = idFromLocation(location);
      // The body is the new record (api.json); tolerate an empty body when the header names the ID.
      const record =
        fromBody === undefined && idFromHeader !== undefined
          ? { ID: idFromHeader }
          : parse(recordSchema(entity), fromBody, op, answer.status);
      const id = typeof record['ID'] === 'number' ? record['ID'] : idFromHeader;
      if (id === undefined) throw invalidBody(op, answer.status, 'the answer names no ID');
      return { id, record, location, ...meta(answer.headers) };
    },
    async update(
      entity: string,
      id: number,
      values: Record<string, unknown>,
      options: WriteOptions = {},
    ) {
      checkEntity(entity);
      checkId(entity, id);
      const op = { operation: 'update', entity, id };
      const answer = await call(op, () =>
        http.request({
          method: 'PATCH',
          path: `/${entity}/${id}`,
          body: values,
          headers: preconditions(options),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      const record = parse(recordSchema(entity), answer.body, op, answer.status);
      return { record, ...meta(answer.headers) };
    },
    async delete(entity: string, id: number, options: DeleteOptions = {}) {
      checkEntity(entity);
      checkId(entity, id);
      const op = { operation: 'delete', entity, id };
      const answer = await call(op, () =>
        http.request({
          method: 'DELETE',
          path: `/${entity}/${id}`,
          headers: preconditions(options),
          expect: options.missingOk === true ? [200, 202, 204, 404] : [200, 202, 204],
          responseType: 'bytes',
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      return answer.status === 404 ? ('missing' as const) : ('deleted' as const);
    },
    async close() {
      await Promise.all([http.close(), ownTokens?.close()]);
    },
  };
  return client as ZeyosClient;
}

function preconditions(options: WriteOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  if (options.ifUnmodifiedSince !== undefined) {
    headers['if-unmodified-since'] = httpDate(options.ifUnmodifiedSince);
  }
  return headers;
}
