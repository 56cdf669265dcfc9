import { z } from 'zod';
import { isTidemarkError } from '@tidemark/errors';
import type { ClockControl, SimClock } from './clock.js';
import type { FaultController } from './faults.js';
import type { JournalPage, JournalRecord } from './journal.js';
import type { RequestLog } from './request-log.js';
import { HttpError, Router, jsonResponse, type Handler, type SimRequest } from './router.js';
import { ADMIN_PREFIX } from './server.js';
import type { Workload } from './workload.js';

/** The read side of a Journal, whatever its entry type. */
export interface JournalReader {
  readonly firstSeq: number;
  readonly lastSeq: number;
  read(
    after: number,
    limit: number,
    where?: (entry: JournalRecord<object>) => boolean,
  ): JournalPage<object>;
}

/** What the admin API controls; a simulator passes its own parts. */
export interface AdminContext {
  system: string;
  faults: FaultController;
  clock: SimClock;
  journal: JournalReader;
  requestLog: RequestLog;
  workload: Workload;
  /** Makes every issued token expired now; returns how many. */
  expireTokens(): number;
  /** Saves a snapshot now; resolves to its path, or null without persistence. */
  saveSnapshot(): Promise<string | null>;
  /** Facts for GET /_admin (instances, record counts, ...). */
  info(): Record<string, unknown>;
}

const clockControlSchema = z
  .object({
    offsetMs: z.number().optional(),
    freezeAtMs: z.number().optional(),
    frozen: z.boolean().optional(),
    advanceMs: z.number().optional(),
    reset: z.boolean().optional(),
  })
  .strict();

const runSchema = z.object({ ops: z.number().int().positive().max(1_000_000) }).loose();

/** Reads a JSON body for the admin API ({} when empty); 400 on bad JSON. */
export async function adminJson(request: SimRequest): Promise<unknown> {
  const body = await request.body();
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'admin: body is not valid JSON');
  }
}

function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `admin: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function intParam(request: SimRequest, name: string, fallback: number, max: number): number {
  const raw = request.url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new HttpError(400, `admin: ${name} must be a non-negative integer`);
  return Math.min(value, max);
}

/** Wraps a handler so INPUT_INVALID from the controlled parts becomes a 400. */
function guarded(handler: Handler): Handler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (isTidemarkError(error) && error.code === 'INPUT_INVALID') {
        throw new HttpError(400, `admin: ${error.message}`);
      }
      throw error;
    }
  };
}

/**
 * The admin API under /_admin (see the package README for the reference). It is outside
 * every simulated system's paths, is never faulted and needs no credentials: bind simulators
 * to loopback.
 */
export function createAdminRoutes(
  context: AdminContext,
  extend?: (router: Router) => void,
): Router {
  const router = new Router();
  const p = (path: string) => `${ADMIN_PREFIX}${path}`;
  const add = (method: string, path: string, handler: Handler) =>
    router.add(method, p(path), guarded(handler));

  add('GET', '', () =>
    jsonResponse(200, {
      system: context.system,
      ...context.info(),
      clock: context.clock.state(),
      journal: { firstSeq: context.journal.firstSeq, lastSeq: context.journal.lastSeq },
      workload: context.workload.status(),
    }),
  );

  add('GET', '/knobs', () => jsonResponse(200, context.faults.current));
  add('PATCH', '/knobs', async (request) =>
    jsonResponse(200, context.faults.update(await adminJson(request))),
  );
  add('PUT', '/knobs', async (request) => {
    const body = await adminJson(request);
    context.faults.reset();
    return jsonResponse(200, context.faults.update(body));
  });
  add('DELETE', '/knobs', () => jsonResponse(200, context.faults.reset()));

  add('GET', '/faults', () => jsonResponse(200, context.faults.pendingScript()));
  add('POST', '/faults', async (request) => {
    context.faults.enqueue(await adminJson(request));
    return jsonResponse(200, context.faults.pendingScript());
  });
  add('DELETE', '/faults', () => {
    context.faults.clearScript();
    return jsonResponse(200, []);
  });

  add('GET', '/clock', () => jsonResponse(200, context.clock.state()));
  add('POST', '/clock', async (request) => {
    const control: ClockControl = parseOr400(clockControlSchema, await adminJson(request));
    return jsonResponse(200, context.clock.apply(control));
  });

  add('POST', '/tokens/expire', () => jsonResponse(200, { expired: context.expireTokens() }));

  add('GET', '/journal', (request) => {
    const after = intParam(request, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(request, 'limit', 1000, 10_000);
    const filters = [...request.url.searchParams].filter(
      ([key]) => key !== 'after' && key !== 'limit',
    );
    const where =
      filters.length === 0
        ? undefined
        : (entry: JournalRecord<object>) =>
            filters.every(
              ([key, value]) => String((entry as Record<string, unknown>)[key]) === value,
            );
    return jsonResponse(200, context.journal.read(after, limit, where));
  });

  add('GET', '/requests', (request) => {
    const after = intParam(request, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(request, 'limit', 100, 10_000);
    return jsonResponse(200, { entries: context.requestLog.read(after, limit) });
  });
  add('DELETE', '/requests', () => {
    context.requestLog.clear();
    return jsonResponse(200, { entries: [] });
  });

  add('GET', '/workload', () => jsonResponse(200, context.workload.status()));
  add('POST', '/workload/start', async (request) =>
    jsonResponse(200, context.workload.start(await adminJson(request))),
  );
  add('POST', '/workload/stop', () => jsonResponse(200, context.workload.stop()));
  add('POST', '/workload/run', async (request) => {
    const body = await adminJson(request);
    const { ops, ...settings } = parseOr400(runSchema, body);
    return jsonResponse(200, context.workload.runOps(ops, settings));
  });

  add('POST', '/snapshot', async () => jsonResponse(200, { path: await context.saveSnapshot() }));

  extend?.(router);
  return router;
}
