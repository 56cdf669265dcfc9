import { z } from 'zod';
import {
  envInt,
  envString,
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  loadConfig,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { checkTsmEnv, tsmConnectionFromEnv, tsmEnvShape } from '@tidemark/tsm';
import { checkZeyosEnv, zeyosConnectionFromEnv, zeyosEnvShape } from '@tidemark/zeyos';

const sinkEnvShape = {
  /** The rule file (YAML or JSON). Required. */
  TIDEMARK_SYNC_RULES: envString(),
  /** Prefix of every topic. Default `tidemark`. */
  TIDEMARK_TOPIC_PREFIX: envString().default('tidemark'),
  /** Consumer group. Default `<prefix>.sink-sync`. */
  TIDEMARK_SYNC_GROUP_ID: envString().optional(),
  /** Group session timeout: how soon a crashed instance's partitions move on. Default 30 000 ms. */
  TIDEMARK_SYNC_SESSION_TIMEOUT_MS: envInt({ min: 6_000 }).default(30_000),
  /** Drain time on SIGTERM. Default 30 000 ms. */
  TIDEMARK_SHUTDOWN_GRACE_MS: envInt({ min: 0 }).default(30_000),
};

const baseSchema = z
  .object({ ...kafkaEnvShape, ...serviceEnvShape, ...sinkEnvShape })
  .transform((env) => ({
    kafka: kafkaSettingsFromEnv(env),
    httpPort: env.TIDEMARK_HTTP_PORT,
    logLevel: env.TIDEMARK_LOG_LEVEL,
    rulesFile: env.TIDEMARK_SYNC_RULES,
    topicPrefix: env.TIDEMARK_TOPIC_PREFIX,
    groupId: env.TIDEMARK_SYNC_GROUP_ID,
    sessionTimeoutMs: env.TIDEMARK_SYNC_SESSION_TIMEOUT_MS,
    shutdownGraceMs: env.TIDEMARK_SHUTDOWN_GRACE_MS,
  }));

export type SinkSyncConfig = z.output<typeof baseSchema>;

/** The sink's own settings; throws CONFIG_INVALID listing every problem. */
export function loadSinkSyncConfig(env: Env): SinkSyncConfig {
  return loadConfig(baseSchema, env);
}

const zeyosSchema = z
  .object(zeyosEnvShape)
  .superRefine(checkZeyosEnv)
  .transform(zeyosConnectionFromEnv);
const tsmSchema = z.object(tsmEnvShape).superRefine(checkTsmEnv).transform(tsmConnectionFromEnv);

/** A target's connection, read only when the rules write into that system. */
export function loadZeyosTarget(env: Env) {
  return loadConfig(zeyosSchema, env);
}

export function loadTsmTarget(env: Env) {
  return loadConfig(tsmSchema, env);
}
