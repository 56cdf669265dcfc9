/**
 * Helpers of the poller tests: a ZeyOS simulator, pollers wired like the service's main.ts
 * (in-process) or the built service as a child process, an event collector, and the check of
 * the topic against the simulator's ground-truth journal.
 */
import { isTidemarkError } from '@tidemark/errors';
import {
  createConsumer,
  headersToStrings,
  messageToEvent,
  type ConsumedMessage,
  type KafkaClient,
  type TidemarkConsumer,
} from '@tidemark/kafka';
import type { PollerObserver, StartMode } from '@tidemark/poller';
import { createZeyosSource, streamNames } from '@tidemark/poller-zeyos';
import { stateHash, startZeyosSimulator, type ZeyosSimulator } from '@tidemark/simulators';
import { createZeyosClient, type ZeyosClient } from '@tidemark/zeyos';
import { uniqueName } from './kafka.js';
import { spawnService, type SpawnedService } from './service.js';
import { createStreamTopics, runStream, type InProcessPoller } from './stream.js';

export async function startSim(): Promise<ZeyosSimulator> {
  return startZeyosSimulator({ port: 0, demoRecords: 5, seed: uniqueName('seed') });
}

export function simClient(sim: ZeyosSimulator): ZeyosClient {
  return createZeyosClient({
    baseUrl: sim.baseUrl,
    instance: 'demo',
    auth: {
      mode: 'oauth2',
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
      username: sim.credentials.username,
      password: sim.credentials.password,
    },
    http: { retry: { baseDelayMs: 20, maxDelayMs: 500 }, maxAttempts: 8 },
  });
}

/** A fresh prefix: its own topics, checkpoint topic and transactional ids. */
export async function pollerTopics(client: KafkaClient, entity: string) {
  const prefix = uniqueName('test').replace(/[^a-z0-9-]/g, '');
  const names = streamNames(prefix, 'demo', entity);
  return { prefix, names, all: await createStreamTopics(client, names) };
}

export type { InProcessPoller };

/** A poller wired like main.ts, in this process. */
export function startPoller(
  kafka: KafkaClient,
  zeyos: ZeyosClient,
  names: ReturnType<typeof streamNames>,
  options: {
    entity: string;
    startMode?: StartMode;
    pageSize?: number;
    pollIntervalMs?: number;
    reconcileIntervalMs?: number;
    lookbackSeconds?: number;
    observer?: PollerObserver;
  },
): InProcessPoller {
  const source = createZeyosSource(zeyos, {
    instance: 'demo',
    entity: options.entity,
    pageSize: options.pageSize ?? 200,
    lookbackSeconds: options.lookbackSeconds ?? 2,
    reconcileIntervalMs: options.reconcileIntervalMs ?? 1_000,
  });
  return runStream(kafka, names, source, { ...options, service: 'poller-test' });
}

/** The built service under plain node (see spawnService). */
export function spawnPollerService(
  sim: ZeyosSimulator,
  prefix: string,
  entity: string,
  extraEnv: Record<string, string> = {},
): SpawnedService {
  return spawnService('poller-zeyos', {
    TIDEMARK_ZEYOS_BASE_URL: sim.baseUrl,
    TIDEMARK_ZEYOS_INSTANCE: 'demo',
    TIDEMARK_ZEYOS_USERNAME: sim.credentials.username,
    TIDEMARK_ZEYOS_PASSWORD: sim.credentials.password,
    TIDEMARK_ZEYOS_CLIENT_ID: sim.credentials.clientId,
    TIDEMARK_ZEYOS_CLIENT_SECRET: sim.credentials.clientSecret,
    TIDEMARK_ZEYOS_ENTITIES: entity,
    TIDEMARK_POLL_INTERVAL_MS: '100',
    TIDEMARK_POLL_PAGE_SIZE: '200',
    TIDEMARK_POLL_START_MODE: 'snapshot',
    TIDEMARK_POLL_LOOKBACK_SECONDS: '2',
    TIDEMARK_POLL_RECONCILE_INTERVAL_MS: '1000',
    TIDEMARK_TOPIC_PREFIX: prefix,
    TIDEMARK_LOG_LEVEL: 'info',
    ...extraEnv,
  });
}

/**
 * Collects every committed message of some topics from the beginning, once per offset. The
 * reader commits nothing, so a rebalance (a missed heartbeat on a loaded machine) hands it
 * batches again from the start; keying by (topic, partition, offset) keeps what the topic
 * holds, and a real duplicate (the same event at two offsets) still shows. Regression: a
 * redelivered batch was once counted as duplicate events.
 */
