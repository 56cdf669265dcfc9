import { TidemarkError } from '@tidemark/errors';
import {
  type ChangeOp,
  changeOps,
  EntityTypeSchema,
  InstanceSchema,
  type System,
  SystemSchema,
  systems,
} from './vocabulary.js';

/** Prefix of every Tidemark event type (reverse DNS of the project). */
export const EVENT_TYPE_PREFIX = 'com.tidemark';

/** Version of the event data schema, carried as the last segment of the event type. */
export const EVENT_TYPE_VERSION = 'v1';

/** The past-tense verb of each op, as it appears in the event type. */
export const opVerbs = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  snapshot: 'snapshot',
} as const satisfies Record<ChangeOp, string>;

const opByVerb = new Map<string, ChangeOp>(changeOps.map((op) => [opVerbs[op], op]));

const systemAlternation = systems.join('|');

/** Matches every event topic, `tidemark.<system>.<entityType>`; usable as a subscription pattern. */
export const EVENT_TOPIC_PATTERN = new RegExp(
  `^tidemark\\.(${systemAlternation})\\.([a-z0-9_-]+)$`,
);

const eventTypePattern = new RegExp(
  `^com\\.tidemark\\.(${systemAlternation})\\.([a-z0-9_-]+)\\.([a-z]+)\\.${EVENT_TYPE_VERSION}$`,
);

function checkedEntityType(entityType: string): string {
  if (!EntityTypeSchema.safeParse(entityType).success) {
    throw new TidemarkError('INPUT_INVALID', 'entity type must match [a-z0-9_-]{1,100}', {
      details: { entityType },
    });
  }
  return entityType;
}

function checkedSystem(system: System): System {
  if (!SystemSchema.safeParse(system).success) {
    throw new TidemarkError('INPUT_INVALID', 'unknown system', { details: { system } });
  }
  return system;
}

/**
 * The CloudEvent `type`: `com.tidemark.<system>.<entityType>.<created|updated|deleted|snapshot>.v1`.
 * @throws TidemarkError `INPUT_INVALID` for an unknown system or a malformed entity type.
 */
export function eventTypeFor(system: System, entityType: string, op: ChangeOp): string {
  return `${EVENT_TYPE_PREFIX}.${checkedSystem(system)}.${checkedEntityType(entityType)}.${opVerbs[op]}.${EVENT_TYPE_VERSION}`;
}

/** The inverse of {@link eventTypeFor}; `undefined` for anything that is not a Tidemark v1 type. */
export function parseEventType(
  type: string,
): { system: System; entityType: string; op: ChangeOp } | undefined {
  const match = eventTypePattern.exec(type);
  const system = SystemSchema.safeParse(match?.[1]);
  const entityType = match?.[2];
  const op = match?.[3] === undefined ? undefined : opByVerb.get(match[3]);
  if (!system.success || entityType === undefined || entityType.length > 100 || op === undefined) {
    return undefined;
  }
  return { system: system.data, entityType, op };
}

/**
 * The CloudEvent `source`: `/tidemark/<system>/<instance>/<entityType>`, a URI reference whose
 * segments need no escaping (instance and entity type are restricted to `[a-z0-9_-]`).
 * @throws TidemarkError `INPUT_INVALID` for an unknown system or malformed instance or entity type.
 */
export function sourceFor(system: System, instance: string, entityType: string): string {
  if (!InstanceSchema.safeParse(instance).success) {
    throw new TidemarkError('INPUT_INVALID', 'instance must match [a-z0-9][a-z0-9_-]{0,62}', {
      details: { instance },
    });
  }
  return `/tidemark/${checkedSystem(system)}/${instance}/${checkedEntityType(entityType)}`;
}

/**
 * The Kafka topic of a system's entity type: `tidemark.<system>.<entityType>`.
 * @throws TidemarkError `INPUT_INVALID` for an unknown system or a malformed entity type.
 */
export function topicFor(system: System, entityType: string): string {
  return `tidemark.${checkedSystem(system)}.${checkedEntityType(entityType)}`;
}

/** Whether a topic name is a Tidemark event topic (internal and dead-letter topics are not). */
export function isEventTopic(name: string): boolean {
  return parseTopic(name) !== undefined;
}

/** The inverse of {@link topicFor}; `undefined` for topics that are not Tidemark event topics. */
export function parseTopic(topic: string): { system: System; entityType: string } | undefined {
  const match = EVENT_TOPIC_PATTERN.exec(topic);
  const system = SystemSchema.safeParse(match?.[1]);
  const entityType = match?.[2];
  if (!system.success || entityType === undefined || entityType.length > 100) return undefined;
  return { system: system.data, entityType };
}
