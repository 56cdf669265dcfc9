import { z } from 'zod';
import { TidemarkError, describeError } from '@tidemark/errors';
import { createRng, type Rng, type Seed } from './prng.js';

/**
 * The workload generator: a stream of creates, updates, soft deletes and permanent deletes at
 * a chosen rate. Which operation comes next is drawn from a seeded generator, so the sequence
 * of operations is the same on every run with the same seed; the rate only decides when they
 * happen. The system-specific part (which record, which values) is a driver.
 */
export const workloadOps = ['create', 'update', 'softDelete', 'delete'] as const;
export type WorkloadOp = (typeof workloadOps)[number];

export const workloadSettingsSchema = z
  .object({
    /** Operations per second. Default 10. */
    ratePerSecond: z.number().positive().max(100_000).default(10),
    /** Relative weights of the operations. Default 2 create : 5 update : 1 soft delete : 1 delete. */
    mix: z
      .object({
        create: z.number().min(0).default(2),
        update: z.number().min(0).default(5),
        softDelete: z.number().min(0).default(1),
        delete: z.number().min(0).default(1),
      })
      .strict()
      .default({ create: 2, update: 5, softDelete: 1, delete: 1 }),
    /**
     * Concentrate updates and soft deletes on this many records, so each gets about
     * ratePerSecond × share / hotRecords changes per second. Default: spread over all records.
     */
    hotRecords: z.number().int().positive().nullable().default(null),
    /** Entities to work on (system-specific names). Default: the driver's choice. */
    entities: z.array(z.string()).min(1).optional(),
    /** Instances to work on. Default: all. */
    instances: z.array(z.string()).min(1).optional(),
    /** Stop after this many operations. Default: run until stopped. */
    maxOps: z.number().int().positive().nullable().default(null),
    /** Stop after this long. Default: run until stopped. */
    durationMs: z.number().int().positive().nullable().default(null),
    /** Restart the operation sequence from this seed. Default: continue the current one. */
    seed: z.union([z.number(), z.string()]).optional(),
  })
  .strict();
export type WorkloadSettings = z.infer<typeof workloadSettingsSchema>;
export type WorkloadSettingsInput = z.input<typeof workloadSettingsSchema>;

/** What a driver did for one operation. */
export interface WorkloadEffect {
  op: WorkloadOp;
  instance: string;
  entity: string;
  id: number | string;
}

export interface WorkloadDriver {
  /**
   * Performs one operation. May substitute another (e.g. create when there is nothing to
   * update) and returns what it did, or null when it could do nothing at all.
   */
  perform(op: WorkloadOp, rng: Rng, settings: WorkloadSettings): WorkloadEffect | null;
}

export interface WorkloadStatus {
  running: boolean;
  /** Operations performed since the simulator started. */
  opsDone: number;
  byOp: Record<WorkloadOp, number>;
  errors: number;
  lastError: string | null;
  settings: WorkloadSettings | null;
}

export class Workload {
  private rng: Rng;
  private timer: NodeJS.Timeout | undefined;
  private settings: WorkloadSettings | null = null;
  private runStartedMs = 0;
  private runScheduled = 0;
  private runOpsDone = 0;
  private opsDone = 0;
  private readonly byOp: Record<WorkloadOp, number> = {
    create: 0,
    update: 0,
    softDelete: 0,
    delete: 0,
  };
  private errors = 0;
  private lastError: string | null = null;

  constructor(
    private readonly driver: WorkloadDriver,
    seed: Seed,
    private readonly tickMs = 10,
  ) {
    this.rng = createRng(`${String(seed)}/workload`);
  }

  /** Starts (or restarts with new settings) the timed stream of operations. */
  start(input: unknown = {}): WorkloadStatus {
    const settings = this.parse(input);
    this.stop();
    this.settings = settings;
    this.runStartedMs = performance.now();
    this.runScheduled = 0;
    this.runOpsDone = 0;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    return this.status();
  }

  stop(): WorkloadStatus {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    return this.status();
  }

  /** Performs exactly `count` operations now, synchronously (deterministic tests). */
  runOps(count: number, input: unknown = {}): WorkloadStatus {
    const settings = this.parse(input);
    for (let i = 0; i < count; i++) this.step(settings);
    return this.status();
  }

  status(): WorkloadStatus {
    return {
      running: this.timer !== undefined,
      opsDone: this.opsDone,
      byOp: { ...this.byOp },
      errors: this.errors,
      lastError: this.lastError,
      settings: this.settings,
    };
  }

  private parse(input: unknown): WorkloadSettings {
    const parsed = workloadSettingsSchema.safeParse(input);
    if (!parsed.success) {
      throw new TidemarkError(
        'INPUT_INVALID',
        `invalid workload settings: ${z.prettifyError(parsed.error)}`,
      );
    }
    if (parsed.data.seed !== undefined)
      this.rng = createRng(`${String(parsed.data.seed)}/workload`);
    return parsed.data;
  }

  private tick() {
    const settings = this.settings;
    if (settings === null) return;
    const elapsedMs = performance.now() - this.runStartedMs;
    if (settings.durationMs !== null && elapsedMs >= settings.durationMs) {
      this.stop();
      return;
    }
    const due = Math.floor((elapsedMs * settings.ratePerSecond) / 1000);
    // After a stall, catch up by at most one second's worth instead of bursting.
    const cap = Math.max(1, Math.ceil(settings.ratePerSecond));
    let behind = due - this.runScheduled;
    if (behind > cap) {
      this.runScheduled += behind - cap;
      behind = cap;
    }
    for (; behind > 0; behind--) {
      if (settings.maxOps !== null && this.runOpsDone >= settings.maxOps) {
        this.stop();
        return;
      }
      this.step(settings);
      this.runScheduled += 1;
      this.runOpsDone += 1;
    }
  }

  private step(settings: WorkloadSettings) {
    const op = this.rng.weighted(settings.mix) ?? 'update';
    try {
      const effect = this.driver.perform(op, this.rng, settings);
      if (effect === null) return;
      this.opsDone += 1;
      this.byOp[effect.op] += 1;
    } catch (error) {
      this.errors += 1;
      this.lastError = describeError(error);
    }
  }
}
