import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TidemarkError, describeError } from '@tidemark/errors';
import { createAdminRoutes, adminJson } from '../core/admin.js';
import { SimClock, type ClockControl } from '../core/clock.js';
import { FaultController, type Knobs, type KnobsPatch } from '../core/faults.js';
import { Journal, type JournalRecord } from '../core/journal.js';
import { createRng, type Seed } from '../core/prng.js';
import { RequestLog, type RequestLogEntry } from '../core/request-log.js';
import { HttpError, Router, jsonResponse } from '../core/router.js';
import { startSimServer } from '../core/server.js';
import { readSnapshot, writeSnapshot } from '../core/snapshot.js';
import { Workload } from '../core/workload.js';
import { zeyosApiRoutes } from './api-routes.js';
import { ZeyosAuth, zeyosTokenPayloadSchema } from './auth.js';
import { zeyosAuthRoutes } from './auth-routes.js';
import {
  ZeyosInstanceDb,
  wireRecord,
  zeyosJournalEntrySchema,
  type ZeyosJournalEntry,
  type ZeyosRow,
} from './db.js';
import { seedDemoRecords } from './demo-data.js';
import type { ZeyosInstance } from './instance.js';
import { zeyosResponses } from './responses.js';
import { entityDef, zeyosEntities } from './schema.js';
import { defaultValue } from './values.js';
import { ZeyosWorkloadDriver } from './workload-driver.js';

/** Options of startZeyosSimulator; every field is optional. */
export interface ZeyosSimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Seed of demo data, random faults and the workload. Default 1. */
  seed?: Seed;
  /** Served instances (the {INSTANCE} path segment). Default ['demo']. */
  instances?: string[];
  /** Initial fault knobs. Default: no faults. */
  knobs?: KnobsPatch;
  /** Snapshot file: loaded at start when present, written on close() and by the admin API. */
  persistPath?: string;
  /** Also save every this many ms while running (needs persistPath). Default: only on close. */
  persistIntervalMs?: number;
  /** Demo records per main entity and instance on a fresh start. Default 20; 0 for none. */
  demoRecords?: number;
  /** The API user. Default name "demo", password "demo". */
  user?: { name?: string; password?: string; email?: string };
  /** The OAuth client (and legacy appsecret). Default id "tidemark" and a fixed secret. */
  client?: { id?: string; secret?: string };
  /** Request bodies beyond this get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Requests kept in the request log. Default 1000. */
  requestLogSize?: number;
  /** Journal entries kept. Default 1 000 000. */
  journalMaxEntries?: number;
  /** Whether extdata/tags-only edits reset lastmodified (undocumented). Default true. */
  metaEditsTouchLastmodified?: boolean;
  /** Told about unexpected handler failures (answered with 500). */
  onError?: (error: unknown) => void;
  /**
   * Initial clock control, applied before the demo data is made, e.g. `{ freezeAtMs }` for
   * runs whose every timestamp must repeat. Default: the real clock.
   */
  clock?: ClockControl;
}

/** Credentials of the demo user and client, valid on every instance. */
export interface ZeyosCredentials {
  username: string;
  password: string;
  /** OAuth 2.0 client_id (applications.identifier). */
  clientId: string;
  /** OAuth 2.0 client_secret, also the legacy login's appsecret. */
  clientSecret: string;
  /** ID of the demo user in the users entity. */
  userId: number;
  /** ID of the client in the applications entity. */
  applicationId: number;
}

