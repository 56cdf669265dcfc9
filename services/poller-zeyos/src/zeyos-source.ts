import { where, zeyosEntitySchemas, type ZeyosClient } from '@tidemark/zeyos';
import { TidemarkError } from '@tidemark/errors';
import { IdSet, type ChangeSource, type PollContext, type StartMode } from '@tidemark/poller';
import {
  applyPage,
  applyReconciliation,
  decodeState,
  encodeState,
  initialState,
  nextQuery,
  startBackfill,
  type CursorSettings,
  type RawRow,
  type RowValidator,
  type ZeyosState,
} from './core/cursor.js';

export interface ZeyosSourceSettings {
  instance: string;
  /** ZeyOS entity, e.g. `accounts`. */
  entity: string;
  /** Rows per list request. Default 1000. */
  pageSize?: number;
  /** Seconds below the newest seen second re-read every cycle. Default 5. */
  lookbackSeconds?: number;
  /** How often the ID reconciliation (permanent deletes) runs. Default 3 600 000 ms; 0 = never. */
  reconcileIntervalMs?: number;
  /** Rows per request of the reconciliation's ID scan. Default 10 000. */
  reconcilePageSize?: number;
}

/**
 * The ZeyOS change source: one entity through the list endpoint. See core/cursor.ts for the
 * cursor; this file only turns its queries into requests.
 */
export function createZeyosSource(
  client: ZeyosClient,
  settings: ZeyosSourceSettings,
): ChangeSource<ZeyosState> {
  const cursor: CursorSettings = {
    system: 'zeyos',
    instance: settings.instance,
    entity: settings.entity,
    pageSize: settings.pageSize ?? 1000,
    lookbackSeconds: settings.lookbackSeconds ?? 5,
  };
  const reconcileIntervalMs = settings.reconcileIntervalMs ?? 3_600_000;
  const reconcilePageSize = settings.reconcilePageSize ?? 10_000;
  const schema = (
    zeyosEntitySchemas as Record<
      string,
      { safeParse(v: unknown): { success: boolean; error?: unknown } } | undefined
    >
  )[settings.entity];
  const validate: RowValidator = (row) => {
    if (schema === undefined) return { ok: true };
    const parsed = schema.safeParse(row);
    if (parsed.success) return { ok: true };
    return {
      ok: false,
      error: new TidemarkError(
        'EVENT_INVALID',
        `${settings.entity} record does not match its schema`,
        {
          retryable: false,
          details: { issues: issuePaths(parsed.error) },
        },
      ),
    };
  };

  async function newestSecond(signal: AbortSignal): Promise<number> {
    const rows = await client.listRaw(
      settings.entity,
      { fields: ['lastmodified'], sort: ['-lastmodified'], limit: 1 },
      { signal },
    );
    const lm = rows[0]?.lastmodified;
    return typeof lm === 'number' ? lm : 0;
  }

  async function scanIds(signal: AbortSignal): Promise<IdSet> {
    const present = new IdSet();
    let afterId = 0;
    for (;;) {
      const rows = await client.listRaw(
        settings.entity,
        {
          fields: ['ID'],
          filter: where.gt('ID', afterId),
          sort: ['+ID'],
          limit: reconcilePageSize,
        },
        { signal },
      );
      for (const row of rows) {
        const id = row.ID;
        if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) {
          present.add(id);
          afterId = Math.max(afterId, id);
        }
      }
      if (rows.length < reconcilePageSize) return present;
    }
  }

  return {
    system: 'zeyos',
    instance: settings.instance,
    entityType: settings.entity,
    async initialState(start: StartMode, context: PollContext) {
      switch (start.mode) {
        case 'snapshot':
          return initialState(
            { phase: 'snapshot', untilLm: await newestSecond(context.signal) },
            context.now(),
          );
        case 'now':
          return initialState(
            { phase: 'incremental', fromLm: await newestSecond(context.signal) },
            context.now(),
          );
        case 'timestamp':
          return initialState(
            { phase: 'incremental', fromLm: Math.floor(start.atMs / 1000) },
            context.now(),
          );
      }
    },
    async poll(state, context) {
      const now = context.now();
      if (
        state.phase === 'incremental' &&
        state.pos === null &&
        reconcileIntervalMs > 0 &&
        now - state.lastReconcileMs >= reconcileIntervalMs
      ) {
        // Only a scan that read every page concludes anything; a failure throws before.
        const present = await scanIds(context.signal);
        return applyReconciliation(state, present, cursor, now);
      }
      const query = nextQuery(state, cursor);
      const filter =
        query.kind === 'snapshot'
          ? where.and(where.gt('ID', query.afterId), where.lt('lastmodified', query.untilLm))
          : query.kind === 'from'
            ? where.ge('lastmodified', query.lm)
            : where.or(
                where.gt('lastmodified', query.lm),
                where.and(where.eq('lastmodified', query.lm), where.gt('ID', query.id)),
              );
      const rows: RawRow[] = await client.listRaw(
        settings.entity,
        {
          filter,
          sort: query.kind === 'snapshot' ? ['+ID'] : ['+lastmodified', '+ID'],
          limit: cursor.pageSize,
        },
        { signal: context.signal },
      );
      return applyPage(state, rows, cursor, validate);
    },
    startBackfill,
    encodeState,
    decodeState,
  };
}

function issuePaths(error: unknown): string[] {
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
  return issues
    .slice(0, 10)
    .map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
}
