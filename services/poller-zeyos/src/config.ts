import { z } from 'zod';
import {
  envInt,
  envList,
  kafkaEnvShape,
  loadConfig,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { checkPollEnv, pollEnvShape, pollSettingsFromEnv, pollStreamNames } from '@tidemark/poller';
import { checkZeyosEnv, zeyosConnectionFromEnv, zeyosEnvShape } from '@tidemark/zeyos';

/** The poller's own variables; defaults in the TSDoc of each. */
const pollerEnvShape = {
  ...zeyosEnvShape,
  ...pollEnvShape({ max: 10_000, default: 1000 }),
  /** Entities to poll, comma-separated. Default `accounts,contacts`. */
  TIDEMARK_ZEYOS_ENTITIES: envList().default(['accounts', 'contacts']),
  /** ID reconciliation (permanent deletes) interval. Default 3 600 000 ms; 0 disables it. */
  TIDEMARK_POLL_RECONCILE_INTERVAL_MS: envInt({ min: 0 }).default(3_600_000),
};

const schema = z
  .object({ ...kafkaEnvShape, ...serviceEnvShape, ...pollerEnvShape })
  .superRefine((env, ctx) => {
    checkZeyosEnv(env, ctx);
    checkPollEnv(env, ctx, {
      variable: 'TIDEMARK_ZEYOS_INSTANCE',
      value: env.TIDEMARK_ZEYOS_INSTANCE,
    });
    for (const entity of env.TIDEMARK_ZEYOS_ENTITIES) {
      if (!/^[a-z][a-z0-9]*$/.test(entity)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TIDEMARK_ZEYOS_ENTITIES'],
          message: `bad entity ${entity}`,
        });
      }
    }
  })
  .transform((env) => ({
    ...pollSettingsFromEnv(env),
    zeyos: zeyosConnectionFromEnv(env),
    entities: env.TIDEMARK_ZEYOS_ENTITIES,
    reconcileIntervalMs: env.TIDEMARK_POLL_RECONCILE_INTERVAL_MS,
  }));

export type PollerZeyosConfig = z.output<typeof schema>;

/** Reads the poller's configuration; throws CONFIG_INVALID listing every problem. */
export function loadPollerZeyosConfig(env: Env): PollerZeyosConfig {
  return loadConfig(schema, env);
}

/** Names derived from the prefix, instance and entity: topics, transactional id, stream id. */
export function streamNames(prefix: string, instance: string, entity: string) {
  return pollStreamNames(prefix, 'zeyos', instance, entity);
}