/** In-process control of a running simulator; the same powers as the HTTP admin API. */
export interface ZeyosAdmin {
  /** http://host:port/_admin */
  readonly url: string;
  readonly clock: SimClock;
  readonly workload: Workload;
  knobs(): Knobs;
  /** Merges into the current knobs; throws INPUT_INVALID on bad values. */
  setKnobs(patch: KnobsPatch): Knobs;
  /** Back to no faults; also clears the fault script. */
  resetKnobs(): Knobs;
  /** Queues scripted faults ({ fault: '503', times: 2, match: 'accounts' }, ...). */
  injectFaults(script: unknown): void;
  clearFaults(): void;
  /** Expires every issued token now (legacy and OAuth); returns how many. */
  expireTokens(): number;
  /** The request log, oldest first. */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Saves a snapshot now; resolves to the path, or null without persistPath. */
  snapshot(): Promise<string | null>;
  /** Inserts a record bypassing the API's rules (IDs allowed; users and other read-only entities writable). */
  insert(
    instance: string,
    entity: string,
    values: Record<string, unknown>,
    meta?: { extdata?: Record<string, unknown>; tags?: string[] },
  ): Record<string, unknown>;
  /**
   * Loads `count` records built by `make(i)` (1-based) into an empty entity at once, without
   * journaling: for benchmarks. Values are stored as given after filling defaults.
   */
  bulkLoad(
    instance: string,
    entity: string,
    count: number,
    make: (i: number) => Record<string, unknown>,
  ): void;
}

