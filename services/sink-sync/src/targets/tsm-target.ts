import type { JsonObject } from '@tidemark/events';
import { where, type TsmClient } from '@tidemark/tsm';
import type { TargetState } from '../core/plan.js';
import { ambiguousMatch, type SyncTarget } from './target.js';

/**
 * tSM has no archive operation; its entities carry a soft-delete state instead (the
 * simulator's README, after the guide's status and active fields).
 */
const TSM_SOFT_DELETE: Readonly<Record<string, JsonObject>> = {
  customers: { status: 'DELETED', active: false },
  tickets: { status: 'CANCELED' },
  users: { active: false },
  'register-values': { active: false },
  'entity-catalogs': { active: false },
};

/** tSM as a sync target: UUIDs the client may assign, `auditInfo.version` for locking. */
export function tsmTarget(client: TsmClient): SyncTarget {
  const state = (record: JsonObject): TargetState => {
    const audit = record['auditInfo'];
    const info = audit !== null && typeof audit === 'object' && !Array.isArray(audit) ? audit : {};
    const edited = info['whenEdited'] ?? info['whenInserted'];
    const version = info['version'];
    const id = record['id'];
    return {
      id: typeof id === 'string' ? id : '',
      record,
      changedAtMs: typeof edited === 'string' ? Date.parse(edited) || 0 : 0,
      version: typeof version === 'number' ? String(version) : '',
    };
  };
  return {
    system: 'tsm',
    archived: (entity) => TSM_SOFT_DELETE[entity],
    async read(entity, id, signal) {
      const record = await client.entity(entity).find(id, { signal });
      return record === undefined ? undefined : state(record as JsonObject);
    },
    async find(entity, field, value, signal) {
      const records = await client
        .entity(entity)
        .search({ filter: [where.eq(field, value)], size: 2 }, { signal });
      if (records.length > 1) {
        throw ambiguousMatch(`more than one tSM ${entity} record has that ${field}`, {
          entity,
          field,
          ids: records.map((record) => (record as JsonObject)['id']),
        });
      }
      const [record] = records;
      return record === undefined ? undefined : state(record as JsonObject);
    },
    async create(entity, fields, idHint, signal) {
      const created = await client.entity(entity).create(fields, { id: idHint, signal });
      const { id, version } = state(created.record as JsonObject);
      if (id === '') throw new Error('tSM answered a create without an id');
      return { id, version };
    },
    async update(entity, id, fields, ifVersion, signal) {
      const updated = await client.entity(entity).patch(id, fields, {
        ...(ifVersion === '' ? {} : { version: Number(ifVersion) }),
        signal,
      });
      return { version: state(updated as JsonObject).version };
    },
    asChange: (current) => ({
      op: 'update',
      after: current.record,
      changedAt: new Date(current.changedAtMs).toISOString(),
    }),
    async delete(entity, id, _ifVersion, signal) {
      await client.entity(entity).delete(id, { signal });
    },
  };
}
