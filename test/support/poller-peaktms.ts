/**
 * Helpers of the PeakTMS poller tests: a PeakTMS simulator, pollers wired like the service's
 * main.ts (in-process) or the built service as a child process, and the check of a topic
 * against the simulator's ground-truth journal. Collecting a topic is the ZeyOS helpers' job.
 */
import { messageToEvent, type ConsumedMessage, type KafkaClient } from '@tidemark/kafka';
import { createPeaktmsClient, type PeaktmsClient, type PeaktmsObjectKind } from '@tidemark/peaktms';
import type { PollerObserver, StartMode } from '@tidemark/poller';
import { createMaintenanceGate, createPeaktmsSource, streamNames } from '@tidemark/poller-peaktms';
import { stateHash, startPeaktmsSimulator, type PeaktmsSimulator } from '@tidemark/simulators';
import { uniqueName } from './kafka.js';
import { spawnService, type SpawnedService } from './service.js';
import { createStreamTopics, runStream, type InProcessPoller } from './stream.js';

export type PeakNames = ReturnType<typeof streamNames>;

export async function startPeakSim(): Promise<PeaktmsSimulator> {
  return startPeaktmsSimulator({
    port: 0,
    demoRecords: 5,
    seed: uniqueName('seed'),
    requestLogSize: 200_000,
  });
}

export function peakClient(sim: PeaktmsSimulator): PeaktmsClient {
  return createPeaktmsClient({
    baseUrl: sim.baseUrl,
    auth: { mode: 'login', user: sim.credentials.user, password: sim.credentials.password },
    http: { retry: { baseDelayMs: 20, maxDelayMs: 500 }, maxAttempts: 8 },
  });
}

/** A fresh prefix: its own topics, checkpoint topic and transactional ids. */
export async function peakTopics(client: KafkaClient, kind: PeaktmsObjectKind) {
  const prefix = uniqueName('test').replace(/[^a-z0-9-]/g, '');
  const names = streamNames(prefix, 'demo', kind);
  return { prefix, names, all: await createStreamTopics(client, names) };
}

export type { InProcessPoller };

/** A poller wired like main.ts, in this process. */
export function startPeakPoller(
  kafka: KafkaClient,
  peaktms: PeaktmsClient,
  names: PeakNames,
  options: {
    kind: PeaktmsObjectKind;
    startMode?: StartMode;
    pageSize?: number;
    maintenanceMarginMs?: number;
    observer?: PollerObserver;
  },
): InProcessPoller {
  const maintenance = createMaintenanceGate(peaktms, {
    refreshIntervalMs: 300,
    marginMs: options.maintenanceMarginMs ?? 1_000,
  });
  const source = createPeaktmsSource(
    peaktms,
    { instance: 'demo', kind: options.kind, pageSize: options.pageSize ?? 200 },
    { maintenance },
  );
  return runStream(kafka, names, source, { ...options, service: 'poller-peaktms-test' });
}

/** The built service under plain node (see spawnService). */
export function spawnPeakService(
  sim: PeaktmsSimulator,
  prefix: string,
  kind: PeaktmsObjectKind,
  extraEnv: Record<string, string> = {},
): SpawnedService {
  return spawnService('poller-peaktms', {
    TIDEMARK_PEAKTMS_BASE_URL: sim.baseUrl,
    TIDEMARK_PEAKTMS_INSTANCE: 'demo',
    TIDEMARK_PEAKTMS_USER: sim.credentials.user,
    TIDEMARK_PEAKTMS_PASSWORD: sim.credentials.password,
    TIDEMARK_PEAKTMS_KINDS: kind,
    TIDEMARK_POLL_INTERVAL_MS: '100',
    TIDEMARK_POLL_PAGE_SIZE: '200',
    TIDEMARK_POLL_START_MODE: 'snapshot',
    TIDEMARK_TOPIC_PREFIX: prefix,
    TIDEMARK_LOG_LEVEL: 'info',
    ...extraEnv,
  });
}

/** The journal of one kind, read for the checks below. */
export interface PeakTruth {
  /** Every history entry of the kind: entry id → what it recorded. */
  entries: Map<string, { id: string; op: string; hash: string | null; seq: number }>;
  /** Final state of every record of a logged type: its hash, or null when deleted. */
  final: Map<string, string | null>;
  /** Records of types whose logging is off: the history-log stream does not follow them. */
  unlogged: Set<string>;
}

