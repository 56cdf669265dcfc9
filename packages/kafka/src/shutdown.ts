import { describeError } from '@tidemark/errors';
import type { KafkaLogger } from './settings.js';

export interface ShutdownOptions {
  /** Time allowed for draining before the process exits anyway. Default 30 000 ms. */
  graceMs?: number;
  signals?: readonly NodeJS.Signals[];
  logger?: KafkaLogger;
  /** Injectable for tests. Default process.exit. */
  exit?: (code: number) => void;
}

/**
 * On the first SIGTERM/SIGINT: stop intake and drain via `drain`, then exit 0 (1 when
 * draining failed or outlived the grace period). A second signal exits at once, for an
 * operator who does not want to wait. Returns a function that removes the handlers.
 */
export function onShutdownSignal(
  drain: (signal: NodeJS.Signals) => Promise<void>,
  options: ShutdownOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.graceMs ?? 30_000;
  let shuttingDown = false;

  const handler = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger?.warn('second signal: exiting without waiting', { signal });
      exit(130);
      return;
    }
    shuttingDown = true;
    options.logger?.info('shutting down', { signal, graceMs });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
      timer.unref();
    });
    Promise.race([drain(signal).then(() => 'drained' as const), deadline])
      .then((outcome) => {
        clearTimeout(timer);
        if (outcome === 'timeout')
          options.logger?.error('drain outlived the grace period', { graceMs });
        exit(outcome === 'drained' ? 0 : 1);
      })
      .catch((error: unknown) => {
        clearTimeout(timer);
        options.logger?.error('drain failed', { error: describeError(error) });
        exit(1);
      });
  };

  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
