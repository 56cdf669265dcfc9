import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { createRng, type Seed } from './prng.js';

/**
 * Fault knobs: what can go wrong between a client and a simulated system, and how often.
 * Random faults are decided per request from (seed, request number) alone, so a run with the
 * same seed and the same request order sees the same faults, whatever the timing. Scripted
 * faults ("the next 2 matching requests get a 503") are consumed in order.
 */

const rate = z.number().min(0).max(1);

function isRegExp(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

const knobsShape = {
  /** Extra delay before each answer, uniform in [min, max]. */
  latencyMinMs: z.number().int().min(0),
  latencyMaxMs: z.number().int().min(0),
  /** Probability of a 500 (runtime error). */
  error500Rate: rate,
  /** Probability of a 503 (unavailable), sent with Retry-After. */
  error503Rate: rate,
  /** Probability of a 429 (too many requests), sent with Retry-After. */
  error429Rate: rate,
  /** Retry-After of injected 429 and 503 answers. */
  retryAfterSeconds: z.number().int().min(0),
  /** Probability that a successful answer's body is cut in half but sent as complete. */
  malformedRate: rate,
  /** Probability that the connection drops after half of a successful answer's body. */
  truncateRate: rate,
  /** A real per-second request budget; beyond it, 429 until the second is over. */
  maxRequestsPerSecond: z.number().positive().nullable(),
  /** Caps the lifetime of tokens issued from now on (the documented lifetime is still announced). */
  tokenTtlSeconds: z.number().int().positive().nullable(),
  /** Regular expression over "METHOD /path?query"; faults hit only matching requests. */
  match: z.string().refine(isRegExp, 'not a regular expression').nullable(),
};

export const knobsSchema = z.object(knobsShape).strict();
/** Fault knobs; see the README for each. */
export type Knobs = z.infer<typeof knobsSchema>;
export const knobsPatchSchema = z.object(knobsShape).partial().strict();
export type KnobsPatch = z.infer<typeof knobsPatchSchema>;

export const defaultKnobs: Readonly<Knobs> = Object.freeze({
  latencyMinMs: 0,
  latencyMaxMs: 0,
  error500Rate: 0,
  error503Rate: 0,
  error429Rate: 0,
  retryAfterSeconds: 1,
  malformedRate: 0,
  truncateRate: 0,
  maxRequestsPerSecond: null,
  tokenTtlSeconds: null,
  match: null,
});

export const faultKinds = ['500', '503', '429', 'malformed', 'truncate', 'delay', 'reset'] as const;
export type FaultKind = (typeof faultKinds)[number];

export const scriptedFaultSchema = z
  .object({
    fault: z.enum(faultKinds),
    /** How many matching requests get it. Default 1. */
    times: z.number().int().positive().default(1),
    /** For `delay`: how long. Default 1000 ms. */
    delayMs: z.number().int().min(0).default(1000),
    /** Regular expression over "METHOD /path?query". Default: every request. */
    match: z.string().refine(isRegExp, 'not a regular expression').optional(),
  })
  .strict();
export type ScriptedFault = z.input<typeof scriptedFaultSchema>;

/** What to do to one request. */
export interface FaultDecision {
  /** Wait this long before answering. */
  delayMs: number;
  /** Answer with this status instead of handling the request. */
  status: 500 | 503 | 429 | null;
  retryAfterSeconds: number | null;
  /** Damage the body of a successful answer. */
  body: 'malformed' | 'truncate' | null;
  /** Drop the connection without answering. */
  reset: boolean;
  /** Short name for the request log, or null when nothing was injected. */
  label: string | null;
}

const noFault: FaultDecision = {
  delayMs: 0,
  status: null,
  retryAfterSeconds: null,
  body: null,
  reset: false,
  label: null,
};

/**
 * The random part of the decision: a pure function of the knobs, the seed and the request
 * number. Draw order is fixed (latency, 500, 503, 429, malformed, truncate) so adding a knob
 * value never shifts another knob's outcome.
 */
export function decideRandomFault(knobs: Knobs, seed: Seed, requestSeq: number): FaultDecision {
  const quiet =
    knobs.latencyMaxMs === 0 &&
    knobs.error500Rate === 0 &&
    knobs.error503Rate === 0 &&
    knobs.error429Rate === 0 &&
    knobs.malformedRate === 0 &&
    knobs.truncateRate === 0;
  if (quiet) return noFault;
  const rng = createRng(`${String(seed)}/fault/${requestSeq}`);
  const latencyRoll = rng.next();
  const rolls = [rng.next(), rng.next(), rng.next(), rng.next(), rng.next()] as const;
  const span = Math.max(0, knobs.latencyMaxMs - knobs.latencyMinMs);
  const delayMs = knobs.latencyMinMs + Math.floor(latencyRoll * (span + 1));
  const base = { ...noFault, delayMs };
  if (rolls[0] < knobs.error500Rate) return { ...base, status: 500, label: '500' };
  if (rolls[1] < knobs.error503Rate)
    return { ...base, status: 503, retryAfterSeconds: knobs.retryAfterSeconds, label: '503' };
  if (rolls[2] < knobs.error429Rate)
    return { ...base, status: 429, retryAfterSeconds: knobs.retryAfterSeconds, label: '429' };
  if (rolls[3] < knobs.malformedRate) return { ...base, body: 'malformed', label: 'malformed' };
  if (rolls[4] < knobs.truncateRate) return { ...base, body: 'truncate', label: 'truncate' };
  return base;
}

interface ScriptEntry {
  fault: FaultKind;
  remaining: number;
  delayMs: number;
  match: RegExp | null;
}

/** Holds the knobs and the fault script, and decides each request's fate. */
export class FaultController {
  private knobs: Knobs;
  private matcher: RegExp | null;
  private script: ScriptEntry[] = [];
  private windowStartMs = 0;
  private windowCount = 0;

  constructor(
    private readonly seed: Seed,
    initial: KnobsPatch = {},
    private readonly realNow: () => number = Date.now,
  ) {
    this.knobs = { ...defaultKnobs };
    this.matcher = null;
    this.update(initial);
  }

  get current(): Knobs {
    return { ...this.knobs };
  }

  /** Merges `patch` into the knobs; throws INPUT_INVALID listing every problem. */
  update(patch: unknown): Knobs {
    const parsed = knobsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new TidemarkError('INPUT_INVALID', `invalid knobs: ${z.prettifyError(parsed.error)}`);
    }
    const next: Knobs = { ...this.knobs };
    for (const [key, value] of Object.entries(parsed.data)) {
      if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    if (next.latencyMaxMs < next.latencyMinMs) next.latencyMaxMs = next.latencyMinMs;
    this.knobs = next;
    this.matcher = next.match === null ? null : new RegExp(next.match);
    return this.current;
  }

  reset(): Knobs {
    this.knobs = { ...defaultKnobs };
    this.matcher = null;
    this.script = [];
    return this.current;
  }

  /** Queues scripted faults behind any already queued. */
  enqueue(faults: unknown): void {
    const parsed = z
      .array(scriptedFaultSchema)
      .safeParse(Array.isArray(faults) ? faults : [faults]);
    if (!parsed.success) {
      throw new TidemarkError(
        'INPUT_INVALID',
        `invalid fault script: ${z.prettifyError(parsed.error)}`,
      );
    }
    for (const fault of parsed.data) {
      this.script.push({
        fault: fault.fault,
        remaining: fault.times,
        delayMs: fault.delayMs,
        match: fault.match === undefined ? null : new RegExp(fault.match),
      });
    }
  }

  clearScript(): void {
    this.script = [];
  }

  pendingScript(): { fault: FaultKind; remaining: number; match: string | null }[] {
    return this.script.map((entry) => ({
      fault: entry.fault,
      remaining: entry.remaining,
      match: entry.match?.source ?? null,
    }));
  }

  /** The fate of request number `seq`, described by `requestLine` ("GET /demo/api/v1/..."). */
  decide(seq: number, requestLine: string): FaultDecision {
    const scripted = this.takeScripted(requestLine);
    if (scripted !== null) return scripted;
    if (this.matcher !== null && !this.matcher.test(requestLine)) return noFault;
    const limited = this.rateLimit();
    if (limited !== null) return limited;
    return decideRandomFault(this.knobs, this.seed, seq);
  }

  private takeScripted(requestLine: string): FaultDecision | null {
    const index = this.script.findIndex(
      (entry) => entry.match === null || entry.match.test(requestLine),
    );
    const entry = this.script[index];
    if (entry === undefined) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.script.splice(index, 1);
    const retryAfterSeconds = this.knobs.retryAfterSeconds;
    switch (entry.fault) {
      case '500':
        return { ...noFault, status: 500, label: '500' };
      case '503':
        return { ...noFault, status: 503, retryAfterSeconds, label: '503' };
      case '429':
        return { ...noFault, status: 429, retryAfterSeconds, label: '429' };
      case 'malformed':
        return { ...noFault, body: 'malformed', label: 'malformed' };
      case 'truncate':
        return { ...noFault, body: 'truncate', label: 'truncate' };
      case 'delay':
        return { ...noFault, delayMs: entry.delayMs, label: 'delay' };
      case 'reset':
        return { ...noFault, reset: true, label: 'reset' };
    }
  }

  private rateLimit(): FaultDecision | null {
    const limit = this.knobs.maxRequestsPerSecond;
    if (limit === null) return null;
    const now = this.realNow();
    if (now - this.windowStartMs >= 1000) {
      this.windowStartMs = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    if (this.windowCount <= limit) return null;
    const retryAfterSeconds = Math.max(1, Math.ceil((this.windowStartMs + 1000 - now) / 1000));
    return { ...noFault, status: 429, retryAfterSeconds, label: '429' };
  }
}
