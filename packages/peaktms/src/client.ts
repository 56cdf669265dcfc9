/**
 * The typed PeakTMS REST client: query, get, create, patch, put, delete and the history log of
 * activities, activity series, projects and resources; resource availability; files and file
 * contents; value lists; users; maintenance windows. Transport concerns (timeouts, retries with
 * `Retry-After`, concurrency, tracing and correlation headers, the 401 re-login) come from
 * `@tidemark/http`.
 */
import { z } from 'zod';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientDeps,
  type HttpMethod,
  type HttpResponse,
  type Query,
  type ResponseHeaders,
  type TokenProvider,
} from '@tidemark/http';
import { silentLogger, type Logger } from '@tidemark/telemetry';
import { createPeaktmsTokenProvider, type PeaktmsTokenProviderDeps } from './auth.js';
import { toPeaktmsError, type PeaktmsOperation } from './errors.js';
import { readHistoryPage, type PeaktmsEntryId, type PeaktmsHistoryPage } from './history.js';
import {
  listOf,
  peaktmsFileDescriptionSchema,
  peaktmsFilesSchema,
  peaktmsMaintenanceWindowSchema,
  peaktmsQueryPageBodySchema,
  peaktmsRecordSchema,
  peaktmsResourceAvailabilitySchema,
  peaktmsUserSchema,
  peaktmsValueListSchema,
  type PeaktmsFile,
  type PeaktmsFiles,
  type PeaktmsMaintenanceWindow,
  type PeaktmsObjectKind,
  type PeaktmsQueryBody,
  type PeaktmsRecord,
  type PeaktmsResourceAvailability,
  type PeaktmsUser,
  type PeaktmsValueList,
} from './schemas.js';
import {
  peaktmsApiUrl,
  resolvePeaktmsClientSettings,
  type PeaktmsClientSettings,
} from './settings.js';
import { toPeaktmsDateTime, type PeaktmsDateTimeInput } from './zoned.js';

export interface Signalled {
  signal?: AbortSignal;
}

/** A record to create or replace: any members; `attributes` as `{name, value}` list. */
export type PeaktmsWrite = Record<string, unknown>;

export interface PeaktmsQueryPage {
  content: PeaktmsRecord[];
  /** The page number (0-based): the server's, else the one asked for. */
  page: number;
  pageSize: number | undefined;
  totalElements: number | undefined;
  totalPages: number | undefined;
}

export interface PeaktmsHistoryQuery {
  /** Entries after this id (exclusive). Wins over `since` when both are given. */
  sinceEntryId?: PeaktmsEntryId;
  /** Entries at or after this time (a zoned date-time, or a `Date`/epoch ms sent as UTC). */
  since?: PeaktmsDateTimeInput;
  /** One type only. */
  type?: string;
  /** One object only. */
  objectId?: string;
  /** Default `settings.historyPageSize` (500). */
  pageSize?: number;
  /** More query parameters, sent as given. */
  extra?: Query;
}

export interface PeaktmsDeleteOptions extends Signalled {
  /** Resolve `'missing'` instead of throwing HTTP_NOT_FOUND (a replayed delete). */
  missingOk?: boolean;
}

/** The operations on one object kind. */
export interface PeaktmsObjectClient {
  readonly kind: PeaktmsObjectKind;
  /** `POST /{kind}/query` with the body as given: one page. */
  query(body?: PeaktmsQueryBody, options?: Signalled): Promise<PeaktmsQueryPage>;
  /** Every record of the query, page by page from `body.page` (default 0). */
  queryAll(body?: PeaktmsQueryBody, options?: Signalled): AsyncIterableIterator<PeaktmsRecord>;
  /** `GET /{kind}/{id}`; 404 → HTTP_NOT_FOUND. */
  get(id: string, options?: Signalled): Promise<PeaktmsRecord>;
  /** Like `get`, `undefined` on 404. */
  find(id: string, options?: Signalled): Promise<PeaktmsRecord | undefined>;
  /** `POST /{kind}` (not repeated once it may have reached the server). */
  create(record: PeaktmsWrite, options?: Signalled): Promise<PeaktmsRecord>;
  /** `PATCH /{kind}/{id}`: the members given. */
  patch(id: string, changes: PeaktmsWrite, options?: Signalled): Promise<PeaktmsRecord>;
  /** `PUT /{kind}/{id}`: a full replacement. */
  put(id: string, record: PeaktmsWrite, options?: Signalled): Promise<PeaktmsRecord>;
  /** `DELETE /{kind}/{id}`. */
  delete(id: string, options?: PeaktmsDeleteOptions): Promise<'deleted' | 'missing'>;
  /** `GET /{kind}/historylog`: one page, in any accepted shape (see `readHistoryPage`). */
  historyLog(query?: PeaktmsHistoryQuery, options?: Signalled): Promise<PeaktmsHistoryPage>;
  /**
   * Every history page from the query's position on, following `lastEntryId` until the
   * server says there is no more (or a page brings nothing new).
   */
  historyPages(
    query?: PeaktmsHistoryQuery,
    options?: Signalled,
  ): AsyncIterableIterator<PeaktmsHistoryPage>;
}

