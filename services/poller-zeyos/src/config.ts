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
import { checkZeyosEnv, zeyosConnectionFromEnv, zeyosEnvShape } from '@tidemark/zeyos';

/** The poller's own variables; defaults in the TSDoc of each. */
const pollerEnvShape = {
  ...zeyosEnvShape,
  /** Entities to poll, comma-separated. Default `accounts,contacts`. */
  TIDEMARK_ZEYOS_ENTITIES: envList().default(['accounts', 'contacts']),
  /** Wait between polls once caught up. Default 5 000 ms. */
  TIDEMARK_POLL_INTERVAL_MS: envInt({ min: 10 }).default(5_000),
  /** Rows per list request (1…10000). Default 1000. */
  TIDEMARK_POLL_PAGE_SIZE: envInt({ min: 1, max: 10_000 }).default(1000),
  /** `now` (default), `snapshot` or `timestamp` (with TIDEMARK_POLL_START_AT). */
  TIDEMARK_POLL_START_MODE: envEnum(['now', 'snapshot', 'timestamp']).default('now'),
  /** ISO timestamp for start mode `timestamp`. */
  TIDEMARK_POLL_START_AT: envString().optional(),
  /** Seconds re-read below the newest seen second (same second, clock skew, late commits). Default 5. */
  TIDEMARK_POLL_LOOKBACK_SECONDS: envInt({ min: 0, max: 86_400 }).default(5),
  /** ID reconciliation (permanent deletes) interval. Default 3 600 000 ms; 0 disables it. */
  TIDEMARK_POLL_RECONCILE_INTERVAL_MS: envInt({ min: 0 }).default(3_600_000),
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
    checkZeyosEnv(env, ctx);
    if (!InstanceSchema.safeParse(env.TIDEMARK_ZEYOS_INSTANCE).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['TIDEMARK_ZEYOS_INSTANCE'],
        message: 'must be lowercase letters, digits, "-" or "_"',
      });
    }
    for (const entity of env.TIDEMARK_ZEYOS_ENTITIES) {
      if (!/^[a-z][a-z0-9]*$/.test(entity)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TIDEMARK_ZEYOS_ENTITIES'],
          message: `bad entity ${entity}`,
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
      zeyos: zeyosConnectionFromEnv(env),
      entities: env.TIDEMARK_ZEYOS_ENTITIES,
      pollIntervalMs: env.TIDEMARK_POLL_INTERVAL_MS,
      pageSize: env.TIDEMARK_POLL_PAGE_SIZE,
      startMode,
      lookbackSeconds: env.TIDEMARK_POLL_LOOKBACK_SECONDS,
      reconcileIntervalMs: env.TIDEMARK_POLL_RECONCILE_INTERVAL_MS,
      heartbeatIntervalMs: env.TIDEMARK_POLL_HEARTBEAT_INTERVAL_MS,
      topicPrefix: env.TIDEMARK_TOPIC_PREFIX,
      shutdownGraceMs: env.TIDEMARK_SHUTDOWN_GRACE_MS,
    };
  });

export type PollerZeyosConfig = z.output<typeof schema>;

/** Reads the poller's configuration; throws CONFIG_INVALID listing every problem. */
export function loadPollerZeyosConfig(env: Env): PollerZeyosConfig {
  return loadConfig(schema, env);
}

/** Names derived from the prefix, instance and entity: topics, transactional id, stream id. */
export function streamNames(prefix: string, instance: string, entity: string) {
  return {
    streamId: `zeyos.${instance}.${entity}`,
    transactionalId: `${prefix}.poller.zeyos.${instance}.${entity}`,
    events: `${prefix}.zeyos.${entity}`,
    deadLetters: `${prefix}.dlq.poller-zeyos`,
    heartbeats: `${prefix}.heartbeats`,
    checkpoints: `${prefix}.checkpoints`,
  };
}
