import { createHash } from 'node:crypto';
import { TidemarkError, describeError } from '@tidemark/errors';
import { createAdminRoutes } from '../core/admin.js';
import { SimClock } from '../core/clock.js';
import { FaultController, type Knobs, type KnobsPatch } from '../core/faults.js';
import { Journal } from '../core/journal.js';
import { createRng, type Seed } from '../core/prng.js';
import { KeyedRateLimiter } from '../core/rate-limit.js';
import { RequestLog, type RequestLogEntry } from '../core/request-log.js';
import { Router } from '../core/router.js';
import { startSimServer } from '../core/server.js';
import { Workload } from '../core/workload.js';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, TSM_SCOPES, TsmAuth } from './auth.js';
import { TsmDb, type TsmJournalEntry, type TsmRecord } from './db.js';
import { seedDemoData } from './demo-data.js';
import { tsmResponses } from './responses.js';
import { tsmRoutes } from './routes.js';
import { tsmEntities, tsmModules } from './schema.js';
import { TsmWorkloadDriver } from './workload-driver.js';

/** Options of startTsmSimulator; every field is optional. */
export interface TsmSimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Seed of demo data, ids, random faults and the workload. Default 1. */
  seed?: Seed;
  /** Initial fault knobs. Default: no faults. */
  knobs?: KnobsPatch;
  /** Demo customers and tickets on start. Default 20; 0 for none (users, registers stay). */
  demoRecords?: number;
  /** The API user (password grant). Default name "demo", password "demo". */
  user?: { name?: string; password?: string };
  /** The OAuth client with every scope. Default id "tidemark" and a fixed secret. */
  client?: { id?: string; secret?: string };
  /** Requests per second and bearer token; beyond it 429 with Retry-After. Default 100; null: off. */
  rateLimitPerSecond?: number | null;
  /** Lifetime of access tokens (announced as expires_in). Default 900 s. */
  accessTokenTtlSeconds?: number;
  /** Request bodies beyond this get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Requests kept in the request log. Default 1000. */
  requestLogSize?: number;
  /** Journal entries kept. Default 1 000 000. */
  journalMaxEntries?: number;
  /** Told about unexpected handler failures (answered with 500). */
  onError?: (error: unknown) => void;
}

/** Credentials of the demo user and clients. */
export interface TsmCredentials {
  /** POST here for tokens (RFC 6749). */
  tokenUrl: string;
  username: string;
  password: string;
  /** Client with scopes tsm.read, tsm.write, tsm.delete. */
  clientId: string;
  clientSecret: string;
  /** Client with scope tsm.read only (writes get 403). */
  readOnlyClientId: string;
  readOnlyClientSecret: string;
}

/** In-process control of a running simulator; the same powers as the HTTP admin API. */
export interface TsmAdmin {
  /** http://host:port/_admin */
  readonly url: string;
  readonly clock: SimClock;
  readonly workload: Workload;
  knobs(): Knobs;
  setKnobs(patch: KnobsPatch): Knobs;
  resetKnobs(): Knobs;
  injectFaults(script: unknown): void;
  clearFaults(): void;
  /** Expires every issued token now; returns how many. */
  expireTokens(): number;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Current per-token rate limit (requests/s), null when off. */
  rateLimit(): number | null;
  setRateLimit(perSecond: number | null): void;
  /** Loads `count` records built by `make(i)` (1-based, wire form without auditInfo) into an empty entity, unjournaled: for benchmarks. */
  bulkLoad(entity: string, count: number, make: (i: number) => Record<string, unknown>): void;
}

export interface TsmSimulator {
  /** http://host:port (no trailing slash). */
  readonly baseUrl: string;
  readonly port: number;
  /** Base URL of a module's API: `${baseUrl}/${module}/api/v2`. */
  moduleUrl(module: string): string;
  readonly credentials: TsmCredentials;
  readonly admin: TsmAdmin;
  /** The ground-truth journal of every change. */
  readonly journal: Journal<TsmJournalEntry>;
  readonly db: TsmDb;
  /** Stops the workload and the server. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_SECRET = createHash('sha1').update('tidemark-tsm-simulator').digest('hex');
const READ_ONLY_SECRET = createHash('sha1').update('tidemark-tsm-simulator-ro').digest('hex');

/** Starts a tSM simulator: the Public API v2 modules, /oauth2/token and /_admin. */
export async function startTsmSimulator(options: TsmSimulatorOptions = {}): Promise<TsmSimulator> {
  const seed = options.seed ?? 1;
  const problems: string[] = [];
  const rate = options.rateLimitPerSecond === undefined ? 100 : options.rateLimitPerSecond;
  if (rate !== null && !(rate > 0)) problems.push('rateLimitPerSecond must be positive or null');
  const ttl = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0)
    problems.push('accessTokenTtlSeconds must be a positive integer');
  if (
    options.demoRecords !== undefined &&
    (!Number.isInteger(options.demoRecords) || options.demoRecords < 0)
  )
    problems.push('demoRecords must be a non-negative integer');
  if (problems.length > 0) throw new TidemarkError('CONFIG_INVALID', problems.join('; '));

