/**
 * Reading the archive back from S3 and the facts Kafka holds about it: the adapters behind
 * `tidemark archive verify` and `tidemark archive replay`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { TidemarkError } from '@tidemark/errors';
import {
  committedOffsetsIn,
  type KafkaClient,
  type OffsetRange as KafkaOffsetRange,
  type OutgoingMessage,
  type PlainProducer,
} from '@tidemark/kafka';
import { getObjectBytes, listObjects } from '@tidemark/s3';
import { gunzip } from './core/gzip.js';
import { normalizePrefix, parseObjectKey, type ObjectKeyParts } from './core/keys.js';
import {
  lineHeaders,
  lineKey,
  lineTimeMs,
  lineValue,
  parseLines,
  type ArchiveLine,
} from './core/lines.js';
import {
  gapsToProbe,
  verifyArchive,
  type ObjectSummary,
  type PartitionFacts,
  type VerifyReport,
} from './core/verify.js';

export interface ArchiveLocation {
  client: S3Client;
  bucket: string;
  prefix: string;
}

export interface ListedArchiveObject extends ObjectKeyParts {
  key: string;
  size: number;
}

/** Every archive object under the prefix (optionally only topics matching `topicFilter`). */
export async function listArchive(
  location: ArchiveLocation,
  topicFilter?: (topic: string) => boolean,
): Promise<ListedArchiveObject[]> {
  const base = normalizePrefix(location.prefix);
  const found: ListedArchiveObject[] = [];
  for await (const object of listObjects(
    location.client,
    location.bucket,
    base === '' ? '' : `${base}/`,
  )) {
    const parts = parseObjectKey(object.key);
    if (parts === undefined || parts.prefix !== base) continue;
    if (topicFilter !== undefined && !topicFilter(parts.topic)) continue;
    found.push({ ...parts, key: object.key, size: object.size });
  }
  return found;
}

