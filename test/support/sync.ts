/**
 * Helpers of the sync sink tests: the sink started in this process with a shipped rule file,
 * counting what it does, and the wait for a record-by-record comparison to come out empty.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { System } from '@tidemark/events';
import type { KafkaClient } from '@tidemark/kafka';
import { startSyncSink, type SyncSink, type SyncTarget } from '@tidemark/sink-sync';
import { loadRules } from '@tidemark/sync-rules';
import { createLogger } from '@tidemark/telemetry';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A rule file shipped in services/sink-sync/rules/. */
export function shippedRules(name: string): string {
  return fileURLToPath(new URL(`../../services/sink-sync/rules/${name}`, import.meta.url));
}

export interface CountingSink {
  sink: SyncSink;
  /** Writes made so far (creates, updates, deletes). */
  readonly writes: number;
  /** Skips so far, by `rule:reason`. */
  readonly skips: ReadonlyMap<string, number>;
}

/** The sink on the shipped rule file; TIDEMARK_TEST_LOG=1 turns its debug log on. */
export async function startCountingSink(
  kafka: KafkaClient,
  rulesFile: string,
  targets: ReadonlyMap<System, SyncTarget>,
  topicPrefix: string,
): Promise<CountingSink> {
  let writes = 0;
  const skips = new Map<string, number>();
  const sink = await startSyncSink(
    kafka,
    {
      rules: loadRules(readFileSync(rulesFile, 'utf8'), rulesFile),
      targets,
      ...(process.env['TIDEMARK_TEST_LOG'] === '1'
        ? { logger: createLogger({ service: 'sink-sync-test', level: 'debug' }) }
        : {}),
      observer: {
        applied: () => void writes++,
        skipped: (rule, reason) => {
          const key = `${rule}:${reason}`;
          skips.set(key, (skips.get(key) ?? 0) + 1);
        },
      },
    },
    { topicPrefix },
  );
  return {
    sink,
    get writes() {
      return writes;
    },
    skips,
  };
}

/** Runs `check` until it finds no difference or the time is up; its last answer. */
export async function untilConverged(
  check: () => Promise<string[]>,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (last.length > 0 && Date.now() < deadline) {
    await pause(500);
    last = await check();
  }
  return last;
}
