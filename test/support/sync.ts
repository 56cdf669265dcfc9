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
  /** Each write, in order, to explain a failure: rule, action, when (Unix ms). */
  readonly applied: readonly { rule: string; action: string; atMs: number }[];
}

/** The sink on the shipped rule file; TIDEMARK_TEST_LOG=1 turns its debug log on. */
export async function startCountingSink(
  kafka: KafkaClient,
  rulesFile: string,
  targets: ReadonlyMap<System, SyncTarget>,
  topicPrefix: string,
): Promise<CountingSink> {
  const applied: { rule: string; action: string; atMs: number }[] = [];
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
        applied: (rule, action) => void applied.push({ rule, action, atMs: Date.now() }),
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
      return applied.length;
    },
    skips,
    applied,
  };
}

/**
 * Runs `check` until it finds no difference and the sink has written nothing for `settleMs`,
 * or the time is up; its last answer. Converged alone is not enough to test for quiet: the
 * stores can match what the rules promise while events are still on their way (a ZeyOS status
 * written in its canonical form, a deleted ticket archived as well), and those writes are due.
 */
export async function untilSettled(
  check: () => Promise<string[]>,
  sink: CountingSink,
  timeoutMs: number,
  settleMs = 2_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  const quietFor = () => Date.now() - (sink.applied.at(-1)?.atMs ?? 0);
  while ((last.length > 0 || quietFor() < settleMs) && Date.now() < deadline) {
    await pause(500);
    last = await check();
  }
  return last;
}