export interface PeaktmsUpload extends Signalled {
  /** The object whose FILE_MANAGEMENT attribute receives the file. */
  objectId: string;
  attribute: string;
  fileName: string;
  content: Uint8Array | string;
  /** Default `application/octet-stream`. */
  contentType?: string;
}

export interface PeaktmsDownload {
  bytes: Uint8Array;
  contentType: string | undefined;
  /** From `Content-Disposition`, when sent. */
  fileName: string | undefined;
}

export interface PeaktmsClient {
  readonly activities: PeaktmsObjectClient;
  readonly activitySeries: PeaktmsObjectClient;
  readonly projects: PeaktmsObjectClient;
  readonly resources: PeaktmsObjectClient;
  /** The client of an object kind by its URL name. */
  objects(kind: PeaktmsObjectKind): PeaktmsObjectClient;
  /** `GET /resourceavailability?resourceId&from&to`. */
  resourceAvailability(
    query: { resourceId: string; from: PeaktmsDateTimeInput; to: PeaktmsDateTimeInput },
    options?: Signalled,
  ): Promise<PeaktmsResourceAvailability>;
  readonly files: {
    /** `POST /files?objectId&attribute&fileName`, the bytes as the body. */
    upload(upload: PeaktmsUpload): Promise<PeaktmsFile>;
    /** `GET /files/{filesId}`: the container's file descriptions. */
    list(filesId: string, options?: Signalled): Promise<PeaktmsFiles>;
    /** `GET /filecontent/{fileId}`: one file's description. */
    describe(fileId: string, options?: Signalled): Promise<PeaktmsFile>;
    /** `GET /filecontent/{fileId}{fileDownloadSuffix}`: the bytes. */
    download(fileId: string, options?: Signalled): Promise<PeaktmsDownload>;
    /** `DELETE /filecontent/{fileId}`. */
    delete(fileId: string, options?: PeaktmsDeleteOptions): Promise<'deleted' | 'missing'>;
  };
  readonly valueLists: {
    list(options?: Signalled): Promise<PeaktmsValueList[]>;
    get(name: string, options?: Signalled): Promise<PeaktmsValueList>;
    create(
      list: { name: string; values: readonly unknown[] },
      options?: Signalled,
    ): Promise<PeaktmsValueList>;
    put(name: string, values: readonly unknown[], options?: Signalled): Promise<PeaktmsValueList>;
  };
  readonly users: {
    list(options?: Signalled): Promise<PeaktmsUser[]>;
    get(loginName: string, options?: Signalled): Promise<PeaktmsUser>;
  };
  readonly maintenanceWindows: {
    /** The windows not yet over. */
    upcoming(options?: Signalled): Promise<PeaktmsMaintenanceWindow[]>;
  };
  /** Closes the connections of the API and of `/login`. Idempotent. */
  close(): Promise<void>;
}

export interface PeaktmsClientDeps extends PeaktmsTokenProviderDeps {
  /** A token provider shared with other clients; default: one made from `settings.auth`. */
  tokenProvider?: TokenProvider;
  logger?: Logger;
  http?: Omit<HttpClientDeps, 'tokenProvider' | 'logger' | 'now'>;
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** `attachment; filename="a.txt"` or RFC 6266 `filename*=UTF-8''a%20b.txt`. */
function fileNameOf(disposition: string | undefined): string | undefined {
  if (disposition === undefined) return undefined;
  const star = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition);
  if (star?.[1] !== undefined) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // Fall through to the plain parameter.
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1];
}