  const clock = new SimClock();
  const journal = new Journal<TsmJournalEntry>(() => clock.nowMs(), {
    maxEntries: options.journalMaxEntries,
  });
  let faults: FaultController;
  try {
    faults = new FaultController(seed, options.knobs ?? {});
  } catch (error) {
    throw new TidemarkError('CONFIG_INVALID', describeError(error), { cause: error });
  }
  const requestLog = new RequestLog(options.requestLogSize ?? 1000);
  const rng = createRng(seed);
  const db = new TsmDb(clock, journal, rng.fork('ids'));
  let origin = 'http://127.0.0.1';
  const auth = new TsmAuth(
    () => clock.nowMs(),
    ttl,
    () => faults.current.tokenTtlSeconds,
    () => origin,
  );
  const user = { name: options.user?.name ?? 'demo', password: options.user?.password ?? 'demo' };
  auth.addUser(user);
  const client = {
    id: options.client?.id ?? 'tidemark',
    secret: options.client?.secret ?? DEFAULT_CLIENT_SECRET,
    scopes: [...TSM_SCOPES],
  };
  auth.addClient(client);
  auth.addClient({ id: `${client.id}-readonly`, secret: READ_ONLY_SECRET, scopes: ['tsm.read'] });

  seedDemoData(db, rng.fork('demo'), options.demoRecords ?? 20, user.name, (ms) =>
    clock.apply(ms === null ? { reset: true } : { freezeAtMs: ms }),
  );

  let rateLimit = rate;
  const limiter = new KeyedRateLimiter(() => rateLimit);
  const workload = new Workload(new TsmWorkloadDriver(db, user.name), seed);
  const expireTokens = () => auth.tokens.expireAll();

  const routes = new Router();
  tsmRoutes(routes, { db, auth, limiter, now: () => clock.nowMs(), onError: options.onError });

  const adminRoutes = createAdminRoutes({
    system: 'tsm',
    faults,
    clock,
    journal,
    requestLog,
    workload,
    expireTokens,
    saveSnapshot: async () => null,
    info: () => ({
      modules: [...tsmModules],
      records: Object.fromEntries(db.entities().map((entity) => [entity, db.store(entity).size])),
      rateLimitPerSecond: rateLimit,
      credentials,
    }),
  });

  const server = await startSimServer({
    host: options.host,
    port: options.port,
    routes,
    adminRoutes,
    faults,
    requestLog,
    responses: tsmResponses(() => clock.nowMs()),
    maxBodyBytes: options.maxBodyBytes,
    onError: options.onError,
    echoHeaders: ['X-Request-Id', 'X-Correlation-Id'],
  });
  origin = server.origin;

  const credentials: TsmCredentials = {
    tokenUrl: `${server.origin}/oauth2/token`,
    username: user.name,
    password: user.password,
    clientId: client.id,
    clientSecret: client.secret,
    readOnlyClientId: `${client.id}-readonly`,
    readOnlyClientSecret: READ_ONLY_SECRET,
  };

  const admin: TsmAdmin = {
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
    rateLimit: () => rateLimit,
    setRateLimit(perSecond) {
      if (perSecond !== null && !(perSecond > 0))
        throw new TidemarkError('INPUT_INVALID', 'rate limit must be positive or null');
      rateLimit = perSecond;
      limiter.clear();
    },
    bulkLoad(entity, count, make) {
      const def = tsmEntities.get(entity);
      if (def === undefined) throw new TidemarkError('INPUT_INVALID', `unknown entity ${entity}`);
      const nowIso = new Date(clock.nowMs()).toISOString();
      function* rows(): Generator<TsmRecord> {
        for (let i = 1; i <= count; i++) {
          const values = make(i);
          yield Object.freeze({
            id: typeof values.id === 'string' ? values.id : db.newId(),
            ...values,
            auditInfo: {
              version: 0,
              whoInserted: user.name,
              whenInserted: nowIso,
              whoEdited: user.name,
              whenEdited: nowIso,
              ...(values.auditInfo as object | undefined),
            },
          });
        }
      }
      db.load(entity, rows());
    },
  };

  let closed: Promise<void> | undefined;
  return {
    baseUrl: server.origin,
    port: server.port,
    moduleUrl: (module) => `${server.origin}/${module}/api/v2`,
    credentials,
    admin,
    journal,
    db,
    close() {
      closed ??= (async () => {
        workload.stop();
        await server.close();
      })();
      return closed;
    },
  };
}
