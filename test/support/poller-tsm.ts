/**
 * Helpers of the tSM poller tests: a tSM simulator, pollers wired like the service's main.ts
 * (in-process) or the built service as a child process, and the check of the topic against
 * the simulator's ground-truth journal. The collector and the generic checks are shared with
 * the ZeyOS tests (support/poller.ts).
 */
import { messageToEvent, type ConsumedMessage, type KafkaClient } from '@tidemark/kafka';
import type { PollerObserver, StartMode } from '@tidemark/poller';
import { createTsmSource, streamNames } from '@tidemark/poller-tsm';
import { stateHash, startTsmSimulator, type TsmSimulator } from '@tidemark/simulators';
import { createTsmClient, type TsmClient } from '@tidemark/tsm';
import { uniqueName } from './kafka.js';
import { checkTopic } from './poller.js';
import { spawnService, type SpawnedService } from './service.js';
import { createStreamTopics, runStream, type InProcessPoller } from './stream.js';

export const INSTANCE = 'demo';

export async function startTsmSim(
  options: { rateLimitPerSecond?: number | null } = {},
): Promise<TsmSimulator> {
  return startTsmSimulator({
    port: 0,
    demoRecords: 5,
    seed: uniqueName('seed'),
    rateLimitPerSecond: options.rateLimitPerSecond ?? null,
  });
}

export function tsmSimClient(sim: TsmSimulator): TsmClient {
  return createTsmClient({
    baseUrl: sim.baseUrl,
    auth: {
      mode: 'oauth2',
      grant: 'password',
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
      username: sim.credentials.username,
      password: sim.credentials.password,
    },
    http: { retry: { baseDelayMs: 20, maxDelayMs: 500 }, maxAttempts: 8, timeoutMs: 10_000 },
  });
}

/** A fresh prefix: its own topics, checkpoint topic and transactional ids. */
export async function tsmPollerTopics(client: KafkaClient, entity: string) {
  const prefix = uniqueName('test').replace(/[^a-z0-9-]/g, '');
  const names = streamNames(prefix, INSTANCE, entity);
  return { prefix, names, all: await createStreamTopics(client, names) };
}

/** Settings shared by the in-process poller and the spawned service. */
const testPoll = { pageSize: 200, lookbackMs: 2_000, safetyLagMs: 200, pollIntervalMs: 100 };

/** A poller wired like main.ts, in this process. */
export function startTsmPoller(
  kafka: KafkaClient,
  tsm: TsmClient,
  names: ReturnType<typeof streamNames>,
  options: {
    entity: string;
    startMode?: StartMode;
    deletes?: 'log' | 'reconcile';
    observer?: PollerObserver;
  },
): InProcessPoller {
  const source = createTsmSource(tsm, {
    instance: INSTANCE,
    entity: options.entity,
    pageSize: testPoll.pageSize,
    lookbackMs: testPoll.lookbackMs,
    safetyLagMs: testPoll.safetyLagMs,
    deletes: options.deletes ?? 'log',
    reconcileIntervalMs: 1_000,
  });
  return runStream(kafka, names, source, {
    ...options,
    service: 'poller-tsm-test',
    pollIntervalMs: testPoll.pollIntervalMs,
  });
}

/** The built service under plain node (see spawnService). */
export function spawnTsmPollerService(
  sim: TsmSimulator,
  prefix: string,
  entity: string,
  extraEnv: Record<string, string> = {},
): SpawnedService {
  return spawnService('poller-tsm', {
    TIDEMARK_TSM_BASE_URL: sim.baseUrl,
    TIDEMARK_TSM_INSTANCE: INSTANCE,
    TIDEMARK_TSM_GRANT: 'password',
    TIDEMARK_TSM_USERNAME: sim.credentials.username,
    TIDEMARK_TSM_PASSWORD: sim.credentials.password,
    TIDEMARK_TSM_CLIENT_ID: sim.credentials.clientId,
    TIDEMARK_TSM_CLIENT_SECRET: sim.credentials.clientSecret,
    TIDEMARK_TSM_ENTITIES: entity,
    TIDEMARK_POLL_INTERVAL_MS: String(testPoll.pollIntervalMs),
    TIDEMARK_POLL_PAGE_SIZE: String(testPoll.pageSize),
    TIDEMARK_POLL_START_MODE: 'snapshot',
    TIDEMARK_POLL_LOOKBACK_SECONDS: String(testPoll.lookbackMs / 1000),
    TIDEMARK_POLL_SAFETY_LAG_MS: String(testPoll.safetyLagMs),
    TIDEMARK_TOPIC_PREFIX: prefix,
    TIDEMARK_HTTP_PORT: '0',
    TIDEMARK_LOG_LEVEL: 'info',
    ...extraEnv,
  });
}

export interface TsmTruth {
  live: Map<string, string>;
  softDeleted: Set<string>;
  purged: Set<string>;
  /** `id@version` → stateHash of the record at that version (null for a delete). */
  versions: Map<string, string | null>;
}

/**
 * Final state per record of one entity from the journal. tSM's soft deletes (status
 * DELETED, CANCELED, active false) are updates of a live record; DELETE removes it.
 */
export function tsmGroundTruth(sim: TsmSimulator, entity: string): TsmTruth {
  const truth: TsmTruth = {
    live: new Map(),
    softDeleted: new Set(),
    purged: new Set(),
    versions: new Map(),
  };
  for (const entry of sim.journal.all()) {
    if (entry.entity !== entity) continue;
    truth.live.delete(entry.id);
    truth.purged.delete(entry.id);
    if (entry.op === 'delete') truth.purged.add(entry.id);
    else {
      truth.live.set(entry.id, entry.hash ?? '');
      truth.versions.set(`${entry.id}@${entry.version}`, entry.hash);
    }
  }
  return truth;
}

/**
 * checkTopic's guarantees (final states, deletes last, no (id, version) or event id twice),
 * plus: every non-delete event is a state the record really had at that auditInfo.version.
 */
export function checkTsmTopic(
  messages: readonly ConsumedMessage[],
  truth: TsmTruth,
  options: { ignoreIds?: ReadonlySet<string> } = {},
): string[] {
  const problems = checkTopic(messages, truth, options);
  for (const message of messages) {
    const received = messageToEvent(message);
    if (!received.ok) continue;
    const { data, subject } = received.event;
    if (data.op === 'delete' || options.ignoreIds?.has(subject) === true) continue;
    // A backfill's snapshot is the record at that version; its number is only in the id.
    const version = data.op === 'snapshot' ? data.version.replace(/:b\d+$/, '') : data.version;
    const hash = truth.versions.get(`${subject}@${version}`);
    if (hash === undefined) problems.push(`${subject}@${data.version}: no such version`);
    else if (data.after === null || stateHash(data.after) !== hash)
      problems.push(`${subject}@${data.version}: not the state of that version`);
  }
  return problems;
}