function segment(resource: string, key: string): string {
  if (key.trim() === '' || key.includes('/'))
    throw new TidemarkError('INPUT_INVALID', `PeakTMS ${resource}: not an id or name`, {
      details: { resource },
    });
  return encodeURIComponent(key);
}

/**
 * Creates a client for one PeakTMS server. Settings are validated (CONFIG_INVALID lists every
 * problem). Every failure is a TidemarkError; when the server answered, a `PeaktmsApiError`
 * with its error body.
 */
export function createPeaktmsClient(
  settings: PeaktmsClientSettings,
  deps: PeaktmsClientDeps = {},
): PeaktmsClient {
  const resolved = resolvePeaktmsClientSettings(settings);
  const apiUrl = peaktmsApiUrl(resolved);
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? { now: () => Date.now() };
  const ownTokens =
    deps.tokenProvider === undefined
      ? createPeaktmsTokenProvider(
          {
            apiUrl,
            auth: resolved.auth,
            refreshBeforeMs: resolved.refreshBeforeMs,
            ...(resolved.http === undefined ? {} : { http: resolved.http }),
          },
          deps,
        )
      : undefined;
  const tokenProvider = deps.tokenProvider ?? ownTokens;
  const http: HttpClient = createHttpClient(
    { ...resolved.http, baseUrl: apiUrl },
    {
      ...deps.http,
      ...(tokenProvider === undefined ? {} : { tokenProvider }),
      logger,
      now: () => clock.now(),
    },
  );

  async function call(
    op: PeaktmsOperation,
    options: {
      method: HttpMethod;
      path: string;
      query?: Query;
      body?: unknown;
      rawBody?: Uint8Array | string;
      headers?: Record<string, string>;
      expect?: readonly number[];
      responseType?: 'json' | 'bytes';
      signal?: AbortSignal | undefined;
    },
  ): Promise<HttpResponse<unknown>> {
    try {
      return await http.request({
        method: options.method,
        path: options.path,
        ...(options.query === undefined ? {} : { query: options.query }),
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(options.expect === undefined ? {} : { expect: options.expect }),
        ...(options.responseType === undefined ? {} : { responseType: options.responseType }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error: unknown) {
      throw toPeaktmsError(error, op);
    }
  }

  function parse<S extends z.ZodType>(
    schema: S,
    answer: HttpResponse<unknown>,
    op: PeaktmsOperation,
  ): z.output<S> {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw new TidemarkError(
      'HTTP_RESPONSE_INVALID',
      `PeakTMS ${op.operation} ${op.resource ?? ''}: the answer does not match the schema`,
      {
        retryable: false,
        details: {
          ...op,
          status: answer.status,
          // Path, code and message only: the input would be the record.
          issues: parsed.error.issues.slice(0, 20).map((issue) => ({
            path: issue.path.map(String).join('.'),
            code: issue.code,
            message: issue.message,
          })),
        },
      },
    );
  }

  async function remove(
    op: PeaktmsOperation,
    path: string,
    opts: PeaktmsDeleteOptions,
  ): Promise<'deleted' | 'missing'> {
    const answer = await call(op, {
      method: 'DELETE',
      path,
      expect: opts.missingOk === true ? [200, 202, 204, 404] : [200, 202, 204],
      signal: opts.signal,
    });
    return answer.status === 404 ? 'missing' : 'deleted';
  }

  function objectClient(kind: PeaktmsObjectKind): PeaktmsObjectClient {
    const item = (id: string) => `/${kind}/${segment(kind, id)}`;

    async function query(body: PeaktmsQueryBody = {}, opts: Signalled = {}) {
      const op = { operation: 'query', resource: kind };
      const answer = await call(op, {
        method: 'POST',
        path: `/${kind}/query`,
        body,
        // A query changes nothing: safe to repeat.
        expect: [200],
        signal: opts.signal,
      });
      const page = parse(peaktmsQueryPageBodySchema, answer, op);
      const content = parse(z.array(peaktmsRecordSchema), { ...answer, body: page.content }, op);
      return {
        content,
        page: page.page ?? page.number ?? body.page ?? 0,
        pageSize: page.pageSize ?? page.size ?? body.pageSize,
        totalElements: page.totalElements,
        totalPages: page.totalPages,
      };
    }

    async function get(id: string, opts: Signalled = {}) {
      const op = { operation: 'get', resource: kind, key: id };
      return parse(
        peaktmsRecordSchema,
        await call(op, { method: 'GET', path: item(id), signal: opts.signal }),
        op,
      );
    }

    async function historyLog(q: PeaktmsHistoryQuery = {}, opts: Signalled = {}) {
      const op = { operation: 'history log', resource: kind };
      const names = resolved.historyParams;
      const pageSize = q.pageSize ?? resolved.historyPageSize;
      const answer = await call(op, {
        method: 'GET',
        path: `/${kind}/historylog`,
        query: {
          ...q.extra,
          [names.sinceEntryId]: q.sinceEntryId === undefined ? undefined : String(q.sinceEntryId),
          [names.since]:
            q.since === undefined || q.sinceEntryId !== undefined
              ? undefined
              : toPeaktmsDateTime(q.since),
          [names.pageSize]: pageSize,
          [names.type]: q.type,
          [names.objectId]: q.objectId,
        },
        signal: opts.signal,
      });
      const read = readHistoryPage(answer.body, { sinceEntryId: q.sinceEntryId, pageSize });
      if (read.ok) return read.page;
      throw new TidemarkError(
        'HTTP_RESPONSE_INVALID',
        `PeakTMS history log ${kind}: ${read.reason}`,
        { retryable: false, details: { ...op, status: answer.status, reason: read.reason } },
      );
    }

    return {
      kind,
      query,
      async *queryAll(body = {}, opts = {}) {
        const pageSize = body.pageSize ?? resolved.queryPageSize;
        let number = body.page ?? 0;
        for (;;) {
          const current = await query({ ...body, page: number, pageSize }, opts);
          yield* current.content;
          if (current.content.length === 0) return;
          if (current.totalPages !== undefined && number + 1 >= current.totalPages) return;
          if (current.totalPages === undefined && current.content.length < pageSize) return;
          number += 1;
        }
      },
      get,
      async find(id, opts = {}) {
        try {
          return await get(id, opts);
        } catch (error: unknown) {
          if (isTidemarkError(error) && error.code === 'HTTP_NOT_FOUND') return undefined;
          throw error;
        }
      },
      async create(record, opts = {}) {
        const op = { operation: 'create', resource: kind };
        return parse(
          peaktmsRecordSchema,
          await call(op, { method: 'POST', path: `/${kind}`, body: record, signal: opts.signal }),
          op,
        );
      },
      async patch(id, changes, opts = {}) {
        const op = { operation: 'patch', resource: kind, key: id };
        return parse(
          peaktmsRecordSchema,
          await call(op, { method: 'PATCH', path: item(id), body: changes, signal: opts.signal }),
          op,
        );
      },
      async put(id, record, opts = {}) {
        const op = { operation: 'put', resource: kind, key: id };
        return parse(
          peaktmsRecordSchema,
          await call(op, { method: 'PUT', path: item(id), body: record, signal: opts.signal }),
          op,
        );
      },
      delete: (id, opts = {}) =>
        remove({ operation: 'delete', resource: kind, key: id }, item(id), opts),
      historyLog,
      async *historyPages(q = {}, opts = {}) {
        let position: PeaktmsHistoryQuery = q;
        for (;;) {
          const page = await historyLog(position, opts);
          if (page.entries.length > 0) yield page;
          // Stop when the server says so, or when the cursor would not move (no endless loop).
          if (
            !page.hasMore ||
            page.entries.length === 0 ||
            page.lastEntryId === undefined ||
            page.lastEntryId === position.sinceEntryId
          )
            return;
          position = { ...q, sinceEntryId: page.lastEntryId };
        }
      },
    };
  }

  const kinds = {
    activities: objectClient('activities'),
    activityseries: objectClient('activityseries'),
    projects: objectClient('projects'),
    resources: objectClient('resources'),
  } satisfies Record<PeaktmsObjectKind, PeaktmsObjectClient>;

  async function getParsed<S extends z.ZodType>(
    schema: S,
    op: PeaktmsOperation,
    path: string,
    opts: Signalled,
    query?: Query,
  ): Promise<z.output<S>> {
    return parse(
      schema,
      await call(op, {
        method: 'GET',
        path,
        ...(query === undefined ? {} : { query }),
        signal: opts.signal,
      }),
      op,
    );
  }

  return {
    activities: kinds.activities,
    activitySeries: kinds.activityseries,
    projects: kinds.projects,
    resources: kinds.resources,
    objects: (kind) => kinds[kind],
    resourceAvailability: (q, opts = {}) =>
      getParsed(
        peaktmsResourceAvailabilitySchema,
        { operation: 'availability', resource: 'resourceavailability', key: q.resourceId },
        resolved.paths.resourceAvailability,
        opts,
        { resourceId: q.resourceId, from: toPeaktmsDateTime(q.from), to: toPeaktmsDateTime(q.to) },
      ),
    files: {
      async upload(upload) {
        const op = { operation: 'upload', resource: 'files', key: upload.objectId };
        return parse(
          peaktmsFileDescriptionSchema,
          await call(op, {
            method: 'POST',
            path: '/files',
            query: {
              objectId: upload.objectId,
              attribute: upload.attribute,
              fileName: upload.fileName,
            },
            rawBody: upload.content,
            headers: { 'content-type': upload.contentType ?? 'application/octet-stream' },
            signal: upload.signal,
          }),
          op,
        );
      },
      list: (filesId, opts = {}) =>
        getParsed(
          peaktmsFilesSchema,
          { operation: 'list files', resource: 'files', key: filesId },
          `/files/${segment('files', filesId)}`,
          opts,
        ),
      describe: (fileId, opts = {}) =>
        getParsed(
          peaktmsFileDescriptionSchema,
          { operation: 'describe file', resource: 'filecontent', key: fileId },
          `/filecontent/${segment('filecontent', fileId)}`,
          opts,
        ),
      async download(fileId, opts = {}) {
        const op = { operation: 'download', resource: 'filecontent', key: fileId };
        const answer = await call(op, {
          method: 'GET',
          path: `/filecontent/${segment('filecontent', fileId)}${resolved.paths.fileDownloadSuffix}`,
          responseType: 'bytes',
          signal: opts.signal,
        });
        return {
          bytes: answer.body as Uint8Array,
          contentType: header(answer.headers, 'content-type'),
          fileName: fileNameOf(header(answer.headers, 'content-disposition')),
        };
      },
      delete: (fileId, opts = {}) =>
        remove(
          { operation: 'delete file', resource: 'filecontent', key: fileId },
          `/filecontent/${segment('filecontent', fileId)}`,
          opts,
        ),
    },
    valueLists: {
      list: (opts = {}) =>
        getParsed(
          listOf(peaktmsValueListSchema),
          { operation: 'list', resource: 'valuelists' },
          '/valuelists',
          opts,
        ),
      get: (name, opts = {}) =>
        getParsed(
          peaktmsValueListSchema,
          { operation: 'get', resource: 'valuelists', key: name },
          `/valuelists/${segment('valuelists', name)}`,
          opts,
        ),
      async create(list, opts = {}) {
        const op = { operation: 'create', resource: 'valuelists', key: list.name };
        return parse(
          peaktmsValueListSchema,
          await call(op, { method: 'POST', path: '/valuelists', body: list, signal: opts.signal }),
          op,
        );
      },
      async put(name, values, opts = {}) {
        const op = { operation: 'put', resource: 'valuelists', key: name };
        return parse(
          peaktmsValueListSchema,
          await call(op, {
            method: 'PUT',
            path: `/valuelists/${segment('valuelists', name)}`,
            body: { name, values },
            signal: opts.signal,
          }),
          op,
        );
      },
    },
    users: {
      list: (opts = {}) =>
        getParsed(
          listOf(peaktmsUserSchema),
          { operation: 'list', resource: 'users' },
          '/users',
          opts,
        ),
      get: (loginName, opts = {}) =>
        getParsed(
          peaktmsUserSchema,
          { operation: 'get', resource: 'users', key: loginName },
          `/users/${segment('users', loginName)}`,
          opts,
        ),
    },
    maintenanceWindows: {
      upcoming: (opts = {}) =>
        getParsed(
          listOf(peaktmsMaintenanceWindowSchema),
          { operation: 'list', resource: 'maintenancewindows' },
          resolved.paths.maintenanceWindows,
          opts,
        ),
    },
    async close() {
      await Promise.all([http.close(), ownTokens?.close()]);
    },
  };
}
