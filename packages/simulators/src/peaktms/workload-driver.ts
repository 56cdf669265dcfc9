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
import { formatZoned, parseZoned } from './zoned.js';

/** Kinds the workload changes when the settings name none. */
export const DEFAULT_PEAKTMS_WORKLOAD_KINDS = ['activities', 'projects'] as const;

const WORDS = ['climate', 'shock', 'EMC', 'burn-in', 'drop', 'salt spray', 'humidity', 'rerun'];

/**
 * The PeakTMS side of the workload generator, through the same code as the API. Kind
 * uniformly among those allowed (`entities`), the target uniformly among live records (or a
 * hot set); an update renames, reschedules (begin and end moved together, for types with a
 * period) or changes one or two attributes; a "soft delete" moves an
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
    this.db.update(kind, target, this.change(row, rng), 'patch', context);
    return { op: 'update', instance: 'peaktms', entity: kind, id: target };
  }

  private change(row: Record<string, unknown>, rng: Rng): Record<string, unknown> {
    const word = rng.pick(WORDS);
    switch (row['type']) {
      case 'Test': {
        // One edit in three renames or reschedules, so consumers see every member change.
        const pick = rng.int(0, 5);
        if (pick === 0) return { name: `${word} ${rng.int(1, 9999)}` };
        if (pick === 1) return this.reschedule(row, rng) ?? { name: `${word} ${rng.int(1, 9999)}` };
        return pick < 4
          ? {
              attributes: [
                { name: 'Samples', value: rng.int(1, 50) },
                { name: 'Cost', value: rng.int(100, 99_999) / 100 },
              ],
            }
          : { attributes: [{ name: 'Description', value: `${word} run ${rng.int(1, 999)}` }] };
      }
      case 'Customer project':
        return { attributes: [{ name: 'Budget', value: rng.int(1000, 500_000) }] };
      case 'Test bench':
        return { attributes: [{ name: 'Capacity', value: rng.int(1, 20) }] };
      default:
        return { name: `${word} ${rng.int(1, 9999)}` };
    }
  }

  /** Begin and end moved by the same whole number of hours (not zero); undefined without both. */
  private reschedule(row: Record<string, unknown>, rng: Rng): Record<string, unknown> | undefined {
    const begin = typeof row['begin'] === 'string' ? parseZoned(row['begin']) : null;
    const end = typeof row['end'] === 'string' ? parseZoned(row['end']) : null;
    if (begin === null || end === null) return undefined;
    const shiftMs = (rng.chance(0.5) ? 1 : -1) * rng.int(1, 72) * 3_600_000;
    return {
      begin: formatZoned(begin + shiftMs, this.db.zone),
      end: formatZoned(end + shiftMs, this.db.zone),
    };
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
