import { describeError } from '@tidemark/errors';
import type { PeaktmsClient } from '@tidemark/peaktms';
import type { PollContext } from '@tidemark/poller';
import { silentLogger, type Logger } from '@tidemark/telemetry';
import { pausedUntil, readWindows, type MaintenanceWindow } from './core/maintenance.js';

/** Whether the streams of one PeakTMS server may poll now; shared by all of its streams. */
export interface MaintenanceGate {
  /** Until when to pause (Unix ms), or null to poll. Never throws for the windows' sake. */
  pausedUntil(context: PollContext): Promise<number | null>;
}

export interface MaintenanceGateSettings {
  /** How often the upcoming windows are read. Default 60 000 ms. */
  refreshIntervalMs?: number;
  /** Pause this long before a window starts and after it ends. Default 5 000 ms. */
  marginMs?: number;
}

/**
 * Reads `GET /maintenancewindows` at most once per refresh interval (one read in flight) and
 * answers from the last list. A failed read keeps the last list: the windows are an aid, and a
 * server without the endpoint, or in an unannounced window, is still handled by the client's
 * Retry-After waits and the runtime's backoff.
 */
export function createMaintenanceGate(
  client: Pick<PeaktmsClient, 'maintenanceWindows'>,
  settings: MaintenanceGateSettings = {},
  deps: { logger?: Logger } = {},
): MaintenanceGate {
  const refreshIntervalMs = settings.refreshIntervalMs ?? 60_000;
  const marginMs = settings.marginMs ?? 5_000;
  const logger = deps.logger ?? silentLogger;
  let windows: MaintenanceWindow[] = [];
  let readAtMs: number | undefined;
  let reading: Promise<void> | undefined;
  let announced: number | null = null;

  async function refresh(context: PollContext): Promise<void> {
    try {
      const read = readWindows(
        await client.maintenanceWindows.upcoming({ signal: context.signal }),
      );
      windows = read.windows;
      if (read.unreadable > 0)
        logger.warn('maintenance windows without readable start and end', {
          count: read.unreadable,
        });
    } catch (error) {
      if (context.signal.aborted) return;
      logger.warn('reading the maintenance windows failed; keeping the last list', {
        error: describeError(error),
      });
    }
  }

  return {
    async pausedUntil(context) {
      const now = context.now();
      // Inside a known window the server answers nothing but 503: read again once it is over.
      const known = pausedUntil(windows, now, marginMs);
      if (known === null && (readAtMs === undefined || now - readAtMs >= refreshIntervalMs)) {
        readAtMs = now;
        reading ??= refresh(context).finally(() => {
          reading = undefined;
        });
      }
      if (reading !== undefined) await reading;
      const until = pausedUntil(windows, context.now(), marginMs);
      if (until !== announced) {
        if (until !== null)
          logger.info('pausing for a PeakTMS maintenance window', {
            untilMs: until,
            until: new Date(until).toISOString(),
          });
        else if (announced !== null) logger.info('maintenance window over, polling again');
        announced = until;
      }
      return until;
    },
  };
}