/** Reads and parses one object. */
export async function readArchiveObject(
  location: ArchiveLocation,
  key: string,
): Promise<{ lines: ArchiveLine[]; errors: number }> {
  const bytes = await getObjectBytes(location.client, location.bucket, key);
  return parseLines(gunzip(bytes).toString('utf8'));
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Committed offsets of `groupId` and log-start offsets, per `topic:partition`. */
export async function fetchPartitionFacts(
  kafka: KafkaClient,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, PartitionFacts>> {
  const facts = new Map<string, PartitionFacts>();
  if (topics.length === 0) return facts;
  const admin = kafka.kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    for (const topic of present) {
      for (const entry of await admin.fetchTopicOffsets(topic)) {
        facts.set(`${topic}:${entry.partition}`, { logStart: BigInt(entry.low) });
      }
    }
    if (present.length > 0) {
      for (const topic of await admin.fetchOffsets({ groupId, topics: present })) {
        for (const entry of topic.partitions) {
          const id = `${topic.topic}:${entry.partition}`;
          const committed = BigInt(entry.offset);
          facts.set(id, { ...facts.get(id), committed: committed >= 0n ? committed : undefined });
        }
      }
    }
  } catch (error) {
    throw new TidemarkError('KAFKA_TRANSIENT', `cannot read offsets of group ${groupId}`, {
      retryable: true,
      cause: error,
    });
  } finally {
    await admin.disconnect();
  }
  return facts;
}

export interface VerifyOptions {
  /** Consumer group of the sink whose committed offsets bound the proof. */
  groupId: string;
  topicFilter?: (topic: string) => boolean;
  /** Objects read at once. Default 8. */
  concurrency?: number;
  /**
   * Ask Kafka about every gap (one read_committed read per partition with gaps) and accept
   * those that hold only transaction markers and aborted records. Default true; false reports
   * every gap.
   */
  probeGaps?: boolean;
}

/**
 * Adds to `facts` what a read_committed consumer finds inside each of the `gaps`: for every
 * partition with gaps, the ranges asked about and the offsets delivered in them (ascending).
 */
export async function probeGaps(
  kafka: KafkaClient,
  gaps: ReadonlyMap<string, readonly { from: bigint; to: bigint }[]>,
  facts: Map<string, PartitionFacts>,
): Promise<void> {
  const ranges: KafkaOffsetRange[] = [];
  for (const [id, list] of gaps) {
    const separator = id.lastIndexOf(':');
    const topic = id.slice(0, separator);
    const partition = Number(id.slice(separator + 1));
    for (const gap of list)
      ranges.push({ topic, partition, from: gap.from.toString(), to: gap.to.toString() });
  }
  if (ranges.length === 0) return;
  const delivered = await committedOffsetsIn(kafka, ranges);
  for (const [id, list] of gaps) {
    const offsets = (delivered.get(id) ?? [])
      .map(BigInt)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    facts.set(id, { ...facts.get(id), probed: { ranges: list, delivered: offsets } });
  }
}

/** Lists and reads the whole archive (or the filtered topics) and proves it against Kafka. */
export async function verifyArchiveAgainstKafka(
  location: ArchiveLocation,
  kafka: KafkaClient,
  options: VerifyOptions,
): Promise<VerifyReport & { ids: Map<string, number> }> {
  const listed = await listArchive(location, options.topicFilter);
  const ids = new Map<string, number>();
  const summaries = await mapLimit(listed, options.concurrency ?? 8, async (object) => {
    const { lines, errors } = await readArchiveObject(location, object.key);
    let raw = 0;
    for (const line of lines) {
      if (line.tidemark_raw === true) raw += 1;
      else if (line.id !== undefined) ids.set(line.id, (ids.get(line.id) ?? 0) + 1);
    }
    const summary: ObjectSummary = {
      key: object.key,
      topic: object.topic,
      partition: object.partition,
      firstOffset: BigInt(object.firstOffset),
      offsets: lines.map((line) => BigInt(line.tidemark_kafka.offset)),
      day: object.day,
      records: lines.length,
      rawRecords: raw,
      badLines: errors,
    };
    return summary;
  });
  const topics = [...new Set(listed.map((object) => object.topic))];
  const facts = await fetchPartitionFacts(kafka, options.groupId, topics);
  if (options.probeGaps !== false) await probeGaps(kafka, gapsToProbe(summaries, facts), facts);
  return { ...verifyArchive(summaries, facts), ids };
}

export interface ReplayOptions {
  /** Inclusive start and exclusive end of event time (else Kafka time) to replay. */
  fromMs: number;
  toMs: number;
  topicFilter?: (topic: string) => boolean;
  targetTopic: string;
  /** Raw (non-CloudEvent) records are left out unless asked for. */
  includeRaw?: boolean;
  /** Messages per produce call. Default 500. */
  chunk?: number;
}

/**
 * Publishes archived records of a time range to `targetTopic` with their original key, value and
 * headers — the CloudEvents id travels in `ce_id`, so consumers can deduplicate. Objects are
 * chosen by their hour partition first, then each line by its own time. Order: topic, partition,
 * offset.
 */
export async function replayArchive(
  location: ArchiveLocation,
  producer: PlainProducer,
  options: ReplayOptions,
): Promise<{ objects: number; published: number; skippedRaw: number }> {
  const hourMs = 3_600_000;
  const listed = (await listArchive(location, options.topicFilter)).filter((object) => {
    const start = Date.parse(`${object.day}T${object.hour}:00:00Z`);
    return start + hourMs > options.fromMs && start < options.toMs;
  });
  listed.sort((a, b) =>
    a.topic !== b.topic
      ? a.topic < b.topic
        ? -1
        : 1
      : a.partition !== b.partition
        ? a.partition - b.partition
        : Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)),
  );
  let published = 0;
  let skippedRaw = 0;
  for (const object of listed) {
    const { lines } = await readArchiveObject(location, object.key);
    const batch: OutgoingMessage[] = [];
    for (const line of lines) {
      const time = lineTimeMs(line);
      if (time < options.fromMs || time >= options.toMs) continue;
      if (line.tidemark_raw === true && options.includeRaw !== true) {
        skippedRaw += 1;
        continue;
      }
      const key = lineKey(line);
      batch.push({
        key: key === null ? null : key.toString('utf8'),
        value: lineValue(line),
        headers: lineHeaders(line),
      });
    }
    const chunk = options.chunk ?? 500;
    for (let index = 0; index < batch.length; index += chunk) {
      await producer.send(options.targetTopic, batch.slice(index, index + chunk));
    }
    published += batch.length;
  }
  return { objects: listed.length, published, skippedRaw };
}