export interface ZeyosSimulator {
  /** http://host:port (no trailing slash); instances live under /{INSTANCE}/... */
  readonly baseUrl: string;
  readonly port: number;
  readonly instances: readonly string[];
  /** API, auth and OAuth base URLs of an instance (default: the first). */
  urls(instance?: string): { api: string; auth: string; oauth2: string };
  readonly credentials: ZeyosCredentials;
  readonly admin: ZeyosAdmin;
  /** The ground-truth journal of every change. */
  readonly journal: Journal<ZeyosJournalEntry>;
  /** The data of an instance (default: the first), for assertions. */
  db(instance?: string): ZeyosInstanceDb;
  /** Stops the workload and the server, then saves the snapshot when persisting. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_SECRET = createHash('sha1').update('tidemark-simulator-client').digest('hex');
const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const rowSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  extdata: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(z.string()).nullable(),
});

const snapshotItemSchema = z.discriminatedUnion('k', [
  z.object({
    k: z.literal('collection'),
    instance: z.string(),
    entity: z.string(),
    watermark: z.number(),
  }),
  z.object({ k: z.literal('row'), instance: z.string(), entity: z.string(), row: rowSchema }),
  z.object({ k: z.literal('binfile'), instance: z.string(), id: z.number(), content: z.string() }),
  z.object({
    k: z.literal('token'),
    instance: z.string(),
    entry: z.object({
      token: z.string(),
      payload: zeyosTokenPayloadSchema,
      issuedAtMs: z.number(),
      expiresAtMs: z.number().nullable(),
    }),
  }),
  z.object({ k: z.literal('journalSeq'), seq: z.number() }),
  z.object({
    k: z.literal('journal'),
    entry: zeyosJournalEntrySchema.extend({ seq: z.number(), atMs: z.number() }),
  }),
]);

/**
 * Starts a ZeyOS simulator: the REST API v1, the legacy Authentication API and OAuth 2.0 for
 * each instance, plus the admin API under /_admin. See the package README.
 */
export async function startZeyosSimulator(
  options: ZeyosSimulatorOptions = {},
): Promise<ZeyosSimulator> {
  const seed = options.seed ?? 1;
  const instanceNames = options.instances ?? ['demo'];
  const problems: string[] = [];
  if (instanceNames.length === 0) problems.push('instances: at least one is needed');
  for (const name of instanceNames) {
    if (!INSTANCE_NAME.test(name)) problems.push(`instances: invalid name ${JSON.stringify(name)}`);
  }
  if (new Set(instanceNames).size !== instanceNames.length)
    problems.push('instances: duplicate names');
  if (options.persistIntervalMs !== undefined && options.persistPath === undefined) {
    problems.push('persistIntervalMs needs persistPath');
  }
  if (problems.length > 0) throw new TidemarkError('CONFIG_INVALID', problems.join('; '));

  const clock = new SimClock();
  if (options.clock !== undefined) clock.apply(options.clock);
  const journal = new Journal<ZeyosJournalEntry>(() => clock.nowMs(), {
    maxEntries: options.journalMaxEntries,
  });
  let faults: FaultController;
  try {
    faults = new FaultController(seed, options.knobs ?? {});
  } catch (error) {
    throw new TidemarkError('CONFIG_INVALID', describeError(error), { cause: error });
  }
  const requestLog = new RequestLog(options.requestLogSize ?? 1000);
  const credentials: ZeyosCredentials = {
    username: options.user?.name ?? 'demo',
    password: options.user?.password ?? 'demo',
    clientId: options.client?.id ?? 'tidemark',
    clientSecret: options.client?.secret ?? DEFAULT_CLIENT_SECRET,
    userId: 1,
    applicationId: 1,
  };
  const behaviour = { metaEditsTouchLastmodified: options.metaEditsTouchLastmodified ?? true };

  const instances = new Map<string, ZeyosInstance>();
  for (const name of instanceNames) {
    instances.set(name, {
      name,
      db: new ZeyosInstanceDb(name, clock, journal, behaviour),
      auth: new ZeyosAuth(
        () => clock.nowMs(),
        () => faults.current.tokenTtlSeconds,
      ),
    });
  }

  const restored =
    options.persistPath === undefined
      ? false
      : await restoreSnapshot(options.persistPath, instances, journal);
  const rng = createRng(seed);
  for (const instance of instances.values()) {
    setUpInstance(
      instance,
      credentials,
      options,
      restored ? null : rng.fork(`demo/${instance.name}`),
    );
  }

  const workload = new Workload(new ZeyosWorkloadDriver(instances, () => credentials.userId), seed);

  const saveSnapshot = async (): Promise<string | null> => {
    if (options.persistPath === undefined) return null;
    await writeSnapshot(
      options.persistPath,
      { format: 'tidemark-simulator-snapshot', version: 1, system: 'zeyos', savedAtMs: Date.now() },
      snapshotItems(instances, journal),
    );
    return options.persistPath;
  };

  const expireTokens = () => {
    let n = 0;
    for (const instance of instances.values()) n += instance.auth.tokens.expireAll();
    return n;
  };

  const routes = new Router();
  zeyosApiRoutes(routes, instances);
  zeyosAuthRoutes(routes, instances);

  const adminRoutes = createAdminRoutes(
    {
      system: 'zeyos',
      faults,
      clock,
      journal,
      requestLog,
      workload,
      expireTokens,
      saveSnapshot,
      info: () => ({
        instances: [...instances.values()].map((instance) => ({
          name: instance.name,
          records: Object.fromEntries(
            instance.db.entities().map((entity) => [entity, instance.db.collection(entity).size]),
          ),
        })),
        credentials,
      }),
    },
    (router) => {
      // POST /_admin/zeyos/{instance}/{entity}: insert bypassing the API (users, fixed IDs).
      router.add('POST', '/_admin/zeyos/:instance/:entity', async (request) => {
        const body = await adminJson(request);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new HttpError(400, 'admin: body must be a JSON object');
        }
        const { extdata, tags, ...values } = body as Record<string, unknown>;
        const record = insert(request.params.instance ?? '', request.params.entity ?? '', values, {
          extdata: isRecord(extdata) ? extdata : undefined,
          tags: Array.isArray(tags) ? tags.map(String) : undefined,
        });
        return jsonResponse(201, record);
      });
    },
  );

  const server = await startSimServer({
    host: options.host,
    port: options.port,
    routes,
    adminRoutes,
    faults,
    requestLog,
    responses: zeyosResponses,
    maxBodyBytes: options.maxBodyBytes,
    onError: options.onError,
  });

  function instanceDb(name: string | undefined): ZeyosInstanceDb {
    const instance = instances.get(name ?? (instanceNames[0] as string));
    if (instance === undefined)
      throw new TidemarkError('INPUT_INVALID', `unknown instance ${String(name)}`);
    return instance.db;
  }

