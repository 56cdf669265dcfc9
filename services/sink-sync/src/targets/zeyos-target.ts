import { isTidemarkError } from '@tidemark/errors';
import type { JsonObject } from '@tidemark/events';
import { where, type ZeyosClient } from '@tidemark/zeyos';
import type { TargetState } from '../core/plan.js';
import { ambiguousMatch, type SyncTarget } from './target.js';

/** ZeyOS as a sync target: integer IDs, ETag versions, `lastmodified` in Unix seconds. */
export function zeyosTarget(client: ZeyosClient): SyncTarget {
  const state = (id: number, record: JsonObject, etag: string | undefined): TargetState => ({
    id: String(id),
    record,
    changedAtMs: typeof record['lastmodified'] === 'number' ? record['lastmodified'] * 1000 : 0,
    // Without an ETag the update goes unconditional (the simulator and ZeyOS both send one).
    version: etag ?? '',
  });
  return {
    system: 'zeyos',
    // ZeyOS's visibility 1 is ARCHIVED (2 is DELETED, which pollers report as a delete).
    archived: () => ({ visibility: 1 }),
    async read(entity, id, signal) {
      const numeric = Number(id);
      if (!Number.isSafeInteger(numeric)) return undefined;
      try {
        // With extdata: rules may write and match form fields (`extdata.<name>`), and whether
        // the target already holds a write is decided on the record as read.
        const got = await client.get(entity, numeric, { extdata: true, signal });
        if (got.status !== 'ok') return undefined;
        return state(numeric, got.record as JsonObject, got.etag);
      } catch (error) {
        if (isTidemarkError(error) && error.code === 'HTTP_NOT_FOUND') return undefined;
        throw error;
      }
    },
    async find(entity, field, value, signal) {
      // Two, to tell a unique match from an ambiguous one: ZeyOS does not enforce unique numbers.
      const rows = await client.listRaw(
        entity,
        { filter: where.eq(field, value), limit: 2 },
        { signal },
      );
      if (rows.length > 1) {
        throw ambiguousMatch(`more than one ZeyOS ${entity} record has that ${field}`, {
          entity,
          field,
          ids: rows.map((row) => row['ID']),
        });
      }
      const id = rows[0]?.['ID'];
      return typeof id === 'number' ? this.read(entity, String(id), signal) : undefined;
    },
    async create(entity, fields, _idHint, signal) {
      const created = await client.create(entity, fields, { signal });
      return { id: String(created.id), version: created.etag ?? '' };
    },
    async update(entity, id, fields, ifVersion, signal) {
      const updated = await client.update(entity, Number(id), fields, {
        ...(ifVersion === '' ? {} : { ifMatch: ifVersion }),
        signal,
      });
      return { version: updated.etag ?? '' };
    },
    asChange(current) {
      const deleted = current.record['visibility'] === 2;
      return {
        op: deleted ? 'delete' : 'update',
        after: deleted ? null : current.record,
        changedAt: new Date(current.changedAtMs).toISOString(),
      };
    },
    async delete(entity, id, ifVersion, signal) {
      await client.delete(entity, Number(id), {
        ...(ifVersion === '' ? {} : { ifMatch: ifVersion }),
        missingOk: true,
        signal,
      });
    },
  };
}
