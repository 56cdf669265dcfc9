import { z } from 'zod';
import {
  envEnum,
  envInt,
  envList,
  kafkaEnvShape,
  loadConfig,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { checkPollEnv, pollEnvShape, pollSettingsFromEnv, pollStreamNames } from '@tidemark/poller';
import { DEFAULT_TSM_MODULES, checkTsmEnv, tsmConnectionFromEnv, tsmEnvShape } from '@tidemark/tsm';

/** The poller's own variables; defaults in the TSDoc of each. */
const pollerEnvShape = {
  ...tsmEnvShape,
  ...pollEnvShape({ max: 2_000, default: 500 }),
  /** Entities to poll, comma-separated. Default `customers,tickets,users,register-values`. */
  TIDEMARK_TSM_ENTITIES: envList().default(['customers', 'tickets', 'users', 'register-values']),
  /** Delete detection: `log` (default, the entity's /log) or `reconcile` (id scans). */
  TIDEMARK_TSM_DELETES: envEnum(['log', 'reconcile']).default('log'),
  /** Reads stop this far behind our clock (commits still becoming visible). Default 1 000 ms. */
  TIDEMARK_POLL_SAFETY_LAG_MS: envInt({ min: 0, max: 3_600_000 }).default(1_000),
  /** Id reconciliation interval (delete mode `reconcile`). Default 3 600 000 ms. */
  TIDEMARK_POLL_RECONCILE_INTERVAL_MS: envInt({ min: 1_000 }).default(3_600_000),
};

const schema = z
  .object({ ...kafkaEnvShape, ...serviceEnvShape, ...pollerEnvShape })
  .superRefine((env, ctx) => {
    checkTsmEnv(env, ctx);
    checkPollEnv(env, ctx, { variable: 'TIDEMARK_TSM_INSTANCE', value: env.TIDEMARK_TSM_INSTANCE });
    for (const entity of env.TIDEMARK_TSM_ENTITIES) {
      if (DEFAULT_TSM_MODULES[entity] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['TIDEMARK_TSM_ENTITIES'],
          message: `unknown entity ${entity} (known: ${Object.keys(DEFAULT_TSM_MODULES).join(', ')})`,
        });
      }
    }
  })
  .transform((env) => {
    const { lookbackSeconds, ...poll } = pollSettingsFromEnv(env);
    return {
      ...poll,
      tsm: tsmConnectionFromEnv(env),
      entities: env.TIDEMARK_TSM_ENTITIES,
      deletes: env.TIDEMARK_TSM_DELETES,
      lookbackMs: lookbackSeconds * 1000,
      safetyLagMs: env.TIDEMARK_POLL_SAFETY_LAG_MS,
      reconcileIntervalMs: env.TIDEMARK_POLL_RECONCILE_INTERVAL_MS,
    };
  });

export type PollerTsmConfig = z.output<typeof schema>;

/** Reads the poller's configuration; throws CONFIG_INVALID listing every problem. */
export function loadPollerTsmConfig(env: Env): PollerTsmConfig {
  return loadConfig(schema, env);
}

/** Names derived from the prefix, instance and entity: topics, transactional id, stream id. */
export function streamNames(prefix: string, instance: string, entity: string) {
  return pollStreamNames(prefix, 'tsm', instance, entity);
}
