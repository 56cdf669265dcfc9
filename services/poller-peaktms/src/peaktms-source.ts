import { isTidemarkError, TidemarkError } from '@tidemark/errors';
import {
  toPeaktmsDateTime,
  type PeaktmsClient,
  type PeaktmsEntryId,
  type PeaktmsHistoryEntry,
  type PeaktmsObjectClient,
  type PeaktmsObjectKind,
} from '@tidemark/peaktms';
import type { ChangeSource, PollContext, PollResult, StartMode } from '@tidemark/poller';
import {
  afterLogPage,
  applySnapshotPage,
  decodeState,
  encodeState,
  historyQuery,
  initialState,
  snapshotQuery,
  type PeaktmsState,
  type SnapshotPosition,
} from './core/cursor.js';
import { applyBackfillPage, isBackfillTurn, passTurn, startBackfill } from './core/backfill.js';
import { entriesToItems, newestChangeMs, type CurrentRecord } from './core/history.js';
import type { MaintenanceGate } from './maintenance-gate.js';

export interface PeaktmsSourceSettings {
  /** Installation name in events, e.g. `acme`. */
  instance: string;
  /** The object kind whose history log this stream follows. */
  kind: PeaktmsObjectKind;
  /** Entries per history read and records per snapshot read (≤ 1000). Default 500. */
  pageSize?: number;
  /** A new stream reads the log from its start instant less this (clock skew). Default 5 000 ms. */
  lookbackMs?: number;
  /**
   * History pages read after a page to rebuild its records (see core/history.ts). Beyond this
   * (a long backlog), the rest is read per object instead. Default 4.
   */
  maxTailPages?: number;
  /** Entries per read of the log after a page (only the page's objects are kept). Default 1000. */
  tailPageSize?: number;
  /** GETs and per-object reads in flight at once. Default 8. */
  concurrency?: number;
  /**
   * Read a page's records with one `/query` by `ids` before falling back to GET per record.
   * Default true; turned off by itself when the server answers 400.
   */
  queryByIds?: boolean;
}

export interface PeaktmsSourceDeps {
  /** Pauses polling around maintenance windows; default: never pauses. */
  maintenance?: MaintenanceGate;
}

/**
 * The PeakTMS change source: one object kind through its history log, one event per entry.
 * Each poll reads one page of entries, GETs the page's objects, then reads the log after the
 * page so that every entry's record can be rebuilt exactly (core/history.ts). The position is
 * the last entry id of the page, committed with its events. A backfill on request walks the
 * current records on its own keyset, a page in turn with each log page (core/backfill.ts).
 */
