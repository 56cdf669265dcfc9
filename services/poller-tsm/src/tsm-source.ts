import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import type { ChangeSource, PollContext, StartMode } from '@tidemark/poller';
import {
  tsmEntitySchemas,
  tsmRecordSchema,
  where,
  type TsmClient,
  type TsmEntityClient,
  type TsmFilterCondition,
  type TsmRecord,
} from '@tidemark/tsm';
import {
  applyPage,
  initialState,
  nextQuery,
  type CursorSettings,
  type PageOutcome,
  type PageQuery,
  type RecordValidator,
} from './core/cursor.js';
import {
  applyBackfillPage,
  backfillQuery,
  isBackfillTurn,
  startBackfill,
} from './core/backfill.js';
import { applyLogPage, applyReconciliation } from './core/deletes.js';
import { decodeState, encodeState, type DeleteTracking, type TsmState } from './core/state.js';

export interface TsmSourceSettings {
  /** Names this tSM installation in stream ids and events, e.g. `acme`. */
  instance: string;
  /** tSM entity, e.g. `customers`, `register-values`. */
  entity: string;
  /** Records per /page request (the server caps it; the simulator at 2000). Default 500. */
  pageSize?: number;
  /** Re-read window below the newest whenEdited read. Default 5 000 ms. */
  lookbackMs?: number;
  /** Reads stop this far behind our clock. Default 1 000 ms. */
  safetyLagMs?: number;
  /** `log` (default): deletes from the entity's /log; `reconcile`: from periodic id scans. */
  deletes?: 'log' | 'reconcile';
  /** /log entries per request. Default 500. */
  logPageSize?: number;
  /** How often the id reconciliation runs (mode `reconcile`). Default 3 600 000 ms. */
  reconcileIntervalMs?: number;
  /** Records per request of the reconciliation's id scan. Default 2 000. */
  reconcilePageSize?: number;
}

const WHEN_EDITED = 'auditInfo.whenEdited';
const whenEditedSchema = z.looseObject({ auditInfo: z.looseObject({ whenEdited: z.string() }) });
const KEYSET_SORT = [`${WHEN_EDITED},ASC`, 'id,ASC'];

/**
 * The tSM change source: one entity through /page on the (whenEdited, id) keyset, deletes from
 * /log or reconciliation. See core/ for the cursor; this file only turns its queries into
 * requests.
 */