  function insert(
    instance: string,
    entity: string,
    values: Record<string, unknown>,
    meta: { extdata?: Record<string, unknown> | undefined; tags?: string[] | undefined } = {},
  ): Record<string, unknown> {
    const target = instances.get(instance);
    if (target === undefined || entityDef(entity) === undefined)
      throw new HttpError(404, 'Not Found');
    const row = target.db.insertRaw(
      entity,
      values,
      { userId: credentials.userId, source: 'admin' },
      {
        ...(meta.extdata === undefined ? {} : { extdata: meta.extdata }),
        ...(meta.tags === undefined ? {} : { tags: meta.tags }),
      },
    );
    return wireRecord(row, { extdata: true, tags: true });
  }

  let autosave: NodeJS.Timeout | undefined;
  if (options.persistIntervalMs !== undefined) {
    autosave = setInterval(() => {
      saveSnapshot().catch((error: unknown) => options.onError?.(error));
    }, options.persistIntervalMs);
    autosave.unref();
  }

  const admin: ZeyosAdmin = {
    url: `${server.origin}/_admin`,
    clock,
    workload,
    knobs: () => faults.current,
    setKnobs: (patch) => faults.update(patch),
    resetKnobs: () => faults.reset(),
    injectFaults: (script) => faults.enqueue(script),
    clearFaults: () => faults.clearScript(),
    expireTokens,
    requests: () => requestLog.all(),
    clearRequests: () => requestLog.clear(),
    snapshot: saveSnapshot,
    insert: (instance, entity, values, meta) => {
      try {
        return insert(instance, entity, values, meta);
      } catch (error) {
        if (error instanceof HttpError)
          throw new TidemarkError('INPUT_INVALID', error.text, { cause: error });
        throw error;
      }
    },
    bulkLoad(instance, entity, count, make) {
      const db = instanceDb(instance);
      const def = entityDef(entity);
      if (def === undefined) throw new TidemarkError('INPUT_INVALID', `unknown entity ${entity}`);
      if (db.collection(entity).size > 0) {
        throw new TidemarkError('INPUT_INVALID', `${entity} is not empty`);
      }
      const now = clock.nowSeconds();
      const fields = [...def.fields.values()];
      function* rows(): Generator<ZeyosRow> {
        for (let id = 1; id <= count; id++) {
          const values = make(id);
          const data: Record<string, unknown> = {};
          for (const field of fields) {
            const given = values[field.name];
            if (field.name === 'ID') data.ID = id;
            else if (given !== undefined) data[field.name] = given;
            else if (field.name === 'lastmodified') data.lastmodified = now;
            else data[field.name] = defaultValue(field, now, credentials.userId);
          }
          yield { data, extdata: null, tags: null };
        }
      }
      db.load(entity, rows());
    },
  };

