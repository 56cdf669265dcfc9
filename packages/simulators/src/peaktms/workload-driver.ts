import type { Rng } from '../core/prng.js';
import type {
  WorkloadDriver,
  WorkloadEffect,
  WorkloadOp,
  WorkloadSettings,
} from '../core/workload.js';
import { isObjectKind, type ObjectKind } from './catalogue.js';
import { attributeValue, type PeakChangeContext, type PeakDb } from './db.js';
import { randomBody } from './demo-data.js';

/** Kinds the workload changes when the settings name none. */
export const DEFAULT_PEAKTMS_WORKLOAD_KINDS = ['activities', 'projects'] as const;

const WORDS = ['climate', 'shock', 'EMC', 'burn-in', 'drop', 'salt spray', 'humidity', 'rerun'];

/**
 * The PeakTMS side of the workload generator, through the same code as the API. Kind
 * uniformly among those allowed (`entities`), the target uniformly among live records (or a
 * hot set); an update renames or changes one or two attributes; a "soft delete" moves an
 * activity to status Cancelled (projects: Closed; others get an update); a delete removes an
 * unreferenced record (a referenced one gets an update). Nothing to work on → a create.
 */
export class PeaktmsWorkloadDriver implements WorkloadDriver {
  private readonly hot = new Map<ObjectKind, string[]>();

  constructor(
    private readonly db: PeakDb,
    private readonly user: string,
  ) {}

  perform(op: WorkloadOp, rng: Rng, settings: WorkloadSettings): WorkloadEffect | null {
    const name = rng.pick(settings.entities ?? DEFAULT_PEAKTMS_WORKLOAD_KINDS);
    if (!isObjectKind(name)) return null;
    const kind = name;
    const context: PeakChangeContext = { user: this.user, source: 'workload' };
    const target = op === 'create' ? undefined : this.pickTarget(kind, rng, settings);
    if (target === undefined) {
      const row = this.db.create(kind, randomBody(this.db, kind, rng), context);
      return { op: 'create', instance: 'peaktms', entity: kind, id: row.id as string };
    }
    if (op === 'delete') {
      try {
        this.db.remove(kind, target, context);
        return { op: 'delete', instance: 'peaktms', entity: kind, id: target };
      } catch {
        // Still referenced: fall through to an update.
      }
    }
    const row = this.db.get(kind, target);
    const status = attributeValue(row, 'Status');
    if (op === 'softDelete' && typeof status === 'string') {
      const goal = kind === 'projects' ? 'Closed' : 'Cancelled';
      try {
        this.db.update(
          kind,
          target,
          { attributes: [{ name: 'Status', value: goal }] },
          'patch',
          context,
        );
        return { op: 'softDelete', instance: 'peaktms', entity: kind, id: target };
      } catch {
        // Transition not allowed from here: an ordinary update instead.
      }
    }
    this.db.update(kind, target, this.change(row.type as string, rng), 'patch', context);
    return { op: 'update', instance: 'peaktms', entity: kind, id: target };
  }

  private change(type: string, rng: Rng): Record<string, unknown> {
    const word = rng.pick(WORDS);
    switch (type) {
      case 'Test':
        return rng.chance(0.5)
          ? {
              attributes: [
                { name: 'Samples', value: rng.int(1, 50) },
                { name: 'Cost', value: rng.int(100, 99_999) / 100 },
              ],
            }
          : { attributes: [{ name: 'Description', value: `${word} run ${rng.int(1, 999)}` }] };
      case 'Customer project':
        return { attributes: [{ name: 'Budget', value: rng.int(1000, 500_000) }] };
      case 'Test bench':
        return { attributes: [{ name: 'Capacity', value: rng.int(1, 20) }] };
      default:
        return { name: `${word} ${rng.int(1, 9999)}` };
    }
  }

  private pickTarget(kind: ObjectKind, rng: Rng, settings: WorkloadSettings): string | undefined {
    const ids = [...this.db.store(kind).keys()];
    if (ids.length === 0) return undefined;
    if (settings.hotRecords === null) return rng.pick(ids);
    const hot = (this.hot.get(kind) ?? []).filter((id) => this.db.store(kind).has(id));
    for (
      let tries = 0;
      hot.length < settings.hotRecords && tries < settings.hotRecords * 4;
      tries++
    ) {
      const id = rng.pick(ids);
      if (!hot.includes(id)) hot.push(id);
    }
    this.hot.set(kind, hot);
    return hot.length === 0 ? undefined : rng.pick(hot);
  }
}
