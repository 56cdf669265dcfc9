import { z } from 'zod';
import {
  envEnum,
  envInt,
  envList,
  envString,
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  loadConfig,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { InstanceSchema } from '@tidemark/events';
import type { StartMode } from '@tidemark/poller';
import { DEFAULT_TSM_MODULES, checkTsmEnv, tsmConnectionFromEnv, tsmEnvShape } from '@tidemark/tsm';

/** The poller's own variables; defaults in the TSDoc of each. */
const pollerEnvShape = {
  ...tsmEnvShape,
  /** Entities to poll, comma-separated. Default `customers,tickets,users,register-values`. */
  TIDEMARK_TSM_ENTITIES: envList().default(['customers', 'tickets', 'users', 'register-values']),
  /** Delete detection: `log` (default, the entity's /log) or `reconcile` (id scans). */
  TIDEMARK_TSM_DELETES: envEnum(['log', 'reconcile']).default('log'),
  /** Wait between polls once caught up. Default 5 000 ms. */
  TIDEMARK_POLL_INTERVAL_MS: envInt({ min: 10 }).default(5_000),
  /** Records per /page request (1…2000). Default 500. */
  TIDEMARK_POLL_PAGE_SIZE: envInt({ min: 1, max: 2_000 }).default(500),
  /** `now` (default), `snapshot` or `timestamp` (with TIDEMARK_POLL_START_AT). */
  TIDEMARK_POLL_START_MODE: envEnum(['now', 'snapshot', 'timestamp']).default('now'),
  /** ISO timestamp for start mode `timestamp`. */
  TIDEMARK_POLL_START_AT: envString().optional(),
  /** Seconds re-read below the newest whenEdited seen (equal times, late visibility). Default 5. */
  TIDEMARK_POLL_LOOKBACK_SECONDS: envInt({ min: 0, max: 86_400 }).default(5),
  /** Reads stop this far behind our clock (commits still becoming visible). Default 1 000 ms. */
  TIDEMARK_POLL_SAFETY_LAG_MS: envInt({ min: 0, max: 3_600_000 }).default(1_000),
  /** Id reconciliation interval (delete mode `reconcile`). Default 3 600 000 ms. */
  TIDEMARK_POLL_RECONCILE_INTERVAL_MS: envInt({ min: 1_000 }).default(3_600_000),
  /** An idle stream writes a heartbeat this often. Default 30 000 ms. */
  TIDEMARK_POLL_HEARTBEAT_INTERVAL_MS: envInt({ min: 100 }).default(30_000),
  /** Prefix of every topic and transactional id. Default `tidemark`. */
  TIDEMARK_TOPIC_PREFIX: envString().default('tidemark'),
  /** Drain time on SIGTERM. Default 30 000 ms. */
  TIDEMARK_SHUTDOWN_GRACE_MS: envInt({ min: 0 }).default(30_000),
};

const schema = z
  .object({ ...kafkaEnvShape, ...serviceEnvShape, ...pollerEnvShape })
  .superRefine((env, ctx) => {
    checkTsmEnv(env, ctx);
    if (!InstanceSchema.safeParse(env.TIDEMARK_TSM_INSTANCE).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['TIDEMARK_TSM_INSTANCE'],
        message: 'must be lowercase letters, digits, "-" or "_"',
      });
    }
    for (const entity of env.TIDEMARK_TSM_ENTITIES) {
      if (DEFAULT_TSM_MODULES[entity] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['TIDEMARK_TSM_ENTITIES'],
          message: `unknown entity ${entity} (known: ${Object.keys(DEFAULT_TSM_MODULES).join(', ')})`,
        });
      }
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
  })
  .transform((env) => {
    const startMode: StartMode =
      env.TIDEMARK_POLL_START_MODE === 'timestamp'
        ? { mode: 'timestamp', atMs: Date.parse(env.TIDEMARK_POLL_START_AT ?? '') }
        : { mode: env.TIDEMARK_POLL_START_MODE };
    return {
      kafka: kafkaSettingsFromEnv(env),
      httpPort: env.TIDEMARK_HTTP_PORT,
      logLevel: env.TIDEMARK_LOG_LEVEL,
      tsm: tsmConnectionFromEnv(env),
      entities: env.TIDEMARK_TSM_ENTITIES,
      deletes: env.TIDEMARK_TSM_DELETES,
      pollIntervalMs: env.TIDEMARK_POLL_INTERVAL_MS,
      pageSize: env.TIDEMARK_POLL_PAGE_SIZE,
      startMode,
      lookbackMs: env.TIDEMARK_POLL_LOOKBACK_SECONDS * 1000,
      safetyLagMs: env.TIDEMARK_POLL_SAFETY_LAG_MS,
      reconcileIntervalMs: env.TIDEMARK_POLL_RECONCILE_INTERVAL_MS,
      heartbeatIntervalMs: env.TIDEMARK_POLL_HEARTBEAT_INTERVAL_MS,
      topicPrefix: env.TIDEMARK_TOPIC_PREFIX,
      shutdownGraceMs: env.TIDEMARK_SHUTDOWN_GRACE_MS,
    };
  });

export type PollerTsmConfig = z.output<typeof schema>;

/** Reads the poller's configuration; throws CONFIG_INVALID listing every problem. */
export function loadPollerTsmConfig(env: Env): PollerTsmConfig {
  return loadConfig(schema, env);
}

/** Names derived from the prefix, instance and entity: topics, transactional id, stream id. */
export function streamNames(prefix: string, instance: string, entity: string) {
  return {
    streamId: `tsm.${instance}.${entity}`,
    transactionalId: `${prefix}.poller.tsm.${instance}.${entity}`,
    events: `${prefix}.tsm.${entity}`,
    deadLetters: `${prefix}.dlq.poller-tsm`,
    heartbeats: `${prefix}.heartbeats`,
    checkpoints: `${prefix}.checkpoints`,
  };
}