  let closed: Promise<void> | undefined;
  return {
    baseUrl: server.origin,
    port: server.port,
    instances: instanceNames,
    urls(instance) {
      const name = instance ?? instanceNames[0];
      return {
        api: `${server.origin}/${name}/api/v1`,
        auth: `${server.origin}/${name}/auth/v1`,
        oauth2: `${server.origin}/${name}/oauth2/v1`,
      };
    },
    credentials,
    admin,
    journal,
    db: instanceDb,
    close() {
      closed ??= (async () => {
        if (autosave !== undefined) clearInterval(autosave);
        workload.stop();
        await server.close();
        await saveSnapshot();
      })();
      return closed;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Users, group and client application of a fresh instance, then demo records. */
function setUpInstance(
  instance: ZeyosInstance,
  credentials: ZeyosCredentials,
  options: ZeyosSimulatorOptions,
  demo: ReturnType<typeof createRng> | null,
): void {
  const { db, auth } = instance;
  const email = options.user?.email ?? `${credentials.username}@example.com`;
  if (demo !== null) {
    const seedContext = { userId: credentials.userId, source: 'seed' as const };
    db.insertRaw(
      'users',
      { ID: credentials.userId, name: credentials.username, email },
      seedContext,
    );
    const staff = ['Max Mueller', 'Erika Mustermann', 'John Doe'];
    staff.forEach((name, i) =>
      db.insertRaw(
        'users',
        {
          ID: credentials.userId + i + 1,
          name,
          email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`,
          apionly: 0,
        },
        seedContext,
      ),
    );
    db.insertRaw('groups', { ID: 1, name: 'Operations', leader: credentials.userId }, seedContext);
    db.insertRaw(
      'applications',
      {
        ID: credentials.applicationId,
        name: 'Tidemark',
        identifier: credentials.clientId,
        vendor: 'Tidemark',
      },
      seedContext,
    );
    const userIds = [credentials.userId, ...staff.map((_, i) => credentials.userId + i + 1)];
    const perEntity = options.demoRecords ?? 20;
    if (perEntity > 0) seedDemoRecords(db, demo, perEntity, userIds, seedContext);
  }
  auth.addUser({
    id: credentials.userId,
    name: credentials.username,
    email,
    password: credentials.password,
    activity: 0,
  });
  auth.addApplication({
    id: credentials.applicationId,
    identifier: credentials.clientId,
    secret: credentials.clientSecret,
    name: 'Tidemark',
  });
}

function* snapshotItems(
  instances: ReadonlyMap<string, ZeyosInstance>,
  journal: Journal<ZeyosJournalEntry>,
): Generator<unknown, void, undefined> {
  for (const instance of instances.values()) {
    yield* instance.db.dump();
    for (const entry of instance.auth.tokens.all())
      yield { k: 'token', instance: instance.name, entry };
  }
  const state = journal.dump();
  yield { k: 'journalSeq', seq: state.seq };
  for (const entry of state.entries) yield { k: 'journal', entry };
}

async function restoreSnapshot(
  path: string,
  instances: ReadonlyMap<string, ZeyosInstance>,
  journal: Journal<ZeyosJournalEntry>,
): Promise<boolean> {
  const rows = new Map<string, ZeyosRow[]>();
  const watermarks = new Map<string, number>();
  const journalEntries: JournalRecord<ZeyosJournalEntry>[] = [];
  let journalSeq = 0;
  const header = await readSnapshot(path, 'zeyos', (raw) => {
    const parsed = snapshotItemSchema.safeParse(raw);
    if (!parsed.success) {
      throw new TidemarkError(
        'STORAGE_FATAL',
        `snapshot ${path}: unexpected item: ${z.prettifyError(parsed.error)}`,
      );
    }
    const item = parsed.data;
    switch (item.k) {
      case 'collection':
        watermarks.set(`${item.instance}\u0000${item.entity}`, item.watermark);
        break;
      case 'row': {
        const key = `${item.instance}\u0000${item.entity}`;
        let list = rows.get(key);
        if (list === undefined) rows.set(key, (list = []));
        list.push(item.row);
        break;
      }
      case 'binfile':
        instances.get(item.instance)?.db.restoreBinfile(item.id, item.content);
        break;
      case 'token':
        instances.get(item.instance)?.auth.tokens.put(item.entry);
        break;
      case 'journalSeq':
        journalSeq = item.seq;
        break;
      case 'journal':
        journalEntries.push(item.entry);
        break;
    }
  });
  if (header === null) return false;
  for (const key of new Set([...rows.keys(), ...watermarks.keys()])) {
    const [instanceName, entity] = key.split('\u0000') as [string, string];
    const instance = instances.get(instanceName);
    if (instance === undefined || !zeyosEntities.has(entity)) continue;
    instance.db.load(entity, rows.get(key) ?? []);
    instance.db.collection(entity).idWatermark = watermarks.get(key) ?? 0;
  }
  journal.restore({ seq: journalSeq, entries: journalEntries });
  return true;
}
