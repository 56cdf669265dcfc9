import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import type { KafkaClient } from './client.js';
import { toKafkaError } from './errors.js';
import { retryTransient } from './retry.js';

/** A topic Tidemark relies on. Internal state topics (checkpoints, id map) are compacted. */
export const TopicSpecSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'Kafka topic names are [A-Za-z0-9._-], at most 249'),
  partitions: z.number().int().min(1).default(3),
  replicationFactor: z.number().int().min(1).default(1),
  cleanupPolicy: z.enum(['delete', 'compact']).default('delete'),
  /** For delete topics; default: the broker's (7 days). -1 keeps forever. */
  retentionMs: z.number().int().min(-1).optional(),
  /** Further broker topic configs, passed through as given. */
  config: z.record(z.string(), z.string()).default({}),
});

export type TopicSpec = z.input<typeof TopicSpecSchema>;

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the topics that do not exist yet. An existing topic with fewer partitions
 * than asked is an error rather than silently grown: adding partitions moves keys to
 * other partitions and breaks per-record order for records in flight.
 */
export async function ensureTopics(
  client: KafkaClient,
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsResult> {
  const resolved = specs.map((spec) => TopicSpecSchema.parse(spec));
  return retryTransient(() => ensureResolvedTopics(client, resolved));
}

async function ensureResolvedTopics(
  client: KafkaClient,
  resolved: readonly z.output<typeof TopicSpecSchema>[],
): Promise<EnsureTopicsResult> {
  const admin = client.kafka.admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const missing = resolved.filter((spec) => !present.has(spec.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries({
            'cleanup.policy': spec.cleanupPolicy,
            ...(spec.retentionMs === undefined ? {} : { 'retention.ms': String(spec.retentionMs) }),
            ...spec.config,
          }).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const existing = resolved.filter((spec) => present.has(spec.name));
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({
        topics: existing.map((spec) => spec.name),
      });
      for (const topic of metadata.topics) {
        const spec = existing.find((candidate) => candidate.name === topic.name);
        if (spec !== undefined && topic.partitions.length < spec.partitions) {
          throw new TidemarkError(
            'KAFKA_FATAL',
            `topic ${topic.name} has ${topic.partitions.length} partitions, ${spec.partitions} are configured`,
            { details: { topic: topic.name } },
          );
        }
      }
    }
    return {
      created: missing.map((spec) => spec.name),
      existing: existing.map((spec) => spec.name),
    };
  } catch (error) {
    throw toKafkaError(error, 'ensure topics');
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics; for tests that clean up after themselves. */
export async function deleteTopics(client: KafkaClient, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = client.kafka.admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const topics = names.filter((name) => present.has(name));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch (error) {
    throw toKafkaError(error, 'delete topics');
  } finally {
    await admin.disconnect();
  }
}
