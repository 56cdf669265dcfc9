import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { formatZoned, parseZoned } from './zoned.js';

const instant = z.union([
  z.number().int(),
  z.string().refine((text) => parseZoned(text) !== null, 'not a zoned date-time'),
]);

/** A window as given at start or through the admin API: zoned date-times or Unix ms. */
export const maintenanceWindowInputSchema = z
  .object({ start: instant, end: instant, reason: z.string().max(500).optional() })
  .strict()
  .refine((w) => toMs(w.end) > toMs(w.start), 'end must be after start');
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowInputSchema>;

function toMs(value: number | string): number {
  return typeof value === 'number' ? value : (parseZoned(value) ?? 0);
}

interface Window {
  id: number;
  startMs: number;
  endMs: number;
  reason: string | null;
}

/** The maintenance windows: listed while upcoming or running; during one the API answers 503. */
export class MaintenanceWindows {
  private windows: Window[] = [];
  private nextId = 1;

  constructor(
    private readonly now: () => number,
    private readonly zone: string,
  ) {}

  /** Replaces every window; throws INPUT_INVALID listing the problems. */
  set(input: unknown): void {
    const parsed = z.array(maintenanceWindowInputSchema).safeParse(input);
    if (!parsed.success)
      throw new TidemarkError(
        'INPUT_INVALID',
        `invalid maintenance windows: ${z.prettifyError(parsed.error)}`,
      );
    this.windows = parsed.data
      .map((w) => ({
        id: this.nextId++,
        startMs: toMs(w.start),
        endMs: toMs(w.end),
        reason: w.reason ?? null,
      }))
      .sort((a, b) => a.startMs - b.startMs);
  }

  /** The window running now, if any. */
  active(): Window | undefined {
    const now = this.now();
    return this.windows.find((w) => w.startMs <= now && now < w.endMs);
  }

  /** Seconds until the running window ends (at least 1), or null outside windows. */
  retryAfterSeconds(): number | null {
    const window = this.active();
    return window === undefined ? null : Math.max(1, Math.ceil((window.endMs - this.now()) / 1000));
  }

  /** Windows not yet over, in wire form. */
  upcoming(): { id: number; start: string; end: string; reason: string | null; active: boolean }[] {
    const now = this.now();
    return this.windows
      .filter((w) => w.endMs > now)
      .map((w) => ({
        id: w.id,
        start: formatZoned(w.startMs, this.zone),
        end: formatZoned(w.endMs, this.zone),
        reason: w.reason,
        active: w.startMs <= now,
      }));
  }
}
