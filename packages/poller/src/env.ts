/**
 * The environment variables every poller service shares (`TIDEMARK_POLL_*`, the topic prefix,
 * the drain time): one spelling of each, one set of rules. A service merges the shape into its
 * own schema beside its connection variables, so all problems are reported together.
 */
import type { z } from 'zod';
import {
  envEnum,
  envInt,
  envString,
  kafkaSettingsFromEnv,
  type KafkaEnv,
  type serviceEnvShape,
} from '@tidemark/config';
import { InstanceSchema } from '@tidemark/events';
import type { StartMode } from './source.js';

/** Bounds of `TIDEMARK_POLL_PAGE_SIZE`: each system's list endpoint has its own limit. */
export interface PageSizeBounds {
  max: number;
  default: number;
}

/** The shared variables; defaults in the TSDoc of each. */
export function pollEnvShape(pageSize: PageSizeBounds) {
  return {
    /** Wait between polls once caught up. Default 5 000 ms. */
    TIDEMARK_POLL_INTERVAL_MS: envInt({ min: 10 }).default(5_000),
    /** Records (or entries) per read, 1…`pageSize.max`. Default `pageSize.default`. */
    TIDEMARK_POLL_PAGE_SIZE: envInt({ min: 1, max: pageSize.max }).default(pageSize.default),
    /** `now` (default), `snapshot` or `timestamp` (with TIDEMARK_POLL_START_AT). */
    TIDEMARK_POLL_START_MODE: envEnum(['now', 'snapshot', 'timestamp']).default('now'),
    /** ISO timestamp for start mode `timestamp`. */
    TIDEMARK_POLL_START_AT: envString().optional(),
    /**
     * Seconds read again below the newest change seen (equal times, clock skew, late commits);
     * for a history log, how far before its start a new stream begins. Default 5.
     */
    TIDEMARK_POLL_LOOKBACK_SECONDS: envInt({ min: 0, max: 86_400 }).default(5),
    /** An idle stream writes a heartbeat this often. Default 30 000 ms. */
    TIDEMARK_POLL_HEARTBEAT_INTERVAL_MS: envInt({ min: 100 }).default(30_000),
    /** Prefix of every topic and transactional id. Default `tidemark`. */
    TIDEMARK_TOPIC_PREFIX: envString().default('tidemark'),
    /** Drain time on SIGTERM. Default 30 000 ms. */
    TIDEMARK_SHUTDOWN_GRACE_MS: envInt({ min: 0 }).default(30_000),
  };
}

export type PollEnv = z.output<z.ZodObject<ReturnType<typeof pollEnvShape>>>;
type ServiceEnv = z.output<z.ZodObject<typeof serviceEnvShape>>;

/**
 * The rules across variables, and the instance name's (it goes into stream ids and event
 * sources: the events' own rule for it); call from the service schema's superRefine.
 */
export function checkPollEnv(
  env: PollEnv,
  ctx: z.RefinementCtx,
  instance: { variable: string; value: string },
): void {
  if (!InstanceSchema.safeParse(instance.value).success) {
    ctx.addIssue({
      code: 'custom',
      path: [instance.variable],
      message: 'must be lowercase letters, digits, "-" or "_"',
    });
  }
  if (env.TIDEMARK_POLL_START_MODE === 'timestamp') {
    const at = env.TIDEMARK_POLL_START_AT;
    if (at === undefined || Number.isNaN(Date.parse(at))) {
      ctx.addIssue({
        code: 'custom',
        path: ['TIDEMARK_POLL_START_AT'],
        message: 'must be an ISO timestamp for start mode timestamp',
      });
    }
  }
}

/**
 * The settings the shared variables (with the Kafka and service ones) describe, after
 * checkPollEnv passed: what `runPollerService` needs, plus the page size and lookback each
 * source takes.
 */
export function pollSettingsFromEnv(env: PollEnv & KafkaEnv & ServiceEnv) {
  const startMode: StartMode =
    env.TIDEMARK_POLL_START_MODE === 'timestamp'
      ? { mode: 'timestamp', atMs: Date.parse(env.TIDEMARK_POLL_START_AT ?? '') }
      : { mode: env.TIDEMARK_POLL_START_MODE };
  return {
    kafka: kafkaSettingsFromEnv(env),
    httpPort: env.TIDEMARK_HTTP_PORT,
    logLevel: env.TIDEMARK_LOG_LEVEL,
    pollIntervalMs: env.TIDEMARK_POLL_INTERVAL_MS,
    pageSize: env.TIDEMARK_POLL_PAGE_SIZE,
    startMode,
    lookbackSeconds: env.TIDEMARK_POLL_LOOKBACK_SECONDS,
    heartbeatIntervalMs: env.TIDEMARK_POLL_HEARTBEAT_INTERVAL_MS,
    topicPrefix: env.TIDEMARK_TOPIC_PREFIX,
    shutdownGraceMs: env.TIDEMARK_SHUTDOWN_GRACE_MS,
  };
}

export type PollSettings = ReturnType<typeof pollSettingsFromEnv>;

/** Names of one stream, from the prefix, system, instance and entity. */
export function pollStreamNames(prefix: string, system: string, instance: string, entity: string) {
  return {
    streamId: `${system}.${instance}.${entity}`,
    transactionalId: `${prefix}.poller.${system}.${instance}.${entity}`,
    events: `${prefix}.${system}.${entity}`,
    deadLetters: `${prefix}.dlq.poller-${system}`,
    heartbeats: `${prefix}.heartbeats`,
    checkpoints: `${prefix}.checkpoints`,
  };
}

export type PollStreamNames = ReturnType<typeof pollStreamNames>;