export async function collect(client: KafkaClient, topics: readonly string[]) {
  const byOffset = new Map<string, ConsumedMessage>();
  const consumer: TidemarkConsumer = await createConsumer(client, {
    groupId: uniqueName('poller-check'),
    topics,
    fetch: { maxWaitTimeInMs: 200 },
  });
  await consumer.runEachBatch(async (batch) => {
    for (const message of batch.messages) {
      byOffset.set(`${message.topic}/${message.partition}/${message.offset}`, message);
    }
  });
  return {
    get messages(): ConsumedMessage[] {
      return [...byOffset.values()];
    },
    close: () => consumer.close(),
  };
}

interface Truth {
  live: Map<string, string>;
  softDeleted: Set<string>;
  purged: Set<string>;
}

/** Final state per record of one entity, from the journal. */
export function groundTruth(sim: ZeyosSimulator, entity: string): Truth {
  const truth: Truth = { live: new Map(), softDeleted: new Set(), purged: new Set() };
  for (const entry of sim.journal.all()) {
    if (entry.entity !== entity || entry.instance !== 'demo') continue;
    const id = String(entry.id);
    truth.live.delete(id);
    truth.softDeleted.delete(id);
    truth.purged.delete(id);
    if (entry.op === 'delete') truth.purged.add(id);
    else if (entry.visibility === 2) truth.softDeleted.add(id);
    else truth.live.set(id, entry.hash ?? '');
  }
  return truth;
}

/**
 * What the guarantees promise, as a list of problems (empty = all kept): for every record the
 * last event carries its final state; soft and permanent deletes end in a delete (a record
 * deleted before the stream began, or created and deleted between two polls, has no event); no (id, version) twice.
 */
export function checkTopic(
  messages: readonly ConsumedMessage[],
  truth: Truth,
  options: { ignoreIds?: ReadonlySet<string> } = {},
): string[] {
  const problems: string[] = [];
  const last = new Map<string, { op: string; hash: string | null }>();
  // Where each (id, version) and event id was first seen, so a duplicate names both offsets.
  const versions = new Map<string, string>();
  const eventIds = new Map<string, string>();
  for (const message of messages) {
    const received = messageToEvent(message);
    if (!received.ok) {
      problems.push(`undecodable message at ${message.partition}/${message.offset}`);
      continue;
    }
    const { event } = received;
    const at = `${message.partition}/${message.offset}`;
    const key = `${event.subject}\u0000${event.data.version}`;
    const firstVersion = versions.get(key);
    if (firstVersion !== undefined)
      problems.push(
        `(id, version) twice: ${event.subject} ${event.data.version} at ${firstVersion} and ${at}`,
      );
    else versions.set(key, at);
    const firstId = eventIds.get(event.id);
    if (firstId !== undefined) problems.push(`event id twice: ${event.id} at ${firstId} and ${at}`);
    else eventIds.set(event.id, at);
    last.set(event.subject, {
      op: event.data.op,
      hash: event.data.after === null ? null : stateHash(event.data.after),
    });
  }
  for (const [id, hash] of truth.live) {
    if (options.ignoreIds?.has(id) === true) continue;
    const seen = last.get(id);
    if (seen === undefined) problems.push(`live record ${id}: no event`);
    else if (seen.op === 'delete') problems.push(`live record ${id}: last event is a delete`);
    else if (seen.hash !== hash)
      problems.push(`live record ${id}: last state is not the final one`);
  }
  for (const id of truth.softDeleted) {
    if (options.ignoreIds?.has(id) === true) continue;
    // Soft-deleted before the stream began (the snapshot skips deleted records) or created and
    // deleted between two polls: no event at all is right; otherwise the last is a delete.
    const seen = last.get(id);
    if (seen !== undefined && seen.op !== 'delete') {
      problems.push(`soft-deleted record ${id}: last event is ${seen.op}`);
    }
  }
  for (const id of truth.purged) {
    const seen = last.get(id);
    if (seen !== undefined && seen.op !== 'delete') {
      problems.push(`purged record ${id}: last event is ${seen.op}`);
    }
  }
  return problems;
}

/** Waits until `check` returns no problems (then returns []) or the time is up (its last answer). */
export async function eventually(check: () => string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let problems = check();
  while (problems.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    problems = check();
  }
  return problems;
}

export function isFenced(error: unknown): boolean {
  return isTidemarkError(error) && error.code === 'KAFKA_FENCED';
}

export { headersToStrings };
