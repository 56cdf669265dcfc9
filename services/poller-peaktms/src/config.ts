import { z } from 'zod';
import {
  envEnum,
  envInt,
  envList,
  envSecret,
  envString,
  envUrl,
  kafkaEnvShape,
  loadConfig,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { peaktmsObjectKinds, type PeaktmsObjectKind } from '@tidemark/peaktms';
import { checkPollEnv, pollEnvShape, pollSettingsFromEnv, pollStreamNames } from '@tidemark/poller';

/** The poller's own variables; defaults in the TSDoc of each. */
const pollerEnvShape = {
  /** PeakTMS origin, e.g. `https://tms.example.com`. Required. */
  TIDEMARK_PEAKTMS_BASE_URL: envUrl(),
  /** The API root below the origin. Default `/tms_rest`. */
  TIDEMARK_PEAKTMS_BASE_PATH: z.string().default('/tms_rest'),
  /** Installation name in events and topics' stream ids, e.g. `acme`. Required. */
  TIDEMARK_PEAKTMS_INSTANCE: envString(),
  /** `login` (default: user and password for 15-minute session tokens) or `token`. */
  TIDEMARK_PEAKTMS_AUTH_MODE: envEnum(['login', 'token']).default('login'),
  TIDEMARK_PEAKTMS_USER: envString().optional(),
  TIDEMARK_PEAKTMS_PASSWORD: envSecret().optional(),
  /** For mode `token`: a long-lived token generated in PeakTMS, or an external one. */
  TIDEMARK_PEAKTMS_TOKEN: envSecret().optional(),
  /** Object kinds whose history log is followed, comma-separated. Default: all four. */
  TIDEMARK_PEAKTMS_KINDS: envList().default([...peaktmsObjectKinds]),
  /** How often the upcoming maintenance windows are read. Default 60 000 ms. */
  TIDEMARK_PEAKTMS_MAINTENANCE_REFRESH_MS: envInt({ min: 100 }).default(60_000),
  /** Polling pauses this long before a maintenance window and after it. Default 5 000 ms. */
  TIDEMARK_PEAKTMS_MAINTENANCE_MARGIN_MS: envInt({ min: 0 }).default(5_000),
  ...pollEnvShape({ max: 1000, default: 500 }),
};

function isKind(value: string): value is PeaktmsObjectKind {
  return (peaktmsObjectKinds as readonly string[]).includes(value);
}

const schema = z
  .object({ ...kafkaEnvShape, ...serviceEnvShape, ...pollerEnvShape })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, why: string) => {
      if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: why });
    };
    if (env.TIDEMARK_PEAKTMS_AUTH_MODE === 'token') need('TIDEMARK_PEAKTMS_TOKEN', 'is required');
    else {
      need('TIDEMARK_PEAKTMS_USER', 'is required for auth mode login');
      need('TIDEMARK_PEAKTMS_PASSWORD', 'is required for auth mode login');
    }
    checkPollEnv(env, ctx, {
      variable: 'TIDEMARK_PEAKTMS_INSTANCE',
      value: env.TIDEMARK_PEAKTMS_INSTANCE,
    });
    if (!/^(\/[A-Za-z0-9._~\-/]*)?$/.test(env.TIDEMARK_PEAKTMS_BASE_PATH)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TIDEMARK_PEAKTMS_BASE_PATH'],
        message: 'must be a path starting with / (or empty)',
      });
    }
    for (const kind of env.TIDEMARK_PEAKTMS_KINDS) {
      if (!isKind(kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TIDEMARK_PEAKTMS_KINDS'],
          message: `unknown kind ${kind} (one of ${peaktmsObjectKinds.join(', ')})`,
        });
      }
    }
    if (new Set(env.TIDEMARK_PEAKTMS_KINDS).size !== env.TIDEMARK_PEAKTMS_KINDS.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['TIDEMARK_PEAKTMS_KINDS'],
        message: 'names a kind twice',
      });
    }
  })
  .transform((env) => {
    const { lookbackSeconds, ...poll } = pollSettingsFromEnv(env);
    const auth =
      env.TIDEMARK_PEAKTMS_AUTH_MODE === 'token' && env.TIDEMARK_PEAKTMS_TOKEN !== undefined
        ? { mode: 'token' as const, token: env.TIDEMARK_PEAKTMS_TOKEN }
        : {
            mode: 'login' as const,
            user: env.TIDEMARK_PEAKTMS_USER ?? '',
            // Present: the refinement above requires it for this mode.
            password: env.TIDEMARK_PEAKTMS_PASSWORD ?? '',
          };
    return {
      ...poll,
      peaktms: {
        baseUrl: env.TIDEMARK_PEAKTMS_BASE_URL,
        basePath: env.TIDEMARK_PEAKTMS_BASE_PATH,
        instance: env.TIDEMARK_PEAKTMS_INSTANCE,
        auth,
      },
      kinds: env.TIDEMARK_PEAKTMS_KINDS.filter(isKind),
      maintenanceRefreshMs: env.TIDEMARK_PEAKTMS_MAINTENANCE_REFRESH_MS,
      maintenanceMarginMs: env.TIDEMARK_PEAKTMS_MAINTENANCE_MARGIN_MS,
      lookbackMs: lookbackSeconds * 1000,
    };
  });

export type PollerPeaktmsConfig = z.output<typeof schema>;

/** Reads the poller's configuration; throws CONFIG_INVALID listing every problem. */
export function loadPollerPeaktmsConfig(env: Env): PollerPeaktmsConfig {
  return loadConfig(schema, env);
}

/** Names derived from the prefix, instance and kind: topics, transactional id, stream id. */
export function streamNames(prefix: string, instance: string, kind: string) {
  return pollStreamNames(prefix, 'peaktms', instance, kind);
}