export function peakTruth(sim: PeaktmsSimulator, kind: PeaktmsObjectKind): PeakTruth {
  const truth: PeakTruth = { entries: new Map(), final: new Map(), unlogged: new Set() };
  for (const entry of sim.journal.all()) {
    if (entry.kind !== kind) continue;
    if (entry.historyEntryId === null) {
      truth.unlogged.add(entry.id);
      continue;
    }
    truth.entries.set(String(entry.historyEntryId), {
      id: entry.id,
      op: entry.op,
      hash: entry.hash,
      seq: entry.seq,
    });
    truth.final.set(entry.id, entry.op === 'delete' ? null : entry.hash);
  }
  return truth;
}

/**
 * What the guarantees promise, as a list of problems (empty = all kept):
 * - every history entry journalled after `fromSeq` has exactly one event, with the entry's op
 *   and, for a record that still exists (GET found it), exactly the record after that change;
 * - per record, entry events come in entry order;
 * - the last event of every record carries its final state (a deleted record ends in a
 *   delete, or has no event when it was deleted before the stream began; without a snapshot,
 *   only records changed since the start are followed);
 * - no event id twice.
 */
export function checkPeakTopic(
  messages: readonly ConsumedMessage[],
  truth: PeakTruth,
  options: {
    fromSeq: number;
    ignoreIds?: ReadonlySet<string>;
    /** The stream began with a snapshot: every record has an event. Default true. */
    snapshot?: boolean;
  },
): string[] {
  const problems: string[] = [];
  const ignored = (id: string) => truth.unlogged.has(id) || options.ignoreIds?.has(id) === true;
  const sorted = [...messages].sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  const eventIds = new Map<string, string>();
  const entryEvents = new Map<string, string>();
  const lastEntry = new Map<string, number>();
  const last = new Map<string, string | null>();
  for (const message of sorted) {
    const at = `${message.partition}/${message.offset}`;
    const received = messageToEvent(message);
    if (!received.ok) {
      problems.push(`undecodable message at ${at}`);
      continue;
    }
    const { event } = received;
    const firstId = eventIds.get(event.id);
    if (firstId !== undefined) problems.push(`event id twice: ${event.id} at ${firstId} and ${at}`);
    else eventIds.set(event.id, at);
    const id = event.subject;
    if (id === undefined) {
      problems.push(`event without subject at ${at}`);
      continue;
    }
    const hash = event.data.after === null ? null : stateHash(event.data.after);
    last.set(id, hash);
    if (event.data.op === 'snapshot' || ignored(id)) continue;
    const version = event.data.version;
    const truthEntry = truth.entries.get(version);
    if (truthEntry === undefined) {
      problems.push(`event for no history entry: ${id} ${version}`);
      continue;
    }
    const firstEntry = entryEvents.get(version);
    if (firstEntry !== undefined) problems.push(`entry ${version} twice: ${firstEntry} and ${at}`);
    else entryEvents.set(version, at);
    if (truthEntry.id !== id)
      problems.push(`entry ${version}: subject ${id}, journal ${truthEntry.id}`);
    if (truthEntry.op !== event.data.op)
      problems.push(`entry ${version}: op ${event.data.op}, journal ${truthEntry.op}`);
    // A record that still exists was found by GET: its rebuilt record is exact.
    if (truth.final.get(id) !== null && truthEntry.hash !== hash)
      problems.push(`entry ${version} of ${id}: after is not the record after that change`);
    const previous = lastEntry.get(id) ?? 0;
    if (Number(version) <= previous)
      problems.push(`record ${id}: entry ${version} after entry ${previous}`);
    lastEntry.set(id, Number(version));
  }
  for (const [version, entry] of truth.entries) {
    if (entry.seq <= options.fromSeq || ignored(entry.id)) continue;
    if (!entryEvents.has(version)) problems.push(`entry ${version} of ${entry.id}: no event`);
  }
  const changedSince = new Set(
    [...truth.entries.values()].filter((e) => e.seq > options.fromSeq).map((e) => e.id),
  );
  for (const [id, hash] of truth.final) {
    if (ignored(id)) continue;
    // Without a snapshot, a record untouched since the start has no event.
    if (options.snapshot === false && !changedSince.has(id)) continue;
    const seen = last.get(id);
    if (hash === null) {
      if (seen !== undefined && seen !== null)
        problems.push(`deleted record ${id}: last event is not a delete`);
    } else if (seen === undefined) problems.push(`live record ${id}: no event`);
    else if (seen !== hash) problems.push(`live record ${id}: last state is not the final one`);
  }
  return problems;
}
