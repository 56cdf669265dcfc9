/**
 * Helpers of the sync sink tests: the sink started in this process with a shipped rule file,
 * counting what it does, or run as a child process; the wait for a record-by-record comparison
 * to come out empty; and the stores of ZeyOS and tSM with what the rule set ZeyOS accounts <->
 * tSM customers promises of them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { System } from '@tidemark/events';
import type { KafkaClient } from '@tidemark/kafka';
import type { TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import { startSyncSink, type SyncSink, type SyncTarget } from '@tidemark/sink-sync';
import { loadRules } from '@tidemark/sync-rules';
import { createLogger } from '@tidemark/telemetry';
import type { TsmClient } from '@tidemark/tsm';
import type { ZeyosClient } from '@tidemark/zeyos';
import { INSTANCE as TSM_INSTANCE } from './poller-tsm.js';
import { spawnService, type SpawnedService } from './service.js';

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

type Row = Record<string, unknown>;

export const accountsCustomersRules = shippedRules('zeyos-accounts-tsm-customers.yaml');

/** Every record of both stores, read through the clients (the stores' own answers). */
export async function stores(zeyos: ZeyosClient, tsm: TsmClient) {
  const accounts: Row[] = [];
  for await (const page of zeyos.pages('accounts', {}, { pageSize: 1000 })) {
    accounts.push(...(page as Row[]));
  }
  const customers: Row[] = [];
  for await (const page of tsm.customers.pages({ size: 1000 })) {
    customers.push(...(page.content as Row[]));
  }
  return { accounts, customers };
}

/** What the rule set promises, record by record, as a list of differences (empty = converged). */
export function differences(accounts: Row[], customers: Row[]): string[] {
  const problems: string[] = [];
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const byCode = new Map(customers.map((c) => [text(c['code']), c]));
  const byNumber = new Map(accounts.map((a) => [text(a['customernum']), a]));
  for (const account of accounts) {
    if (account['visibility'] !== 0) continue;
    const code = text(account['customernum']) || `zeyos-${String(account['ID'])}`;
    const key = `${code} (ID ${String(account['ID'])})`;
    const customer = byCode.get(code);
    const name = text(account['lastname']) || text(account['firstname']);
    if (customer === undefined) problems.push(`account ${key}: no customer`);
    else if (customer['status'] === 'DELETED') problems.push(`account ${key}: customer deleted`);
    else if (customer['name'] !== name) problems.push(`account ${key}: name differs`);
    else if (text(customer['description']) !== text(account['description']))
      problems.push(`account ${key}: description differs`);
    else if ((customer['status'] === 'INACTIVE') !== (account['locked'] === 1))
      problems.push(`account ${key}: status/locked differ`);
  }
  for (const customer of customers) {
    const account = byNumber.get(text(customer['code']));
    const code = `${text(customer['code'])} (${text(customer['id'])})`;
    if (customer['status'] === 'DELETED') {
      if (account !== undefined && account['visibility'] === 0)
        problems.push(`customer ${code}: deleted, account live`);
    } else if (account === undefined || account['visibility'] !== 0) {
      problems.push(`customer ${code}: no live account`);
    }
  }
  return problems;
}

/**
 * The built sync service under plain node, writing into both simulators; `ready` settles once
 * it consumes.
 */
export function spawnSyncService(
  targets: { zeyos: ZeyosSimulator; tsm?: TsmSimulator | undefined },
  prefix: string,
  rulesFile: string,
): SpawnedService {
  const { zeyos, tsm } = targets;
  const tsmEnv: Record<string, string> =
    tsm === undefined
      ? {}
      : {
          TIDEMARK_TSM_BASE_URL: tsm.baseUrl,
          TIDEMARK_TSM_INSTANCE: TSM_INSTANCE,
          TIDEMARK_TSM_GRANT: 'password',
          TIDEMARK_TSM_USERNAME: tsm.credentials.username,
          TIDEMARK_TSM_PASSWORD: tsm.credentials.password,
          TIDEMARK_TSM_CLIENT_ID: tsm.credentials.clientId,
          TIDEMARK_TSM_CLIENT_SECRET: tsm.credentials.clientSecret,
        };
  return spawnService(
    'sink-sync',
    {
      TIDEMARK_SYNC_RULES: rulesFile,
      TIDEMARK_TOPIC_PREFIX: prefix,
      TIDEMARK_ZEYOS_BASE_URL: zeyos.baseUrl,
      TIDEMARK_ZEYOS_INSTANCE: 'demo',
      TIDEMARK_ZEYOS_USERNAME: zeyos.credentials.username,
      TIDEMARK_ZEYOS_PASSWORD: zeyos.credentials.password,
      // Its own ZeyOS session (see the local stack in packages/cli: up.ts), so the pollers'
      // OAuth tokens and its token do not revoke each other.
      TIDEMARK_ZEYOS_AUTH_MODE: 'legacy',
      TIDEMARK_ZEYOS_CLIENT_ID: 'tidemark-sink-sync',
      TIDEMARK_ZEYOS_CLIENT_SECRET: zeyos.credentials.clientSecret,
      ...tsmEnv,
      TIDEMARK_HTTP_PORT: '0',
      TIDEMARK_LOG_LEVEL: 'info',
      // A killed instance's partitions move on after this; the default would make each restart
      // wait 30 s.
      TIDEMARK_SYNC_SESSION_TIMEOUT_MS: '6000',
    },
    'syncing',
  );
}
