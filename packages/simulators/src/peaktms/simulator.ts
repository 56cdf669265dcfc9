import { TidemarkError, describeError } from '@tidemark/errors';
import { adminJson, createAdminRoutes } from '../core/admin.js';
import { SimClock } from '../core/clock.js';
import { FaultController, type Knobs, type KnobsPatch } from '../core/faults.js';
import { Journal } from '../core/journal.js';
import { createRng, type Seed } from '../core/prng.js';
import { RequestLog, type RequestLogEntry } from '../core/request-log.js';
import { HttpError, Router, jsonResponse, type SimResponse } from '../core/router.js';
import { startSimServer, type SystemResponses } from '../core/server.js';
import { Workload } from '../core/workload.js';
import { PeakAuth, type ApiTokenSpec } from './auth.js';
import {
  defaultTypes,
  isObjectKind,
  objectKinds,
  type ObjectKind,
  type TypeDef,
} from './catalogue.js';
import { PeakDb, type PeaktmsJournalEntry } from './db.js';
import { seedDemoData } from './demo-data.js';
import { errorResponse } from './errors.js';
import { MaintenanceWindows, type MaintenanceWindowInput } from './maintenance.js';
import { API_PREFIX, errorToResponse, maintenanceGuard, peaktmsRoutes } from './routes.js';
import { PeaktmsWorkloadDriver } from './workload-driver.js';
import { isKnownZone } from './zoned.js';

/** Options of startPeaktmsSimulator; every field is optional. */
export interface PeaktmsSimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Seed of demo data, ids, random faults and the workload. Default 1. */
  seed?: Seed;
  /** Initial fault knobs. Default: no faults. */
  knobs?: KnobsPatch;
  /** Demo objects on start (besides one resource, project and series). Default 12; 0: none at all. */
  demoRecords?: number;
  /** The API user for /login. Default "demo" / "demo". */
  user?: { name?: string; password?: string };
  /** Long-lived tokens generated ahead. Default: one random token of the demo user, 365 days. */
  apiTokens?: ApiTokenSpec[];
  /** IANA zone all date-times are written in. Default Europe/Berlin. */
  zone?: string;
  /** History-log switches per kind and type name, over the catalogue's defaults. */
  historyLog?: Partial<Record<ObjectKind, Record<string, boolean>>>;
  /** Maintenance windows known at start. Default none. */
  maintenanceWindows?: MaintenanceWindowInput[];
  /** Request bodies (and uploads) beyond this get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Requests kept in the request log. Default 1000. */
  requestLogSize?: number;
  /** Journal entries kept. Default 1 000 000. */
  journalMaxEntries?: number;
  /** Told about unexpected handler failures (answered with 500). */
  onError?: (error: unknown) => void;
}

export interface PeaktmsCredentials {
  /** POST {user, password} here for a 15-minute session token. */
  loginUrl: string;
  user: string;
  password: string;
  /** Long-lived tokens generated ahead, usable as `Authorization: Bearer …`. */
  apiTokens: { token: string; user: string; expiresAt: number | null }[];
}

/** In-process control of a running simulator; the same powers as the HTTP admin API. */
export interface PeaktmsAdmin {
  /** http://host:port/_admin */
  readonly url: string;
  readonly clock: SimClock;
  readonly workload: Workload;
  knobs(): Knobs;
  setKnobs(patch: KnobsPatch): Knobs;
  resetKnobs(): Knobs;
  injectFaults(script: unknown): void;
  clearFaults(): void;
  /** Expires every issued token (sessions and API tokens) now; returns how many. */
  expireTokens(): number;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** The type catalogue (a copy). */
  types(): TypeDef[];
  /** Switches the history log of one type on or off. */
  setHistoryLog(kind: ObjectKind, type: string, enabled: boolean): void;
  /** Replaces the maintenance windows (zoned date-times or Unix ms). */
  setMaintenanceWindows(windows: MaintenanceWindowInput[]): void;
}

