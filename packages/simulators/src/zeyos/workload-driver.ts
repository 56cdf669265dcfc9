import type { Rng } from '../core/prng.js';
import type {
  WorkloadDriver,
  WorkloadEffect,
  WorkloadOp,
  WorkloadSettings,
} from '../core/workload.js';
import type { ChangeContext, ZeyosInstanceDb } from './db.js';
import { personName, phrase, place, randomRecord } from './demo-data.js';
import type { ZeyosInstances } from './instance.js';
import { entityDef } from './schema.js';

/** Entities the workload changes when the settings name none. */
export const DEFAULT_WORKLOAD_ENTITIES = ['accounts', 'contacts'] as const;

/**
 * The ZeyOS side of the workload generator. Choices, all from the seeded generator:
 * - instance and entity: uniformly among those allowed by the settings;
 * - the record to change: uniformly among live records (probing random IDs below the ID
 *   watermark), or among a fixed "hot set" of `hotRecords` live records when set, refilled
 *   when one is deleted;
 * - an update changes one or two plain fields (a name, a city, a status...) or, one time in
 *   five, an extdata value; tickets get a new status, name or description;
 * - a soft delete sets visibility 2 on a record that is not deleted yet (entities without
 *   visibility get an update instead); a delete removes the record.
 * Operations with nothing to work on (update of an empty entity) become creates.
 */
export class ZeyosWorkloadDriver implements WorkloadDriver {
  private readonly hot = new Map<string, number[]>();

  constructor(
    private readonly instances: ZeyosInstances,
    private readonly userId: (instance: string) => number,
  ) {}

  perform(op: WorkloadOp, rng: Rng, settings: WorkloadSettings): WorkloadEffect | null {
    const instanceNames = settings.instances ?? [...this.instances.keys()];
    const instance = this.instances.get(rng.pick(instanceNames));
    if (instance === undefined) return null;
    const entity = rng.pick(settings.entities ?? DEFAULT_WORKLOAD_ENTITIES);
    const def = entityDef(entity);
    if (def === undefined) return null;
    const db = instance.db;
    const context: ChangeContext = { userId: this.userId(instance.name), source: 'workload' };

    const target =
      op === 'create' ? undefined : this.pickTarget(db, entity, rng, settings, op === 'softDelete');
    if (op === 'create' || target === undefined) {
      const row = db.create(entity, randomRecord(db, entity, rng, [context.userId ?? 1]), context);
      return { op: 'create', instance: instance.name, entity, id: row.data.ID as number };
    }
    if (op === 'delete') {
      db.remove(entity, target, context);
      const hot = this.hot.get(`${instance.name}/${entity}`);
      if (hot !== undefined)
        this.hot.set(
          `${instance.name}/${entity}`,
          hot.filter((id) => id !== target),
        );
      return { op: 'delete', instance: instance.name, entity, id: target };
    }
    if (op === 'softDelete' && def.visibility) {
      db.update(entity, target, { visibility: 2 }, context);
      return { op: 'softDelete', instance: instance.name, entity, id: target };
    }
    db.update(entity, target, this.change(entity, rng, def.extdata.write), context);
    return { op: 'update', instance: instance.name, entity, id: target };
  }

  private change(entity: string, rng: Rng, extdata: boolean): Record<string, unknown> {
    if (extdata && rng.chance(0.2)) return { extdata: { score: rng.int(0, 100) } };
    switch (entity) {
      case 'contacts': {
        const at = place(rng);
        return rng.chance(0.5)
          ? { city: at.city, postalcode: at.postalcode, country: at.country }
          : personName(rng);
      }
      case 'accounts':
        return rng.chance(0.5) ? { type: rng.int(0, 5) } : { description: phrase(rng) };
      case 'tickets':
        // Help desks rename and describe tickets as often as they move them along.
        if (rng.chance(0.5)) return { status: rng.int(0, 11) };
        return rng.chance(0.5) ? { name: phrase(rng) } : { description: phrase(rng) };
      case 'users':
        return {};
      default: {
        const def = entityDef(entity);
        if (def?.fields.get('status')?.enum !== undefined) {
          const values = def.fields.get('status')?.enum ?? [0];
          return { status: rng.pick(values) };
        }
        if (def?.fields.has('description') === true) return { description: phrase(rng) };
        return def?.fields.get('name')?.type === 'string' ? { name: phrase(rng) } : {};
      }
    }
  }

  private pickTarget(
    db: ZeyosInstanceDb,
    entity: string,
    rng: Rng,
    settings: WorkloadSettings,
    notDeleted: boolean,
  ): number | undefined {
    const collection = db.collection(entity);
    if (collection.size === 0) return undefined;
    const usable = (id: number) => {
      const row = collection.get(id);
      return row !== undefined && (!notDeleted || row.data.visibility !== 2);
    };
    if (settings.hotRecords !== null) {
      const key = `${db.instance}/${entity}`;
      const hot = (this.hot.get(key) ?? []).filter((id) => collection.has(id));
      for (
        let tries = 0;
        hot.length < settings.hotRecords && tries < settings.hotRecords * 4;
        tries++
      ) {
        const id = this.randomLive(db, entity, rng);
        if (id !== undefined && !hot.includes(id)) hot.push(id);
      }
      this.hot.set(key, hot);
      const candidates = hot.filter(usable);
      return candidates.length === 0 ? undefined : rng.pick(candidates);
    }
    for (let tries = 0; tries < 4; tries++) {
      const id = this.randomLive(db, entity, rng);
      if (id !== undefined && usable(id)) return id;
    }
    return undefined;
  }

  private randomLive(db: ZeyosInstanceDb, entity: string, rng: Rng): number | undefined {
    const collection = db.collection(entity);
    const top = collection.idWatermark;
    for (let tries = 0; tries < 16 && top > 0; tries++) {
      const id = rng.int(1, top);
      if (collection.has(id)) return id;
    }
    for (const row of collection.values()) return row.data.ID as number;
    return undefined;
  }
}
