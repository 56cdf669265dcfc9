/**
 * Maintenance windows, pure. During a window PeakTMS answers every request with 503, so the
 * poller reads the upcoming windows ahead and does not poll from `marginMs` before a window
 * starts (a poll in flight would straddle it) until `marginMs` after it ends (clock skew).
 * Pausing is not failing: no error, no backoff, no alarm; heartbeats keep lag visible.
 */
import { tryParseZonedDateTime, type PeaktmsMaintenanceWindow } from '@tidemark/peaktms';

export interface MaintenanceWindow {
  startMs: number;
  endMs: number;
}

/** Windows with readable, ordered instants; the others are counted so they can be reported. */
export function readWindows(raw: readonly PeaktmsMaintenanceWindow[]): {
  windows: MaintenanceWindow[];
  unreadable: number;
} {
  const windows: MaintenanceWindow[] = [];
  let unreadable = 0;
  for (const window of raw) {
    const start = tryParseZonedDateTime(window.start);
    const end = tryParseZonedDateTime(window.end);
    if (start === undefined || end === undefined || end.epochMs <= start.epochMs) unreadable++;
    else windows.push({ startMs: start.epochMs, endMs: end.epochMs });
  }
  windows.sort((a, b) => a.startMs - b.startMs);
  return { windows, unreadable };
}

/**
 * Until when polling pauses at `nowMs` (Unix ms), or null when it may poll. Overlapping or
 * adjacent windows (within two margins) count as one pause.
 */
export function pausedUntil(
  windows: readonly MaintenanceWindow[],
  nowMs: number,
  marginMs: number,
): number | null {
  let until: number | null = null;
  for (const window of windows) {
    const from = window.startMs - marginMs;
    const to = window.endMs + marginMs;
    const reach = until ?? nowMs;
    if (from <= reach && to > reach) until = to;
  }
  return until;
}
