/**
 * The simulated wall clock. Every time a simulator stamps on data or compares against
 * (record timestamps, token expiry) comes from here, so tests can shift it, freeze it and step
 * it. Real waiting (latency, the workload's pacing) keeps using real time.
 */
export interface ClockState {
  /** Simulated now, in Unix milliseconds. */
  nowMs: number;
  /** Difference to the real clock while running; ignored while frozen. */
  offsetMs: number;
  /** Whether time stands still (at `nowMs`). */
  frozen: boolean;
}

export interface ClockControl {
  /** Shift simulated time relative to the real clock (unfreezes). */
  offsetMs?: number | undefined;
  /** Freeze at this Unix millisecond. */
  freezeAtMs?: number | undefined;
  /** true: freeze at the current simulated time; false: run again from where it stands. */
  frozen?: boolean | undefined;
  /** Step forward (or back, if negative) by this much, frozen or not. */
  advanceMs?: number | undefined;
  /** Back to the real clock. Applied before the other fields. */
  reset?: boolean | undefined;
}

export class SimClock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;

  /** `source` is the real clock; injectable for tests of the clock itself. */
  constructor(private readonly source: () => number = Date.now) {}

  nowMs(): number {
    return this.frozenAtMs ?? this.source() + this.offsetMs;
  }

  /** Simulated now in whole Unix seconds (the unit of most source systems' timestamps). */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  state(): ClockState {
    return { nowMs: this.nowMs(), offsetMs: this.offsetMs, frozen: this.frozenAtMs !== undefined };
  }

  /** Applies one control message; fields combine in the documented order. */
  apply(control: ClockControl): ClockState {
    if (control.reset === true) {
      this.offsetMs = 0;
      this.frozenAtMs = undefined;
    }
    if (control.offsetMs !== undefined) {
      this.offsetMs = control.offsetMs;
      this.frozenAtMs = undefined;
    }
    if (control.freezeAtMs !== undefined) this.frozenAtMs = control.freezeAtMs;
    if (control.frozen === true && this.frozenAtMs === undefined) this.frozenAtMs = this.nowMs();
    if (control.frozen === false && this.frozenAtMs !== undefined) {
      // Resume from the frozen instant rather than jumping to real time.
      this.offsetMs = this.frozenAtMs - this.source();
      this.frozenAtMs = undefined;
    }
    if (control.advanceMs !== undefined) {
      if (this.frozenAtMs !== undefined) this.frozenAtMs += control.advanceMs;
      else this.offsetMs += control.advanceMs;
    }
    return this.state();
  }
}