export function createPeaktmsSource(
  client: PeaktmsClient,
  settings: PeaktmsSourceSettings,
  deps: PeaktmsSourceDeps = {},
): ChangeSource<PeaktmsState> {
  const objects: PeaktmsObjectClient = client.objects(settings.kind);
  const pageSize = settings.pageSize ?? 500;
  const lookbackMs = settings.lookbackMs ?? 5_000;
  const maxTailPages = settings.maxTailPages ?? 4;
  const tailPageSize = settings.tailPageSize ?? 1000;
  const concurrency = settings.concurrency ?? 8;
  const names = { instance: settings.instance, kind: settings.kind };

  // Records are read by one `/query` with `ids` (a plausible member of the unpublished body)
  // and, for what that answer lacks, by GET (documented). A 400 means the server does not know
  // `ids`: GET only from then on.
  let queryByIds = settings.queryByIds ?? true;

  async function fetchCurrent(
    ids: readonly string[],
    signal: AbortSignal,
  ): Promise<Map<string, CurrentRecord>> {
    const current = new Map<string, CurrentRecord>();
    if (queryByIds) {
      const wanted = new Map(ids.map((id) => [id.toLowerCase(), id]));
      try {
        const page = await objects.query({ ids, pageSize: ids.length }, { signal });
        for (const record of page.content) {
          const id = wanted.get(record.id.toLowerCase());
          if (id !== undefined) current.set(id, { status: 'found', record });
        }
      } catch (error) {
        if (isTidemarkError(error) && error.code === 'HTTP_BAD_REQUEST') queryByIds = false;
        // One record failing its schema spoils the whole answer: GET each to isolate it.
        else if (!failsSchema(error)) throw error;
      }
    }
    const rest = ids.filter((id) => !current.has(id));
    await eachLimited(rest, concurrency, async (id) => {
      try {
        const record = await objects.find(id, { signal });
        current.set(id, record === undefined ? { status: 'gone' } : { status: 'found', record });
      } catch (error) {
        if (!failsSchema(error)) throw error;
        current.set(id, {
          status: 'invalid',
          error: new TidemarkError(
            'EVENT_INVALID',
            `${settings.kind} ${id} does not match the record schema: ${issueList(error)}`,
            { retryable: false, cause: error },
          ),
        });
      }
    });
    return current;
  }

  /** The entries after `afterId` of the objects in `ids`, oldest first. */
  async function readTail(
    afterId: PeaktmsEntryId,
    ids: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<PeaktmsHistoryEntry[]> {
    const found: PeaktmsHistoryEntry[] = [];
    let position = afterId;
    for (let pages = 0; pages < maxTailPages; pages++) {
      const page = await objects.historyLog(
        { sinceEntryId: position, pageSize: tailPageSize },
        { signal },
      );
      for (const entry of page.entries)
        if (entry.objectId !== undefined && ids.has(entry.objectId)) found.push(entry);
      if (!page.hasMore || page.entries.length === 0 || page.lastEntryId === undefined)
        return found;
      if (page.lastEntryId === position) return found;
      position = page.lastEntryId;
    }
    // A long backlog: the rest only for these objects, instead of the whole log every poll.
    const perObject = new Map<string, PeaktmsHistoryEntry[]>();
    await eachLimited([...ids], concurrency, async (objectId) => {
      const entries: PeaktmsHistoryEntry[] = [];
      for await (const page of objects.historyPages(
        { sinceEntryId: position, objectId, pageSize: tailPageSize },
        { signal },
      ))
        entries.push(...page.entries);
      perObject.set(objectId, entries);
    });
    for (const entries of perObject.values()) found.push(...entries);
    return found;
  }

  async function pollLog(state: PeaktmsState, context: PollContext) {
    const page = await objects.historyLog(
      { ...historyQuery(state), pageSize },
      { signal: context.signal },
    );
    if (page.entries.length === 0) return idle(state);
    const ids = [
      ...new Set(page.entries.flatMap((e) => (e.objectId === undefined ? [] : [e.objectId]))),
    ];
    // GET first, the log after the page second: then every change the GET saw is in the log read.
    const current = await fetchCurrent(ids, context.signal);
    const end = page.lastEntryId ?? page.entries.at(-1)?.entryId;
    const later = end === undefined ? [] : await readTail(end, new Set(ids), context.signal);
    const newest = newestChangeMs(page.entries);
    return {
      items: entriesToItems(page.entries, later, current, names),
      state: afterLogPage(state, end, newest),
      advanced: true,
      more: page.hasMore,
      newestChangeMs: newest,
    };
  }

  /** One `/query` page of a keyset walk (the snapshot's or a backfill's). */
  async function readWalk(walk: SnapshotPosition, context: PollContext) {
    const q = snapshotQuery(walk);
    const page = await objects.query(
      {
        ...(q.modifiedFromMs === undefined
          ? {}
          : { modifiedFrom: toPeaktmsDateTime(q.modifiedFromMs) }),
        modifiedTo: toPeaktmsDateTime(q.modifiedToMs),
        page: q.page,
        pageSize,
      },
      { signal: context.signal },
    );
    return page.content;
  }

  async function pollBackfill(state: PeaktmsState, context: PollContext) {
    if (state.backfill === null) return pollLog(state, context);
    const rows = await readWalk(state.backfill.walk, context);
    const outcome = applyBackfillPage(state, rows, { ...names, pageSize });
    // The log's turn next, without waiting: more is ready either way.
    return { items: outcome.items, state: outcome.state, advanced: true, more: true };
  }

  /** The log, then (while a backfill runs) the turn passes to it, at once. */
  async function pollLogTakingTurns(state: PeaktmsState, context: PollContext) {
    const result = await pollLog(state, context);
    if (state.backfill === null) return result;
    return { ...result, state: passTurn(result.state), more: true };
  }

  async function pollSnapshot(state: PeaktmsState, context: PollContext) {
    if (state.snapshot === null) return pollLog({ ...state, phase: 'log' }, context);
    const rows = await readWalk(state.snapshot, context);
    const outcome = applySnapshotPage(state, rows, { ...names, pageSize });
    return {
      items: outcome.items,
      state: outcome.state,
      advanced: true,
      more: true,
      newestChangeMs: outcome.newestChangeMs,
    };
  }

  return {
    system: 'peaktms',
    instance: settings.instance,
    entityType: settings.kind,
    initialState(start: StartMode, context: PollContext) {
      const fromMs = start.mode === 'timestamp' ? start.atMs : context.now();
      return Promise.resolve(
        initialState({ snapshot: start.mode === 'snapshot', fromMs }, lookbackMs),
      );
    },
    async poll(state, context): Promise<PollResult<PeaktmsState>> {
      const pausedUntil =
        deps.maintenance === undefined ? null : await deps.maintenance.pausedUntil(context);
      if (pausedUntil !== null) return idle(state);
      if (state.phase === 'snapshot') return pollSnapshot(state, context);
      return isBackfillTurn(state)
        ? pollBackfill(state, context)
        : pollLogTakingTurns(state, context);
    },
    startBackfill: (state) => startBackfill(state, { nowMs: Date.now(), lookbackMs }),
    encodeState,
    decodeState,
  };
}

function idle(state: PeaktmsState): PollResult<PeaktmsState> {
  return { items: [], state, advanced: false, more: false };
}

/**
 * A record the client refused for its schema (HTTP_RESPONSE_INVALID with the schema's issues),
 * as opposed to a body that is not JSON at all (a damaged answer: retried with the poll).
 */
function failsSchema(error: unknown): boolean {
  return (
    isTidemarkError(error) &&
    error.code === 'HTTP_RESPONSE_INVALID' &&
    Array.isArray(error.details['issues'])
  );
}

/** Issue paths and messages (never values), for the dead letter's reason. */
function issueList(error: unknown): string {
  if (!isTidemarkError(error)) return '';
  const issues = error.details['issues'];
  if (!Array.isArray(issues)) return '';
  return issues
    .slice(0, 10)
    .map((issue: unknown) => {
      const i = issue as { path?: unknown; message?: unknown };
      return `${String(i.path)}: ${String(i.message)}`;
    })
    .join('; ');
}

/** Runs `task` for every item, at most `limit` at once; the first failure rejects. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        // The others stop taking items: the poll fails as a whole and is retried.
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