export interface PeaktmsSimulator {
  /** http://host:port (no trailing slash). */
  readonly baseUrl: string;
  /** `${baseUrl}/tms_rest`: the REST API's root. */
  readonly apiUrl: string;
  readonly port: number;
  readonly credentials: PeaktmsCredentials;
  readonly admin: PeaktmsAdmin;
  /** The ground-truth journal of every change. */
  readonly journal: Journal<PeaktmsJournalEntry>;
  readonly db: PeakDb;
  /** Stops the workload and the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts a PeakTMS simulator: the REST API under /tms_rest and /_admin. */
export async function startPeaktmsSimulator(
  options: PeaktmsSimulatorOptions = {},
): Promise<PeaktmsSimulator> {
  const seed = options.seed ?? 1;
  const zone = options.zone ?? 'Europe/Berlin';
  const problems: string[] = [];
  if (!isKnownZone(zone)) problems.push(`zone '${zone}' is not a known time zone`);
  if (
    options.demoRecords !== undefined &&
    (!Number.isInteger(options.demoRecords) || options.demoRecords < 0)
  )
    problems.push('demoRecords must be a non-negative integer');
  for (const [kind, switches] of Object.entries(options.historyLog ?? {})) {
    if (!isObjectKind(kind)) problems.push(`historyLog: unknown kind '${kind}'`);
    else
      for (const type of Object.keys(switches ?? {}))
        if (!defaultTypeExists(kind, type))
          problems.push(`historyLog: unknown ${kind} type '${type}'`);
  }
  if (problems.length > 0) throw new TidemarkError('CONFIG_INVALID', problems.join('; '));

  const clock = new SimClock();
  const journal = new Journal<PeaktmsJournalEntry>(() => clock.nowMs(), {
    maxEntries: options.journalMaxEntries,
  });
  let faults: FaultController;
  const maintenance = new MaintenanceWindows(() => clock.nowMs(), zone);
  try {
    faults = new FaultController(seed, options.knobs ?? {});
    maintenance.set(options.maintenanceWindows ?? []);
  } catch (error) {
    throw new TidemarkError('CONFIG_INVALID', describeError(error), { cause: error });
  }
  const requestLog = new RequestLog(options.requestLogSize ?? 1000);
  const rng = createRng(seed);
  const user = { name: options.user?.name ?? 'demo', password: options.user?.password ?? 'demo' };
  const db = new PeakDb(clock, journal, rng.fork('ids'), zone, user.name);
  for (const [kind, switches] of Object.entries(options.historyLog ?? {}))
    for (const [type, enabled] of Object.entries(switches ?? {}))
      setHistoryLog(kind as ObjectKind, type, enabled);

  const auth = new PeakAuth(
    () => clock.nowMs(),
    () => faults.current.tokenTtlSeconds,
  );
  auth.addUser(user.name, user.password);
  const apiTokens = (options.apiTokens ?? [{}]).map((spec) => {
    const entry = auth.addApiToken(spec, user.name);
    return { token: entry.token, user: entry.payload.user, expiresAt: entry.expiresAtMs };
  });

  seedDemoData(db, rng.fork('demo'), options.demoRecords ?? 12, user.name, (ms) =>
    clock.apply(ms === null ? { reset: true } : { freezeAtMs: ms }),
  );

  const workload = new Workload(new PeaktmsWorkloadDriver(db, user.name), seed);
  const expireTokens = () => auth.tokens.expireAll();

  function setHistoryLog(kind: ObjectKind, type: string, enabled: boolean) {
    const def = db.typeDef(kind, type);
    if (def === undefined)
      throw new TidemarkError('INPUT_INVALID', `unknown ${kind} type '${type}'`);
    def.historyLog = enabled;
  }

  const routes = new Router();
  peaktmsRoutes(routes, {
    db,
    auth,
    maintenance,
    now: () => clock.nowMs(),
    onError: options.onError,
  });

  const adminRoutes = createAdminRoutes(
    {
      system: 'peaktms',
      faults,
      clock,
      journal,
      requestLog,
      workload,
      expireTokens,
      saveSnapshot: async () => null,
      info: () => ({
        zone,
        records: Object.fromEntries(objectKinds.map((kind) => [kind, db.store(kind).size])),
        credentials,
        maintenanceWindows: maintenance.upcoming(),
      }),
    },
    (router) => {
      router.add('GET', '/_admin/peaktms/types', () => jsonResponse(200, db.types));
      router.add('PATCH', '/_admin/peaktms/types/:kind/:type', async (request) => {
        const body = (await adminJson(request)) as { historyLog?: unknown };
        const kind = request.params.kind ?? '';
        if (!isObjectKind(kind)) throw new HttpError(404, 'admin: unknown kind');
        if (typeof body.historyLog !== 'boolean')
          throw new HttpError(400, 'admin: body must be {"historyLog": true|false}');
        const def = db.typeDef(kind, request.params.type ?? '');
        if (def === undefined) throw new HttpError(404, 'admin: unknown type');
        def.historyLog = body.historyLog;
        return jsonResponse(200, def);
      });
      router.add('GET', '/_admin/peaktms/maintenance', () =>
        jsonResponse(200, maintenance.upcoming()),
      );
      router.add('PUT', '/_admin/peaktms/maintenance', async (request) => {
        try {
          maintenance.set(await adminJson(request));
        } catch (error) {
          if (error instanceof HttpError) throw error;
          throw new HttpError(400, `admin: ${describeError(error)}`);
        }
        return jsonResponse(200, maintenance.upcoming());
      });
      router.add('GET', '/_admin/peaktms/tokens', () => jsonResponse(200, apiTokens));
    },
  );

  const now = () => db.now();
  const responses: SystemResponses = {
    fault(status, retryAfterSeconds): SimResponse {
      const headers: Record<string, string> =
        retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) };
      const message =
        status === 500
          ? 'Internal server error'
          : status === 503
            ? 'Service unavailable'
            : 'Too many requests';
      return errorResponse(status, message, '', now(), { headers });
    },
    notFound(request) {
      try {
        maintenanceGuard(maintenance);
      } catch (error) {
        return errorToResponse(error, request.path, now());
      }
      return errorResponse(404, 'No endpoint found', request.path, now());
    },
    methodNotAllowed: (request, allow) =>
      errorResponse(
        405,
        `Request method '${request.method}' is not supported`,
        request.path,
        now(),
        {
          headers: { Allow: allow.join(', ') },
        },
      ),
    httpError: (error) => errorToResponse(error, '', now()),
    internalError: () => errorResponse(500, 'Internal server error', '', now()),
  };

  const server = await startSimServer({
    host: options.host,
    port: options.port,
    routes,
    adminRoutes,
    faults,
    requestLog,
    responses,
    maxBodyBytes: options.maxBodyBytes,
    onError: options.onError,
    echoHeaders: ['X-Request-Id', 'X-Correlation-Id'],
  });

  const credentials: PeaktmsCredentials = {
    loginUrl: `${server.origin}${API_PREFIX}/login`,
    user: user.name,
    password: user.password,
    apiTokens,
  };

  const admin: PeaktmsAdmin = {
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
    types: () => structuredClone(db.types),
    setHistoryLog,
    setMaintenanceWindows: (windows) => maintenance.set(windows),
  };

  let closed: Promise<void> | undefined;
  return {
    baseUrl: server.origin,
    apiUrl: `${server.origin}${API_PREFIX}`,
    port: server.port,
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

function defaultTypeExists(kind: ObjectKind, type: string): boolean {
  return defaultTypes().some((t) => t.kind === kind && t.name === type);
}
