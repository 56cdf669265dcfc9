import type { Rng } from '../core/prng.js';
import type {
  WorkloadDriver,
  WorkloadEffect,
  WorkloadOp,
  WorkloadSettings,
} from '../core/workload.js';
import type { TsmChangeContext, TsmDb } from './db.js';
import { personName, phrase, randomBody } from './demo-data.js';
import { tsmEntities } from './schema.js';

/** Entities the workload changes when the settings name none. */
export const DEFAULT_TSM_WORKLOAD_ENTITIES = ['customers', 'tickets'] as const;

/**
 * The tSM side of the workload generator. Entity uniformly among those allowed; the target
 * uniformly among live records (or within a hot set of `hotRecords`); an update changes one
 * or two fields through a merge patch; a soft delete applies the entity's soft-delete values
 * (customers: status DELETED, tickets: status CANCELED, …; others get an update); a delete
 * removes the record. Nothing to work on → a create. Changes go through the API's code.
 */
export class TsmWorkloadDriver implements WorkloadDriver {
  private readonly hot = new Map<string, string[]>();
  private serial = 100_000;

  constructor(
    private readonly db: TsmDb,
    private readonly user: string,
  ) {}

  perform(op: WorkloadOp, rng: Rng, settings: WorkloadSettings): WorkloadEffect | null {
    const entity = rng.pick(settings.entities ?? DEFAULT_TSM_WORKLOAD_ENTITIES);
    const def = tsmEntities.get(entity);
    if (def === undefined) return null;
    const context: TsmChangeContext = { user: this.user, source: 'workload' };
    const target = op === 'create' ? undefined : this.pickTarget(entity, rng, settings);
    if (target === undefined) {
      this.serial += 1;
      const row = this.db.create(def, randomBody(this.db, entity, rng, this.serial), context);
      return { op: 'create', instance: def.module, entity, id: row.id as string };
    }
    if (op === 'delete') {
      this.db.remove(def, target, context);
      const hot = this.hot.get(entity);
      if (hot !== undefined)
        this.hot.set(
          entity,
          hot.filter((id) => id !== target),
        );
      return { op: 'delete', instance: def.module, entity, id: target };
    }
    if (op === 'softDelete' && def.softDelete !== undefined) {
      this.db.patch(def, target, def.softDelete, context);
      return { op: 'softDelete', instance: def.module, entity, id: target };
    }
    this.db.patch(def, target, this.change(entity, rng), context);
    return { op: 'update', instance: def.module, entity, id: target };
  }

  private change(entity: string, rng: Rng): Record<string, unknown> {
    switch (entity) {
      case 'customers':
        return rng.chance(0.5)
          ? { remarks: phrase(rng), revenue: rng.int(0, 500) * 100 }
          : { chars: { score: rng.int(0, 100) } };
      case 'tickets':
        return rng.chance(0.5)
          ? { status: rng.pick(['IN_PROGRESS', 'RESOLVED', 'CLOSED']) }
          : { assignee: rng.chance(0.2) ? null : personName(rng), description: phrase(rng) };
      default:
        return { name: phrase(rng) };
    }
  }

  private pickTarget(entity: string, rng: Rng, settings: WorkloadSettings): string | undefined {
    const store = this.db.store(entity);
    if (store.size === 0) return undefined;
    if (settings.hotRecords === null) return store.randomId(rng);
    const hot = (this.hot.get(entity) ?? []).filter((id) => store.rows.has(id));
    for (
      let tries = 0;
      hot.length < settings.hotRecords && tries < settings.hotRecords * 4;
      tries++
    ) {
      const id = store.randomId(rng);
      if (id !== undefined && !hot.includes(id)) hot.push(id);
    }
    this.hot.set(entity, hot);
    return hot.length === 0 ? undefined : rng.pick(hot);
  }
}