export function createTsmSource(
  client: TsmClient,
  settings: TsmSourceSettings,
): ChangeSource<TsmState> {
  const cursor: CursorSettings = {
    instance: settings.instance,
    entity: settings.entity,
    pageSize: settings.pageSize ?? 500,
    lookbackMs: settings.lookbackMs ?? 5_000,
    safetyLagMs: settings.safetyLagMs ?? 1_000,
  };
  const deletesMode = settings.deletes ?? 'log';
  const logPageSize = settings.logPageSize ?? 500;
  const reconcileIntervalMs = settings.reconcileIntervalMs ?? 3_600_000;
  const reconcilePageSize = settings.reconcilePageSize ?? 2_000;
  const api: TsmEntityClient<TsmRecord> = client.entity(settings.entity);
  const schema =
    (tsmEntitySchemas as Record<string, typeof tsmRecordSchema | undefined>)[settings.entity] ??
    tsmRecordSchema;
  const validate: RecordValidator = (record) => {
    const parsed = schema.safeParse(record);
    if (parsed.success) return { ok: true };
    return {
      ok: false,
      error: new TidemarkError(
        'EVENT_INVALID',
        `${settings.entity} record does not match its schema`,
        {
          retryable: false,
          // Paths and messages only: values would leak the record into logs.
          details: {
            issues: parsed.error.issues
              .slice(0, 10)
              .map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`),
          },
        },
      ),
    };
  };

  function filterOf(query: PageQuery): TsmFilterCondition[] {
    if (query.kind === 'ties') {
      return [where.eq(WHEN_EDITED, new Date(query.atMs)), where.gt('id', query.afterId)];
    }
    const filter: TsmFilterCondition[] = [];
    if (query.from !== null) {
      const from = new Date(query.from.ms);
      filter.push(
        query.from.inclusive ? where.gte(WHEN_EDITED, from) : where.gt(WHEN_EDITED, from),
      );
    }
    const to = new Date(query.to.ms);
    filter.push(query.to.inclusive ? where.lte(WHEN_EDITED, to) : where.lt(WHEN_EDITED, to));
    return filter;
  }

  /** The newest record's whenEdited, or undefined for an empty entity. */
  async function newestEditMs(signal: AbortSignal): Promise<number | undefined> {
    const page = await api.pageRaw(
      { sort: [`${WHEN_EDITED},DESC`, 'id,DESC'], size: 1 },
      { signal },
    );
    const newest = page.content[0];
    if (newest === undefined) return undefined;
    // Only the timestamp matters here; a record failing its schema otherwise still counts.
    const parsed = whenEditedSchema.safeParse(newest);
    const ms = parsed.success ? Date.parse(parsed.data.auditInfo.whenEdited) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new TidemarkError(
        'HTTP_RESPONSE_INVALID',
        `tSM ${settings.entity}: the newest record has no auditInfo.whenEdited to start from`,
        { retryable: false },
      );
    }
    return ms;
  }

  /** The last /log position before `beforeMs` (or the newest): where delete tracking begins. */
  async function logStart(signal: AbortSignal, beforeMs?: number): Promise<number> {
    const page = await api.log(
      {
        ...(beforeMs === undefined ? {} : { filter: [where.lt('when', new Date(beforeMs))] }),
        sort: ['seq,DESC'],
        size: 1,
      },
      { signal },
    );
    const first = page.content[0];
    if (first === undefined) return 0;
    const seq = first['seq'];
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      throw new TidemarkError(
        'HTTP_RESPONSE_INVALID',
        `tSM ${settings.entity}/log entries have no seq: use delete detection by reconciliation`,
        { retryable: false },
      );
    }
    return seq;
  }

  async function deleteTracking(context: PollContext, beforeMs?: number): Promise<DeleteTracking> {
    if (deletesMode === 'reconcile')
      return { mode: 'reconcile', known: new Set(), lastMs: context.now() };
    return { mode: 'log', seq: await logStart(context.signal, beforeMs) };
  }

  async function scanIds(signal: AbortSignal): Promise<Set<string>> {
    const present = new Set<string>();
    let afterId: string | undefined;
    for (;;) {
      const page = await api.pageRaw(
        {
          ...(afterId === undefined ? {} : { filter: [where.gt('id', afterId)] }),
          sort: ['id,ASC'],
          size: reconcilePageSize,
        },
        { signal },
      );
      for (const record of page.content) {
        const raw = record['id'];
        if (typeof raw === 'string' && raw !== '') {
          // The server stores and sorts ids lowercase.
          const id = raw.toLowerCase();
          present.add(id);
          if (afterId === undefined || id > afterId) afterId = id;
        }
      }
      if (page.content.length < reconcilePageSize) return present;
    }
  }

  async function readDeletes(state: TsmState, signal: AbortSignal): Promise<PageOutcome> {
    const seq = state.deletes.mode === 'log' ? state.deletes.seq : 0;
    const page = await api.log(
      {
        filter: [where.gt('seq', seq), where.eq('operation', 'DELETE')],
        sort: ['seq,ASC'],
        size: logPageSize,
      },
      { signal },
    );
    return applyLogPage(state, page.content, { ...cursor, logPageSize });
  }

  return {
    system: 'tsm',
    instance: settings.instance,
    entityType: settings.entity,
    async initialState(start: StartMode, context: PollContext) {
      switch (start.mode) {
        case 'snapshot': {
          // The delete position first: a delete between the two reads is then reported (a
          // harmless extra delete) rather than lost.
          const deletes = await deleteTracking(context);
          const untilMs = context.now() - cursor.safetyLagMs;
          return initialState({ phase: 'snapshot', untilMs }, deletes, cursor);
        }
        case 'now': {
          const deletes = await deleteTracking(context);
          // From the source's own newest change, not our clock: clock skew cannot open a gap.
          const newest = await newestEditMs(context.signal);
          const fromMs = newest === undefined ? 0 : newest + 1;
          return initialState({ phase: 'incremental', fromMs }, deletes, cursor);
        }
        case 'timestamp': {
          const deletes = await deleteTracking(context, start.atMs);
          return initialState({ phase: 'incremental', fromMs: start.atMs }, deletes, cursor);
        }
      }
    },
    async poll(state, context) {
      const now = context.now();
      const { deletes } = state;
      if (
        deletes.mode === 'reconcile' &&
        state.phase === 'incremental' &&
        state.pos === null &&
        now - deletes.lastMs >= reconcileIntervalMs
      ) {
        // Only a scan that read every page concludes anything; a failure throws before.
        return applyReconciliation(state, await scanIds(context.signal), cursor, now);
      }
      if (isBackfillTurn(state)) {
        const page = await api.pageRaw(
          { filter: filterOf(backfillQuery(state)), sort: KEYSET_SORT, size: cursor.pageSize },
          { signal: context.signal },
        );
        return applyBackfillPage(state, page.content, cursor, validate);
      }
      const query = nextQuery(state, cursor, now);
      const page = await api.pageRaw(
        { filter: filterOf(query), sort: KEYSET_SORT, size: cursor.pageSize },
        { signal: context.signal },
      );
      const changes = applyPage(state, page.content, cursor, validate);
      if (state.phase === 'snapshot' || changes.state.deletes.mode !== 'log') return changes;
      // Deletes after the page read: a record's last state read above precedes its delete.
      const removed = await readDeletes(changes.state, context.signal);
      return {
        items: [...changes.items, ...removed.items],
        state: removed.state,
        advanced: changes.advanced || removed.advanced,
        more: changes.more || removed.more,
        newestChangeMs: maxDefined(changes.newestChangeMs, removed.newestChangeMs),
      };
    },
    startBackfill,
    encodeState,
    decodeState,
  };
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}
