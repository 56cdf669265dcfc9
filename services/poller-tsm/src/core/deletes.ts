/**
 * Delete detection, pure. /page only shows records that exist, so a permanent delete is seen
 * either in the entity's /log trail (a DELETE entry) or, where the log is not available, by an
 * ID reconciliation that compares a complete scan with the ids emitted as live.
 *
 * A delete's version is `<version the record had>:deleted` (log) or `deleted` (reconciliation,
 * which does not know it): distinct from the record's last change, so (id, version) and the
 * event id stay unique per change.
 */
import { z } from 'zod';
import type { Change } from '@tidemark/events';
import type { SourceItem } from '@tidemark/poller';
import { invalid, type CursorSettings, type PageOutcome } from './cursor.js';
import { cloneState, type TsmState } from './state.js';

/**
 * A /log entry as far as delete detection needs it. tSM's shape is not public; this follows
 * the simulator's documented assumption (`seq` increasing over the whole server).
 */
export const logEntrySchema = z.looseObject({
  seq: z.number().int().nonnegative(),
  entityId: z.string().min(1),
  operation: z.string(),
  version: z.number().int().nonnegative().nullable().optional(),
  who: z.string().nullable().optional(),
  when: z.string(),
});

/** The `seq` of a log entry, when it has one: the log position cannot move without it. */
export function logSeqOf(entry: unknown): number | undefined {
  const parsed = seqSchema.safeParse(entry);
  return parsed.success ? parsed.data.seq : undefined;
}

const seqSchema = z.looseObject({ seq: z.number().int().nonnegative() });

/**
 * What a page of /log entries after `state.deletes.seq` (DELETE entries, seq ascending)
 * means: one delete event per entry; a broken entry is dead-lettered and passed.
 */
export function applyLogPage(
  before: TsmState,
  entries: readonly unknown[],
  settings: CursorSettings & { logPageSize: number },
): PageOutcome {
  const state = cloneState(before);
  const { deletes } = state;
  if (deletes.mode !== 'log') throw new Error('applyLogPage needs log delete tracking');
  const items: SourceItem[] = [];
  let newest: number | undefined;
  for (const raw of entries) {
    const seq = logSeqOf(raw);
    // Entries at or below the position were handled (a server ignoring the filter repeats them).
    if (seq !== undefined && seq <= deletes.seq) continue;
    const parsed = logEntrySchema.safeParse(raw);
    const when = parsed.success ? Date.parse(parsed.data.when) : Number.NaN;
    if (!parsed.success || Number.isNaN(when)) {
      if (seq !== undefined) deletes.seq = seq;
      items.push(invalid(raw, undefined, 'log entry without seq, entityId or when'));
      continue;
    }
    const entry = parsed.data;
    deletes.seq = entry.seq;
    if (entry.operation.toUpperCase() !== 'DELETE') continue;
    const id = entry.entityId.toLowerCase();
    state.seen.delete(id);
    newest = Math.max(newest ?? 0, when);
    items.push({
      kind: 'change',
      change: deleteChange(id, new Date(when).toISOString(), settings, {
        version: entry.version == null ? 'deleted' : `${entry.version}:deleted`,
        who: entry.who,
        sequence: String(entry.seq),
      }),
    });
  }
  return {
    items,
    state,
    advanced: deletes.seq !== (before.deletes.mode === 'log' ? before.deletes.seq : -1),
    more: entries.length >= settings.logPageSize,
    newestChangeMs: newest,
  };
}

/**
 * Concludes a complete, successful scan of every id: an id emitted as live but absent was
 * deleted. A record present throughout the scan is found by the scan's id keyset, and the
 * known set does not change during it (one poll), so nothing live is taken for deleted.
 * Called only after every page of the scan was read without error.
 */
export function applyReconciliation(
  before: TsmState,
  present: ReadonlySet<string>,
  settings: CursorSettings,
  nowMs: number,
): PageOutcome {
  const state = cloneState(before);
  const { deletes } = state;
  if (deletes.mode !== 'reconcile') throw new Error('applyReconciliation needs reconcile mode');
  const items: SourceItem[] = [];
  const at = new Date(nowMs).toISOString();
  for (const id of [...deletes.known].sort()) {
    if (present.has(id)) continue;
    deletes.known.delete(id);
    state.seen.delete(id);
    items.push({
      kind: 'change',
      change: deleteChange(id, at, settings, { version: 'deleted', who: undefined }),
    });
  }
  deletes.lastMs = nowMs;
  return { items, state, advanced: true, more: false, newestChangeMs: undefined };
}

function deleteChange(
  id: string,
  changedAt: string,
  settings: CursorSettings,
  meta: { version: string; who: string | null | undefined; sequence?: string },
): Change {
  return {
    op: 'delete',
    system: 'tsm',
    instance: settings.instance,
    entityType: settings.entity,
    entityId: id,
    after: null,
    changedAt,
    version: meta.version,
    ...(meta.who === undefined ? {} : { changedBy: meta.who }),
    ...(meta.sequence === undefined ? {} : { sequence: meta.sequence }),
  };
}
