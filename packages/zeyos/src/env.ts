/**
 * The environment variables of a ZeyOS connection, for every service that talks to ZeyOS (the
 * poller reads it, the sync sink writes it): one spelling of each variable, one set of rules.
 * A service merges the shape into its own schema, so all problems are reported together.
 */
import type { z } from 'zod';
import { envEnum, envSecret, envString, envUrl } from '@tidemark/config';
import type { ZeyosAuthSettings } from './settings.js';

export const zeyosEnvShape = {
  /** ZeyOS origin, e.g. `https://cloud.zeyos.com`. Required. */
  TIDEMARK_ZEYOS_BASE_URL: envUrl(),
  /** ZeyOS instance (the path segment). Required. */
  TIDEMARK_ZEYOS_INSTANCE: envString(),
  /** `oauth2` (default), `legacy` or `token`. */
  TIDEMARK_ZEYOS_AUTH_MODE: envEnum(['oauth2', 'legacy', 'token']).default('oauth2'),
  TIDEMARK_ZEYOS_USERNAME: envString().optional(),
  TIDEMARK_ZEYOS_PASSWORD: envSecret().optional(),
  /** OAuth client id (also the legacy identifier). Default `tidemark`. */
  TIDEMARK_ZEYOS_CLIENT_ID: envString().default('tidemark'),
  /** OAuth client secret (also the legacy appsecret). */
  TIDEMARK_ZEYOS_CLIENT_SECRET: envSecret().optional(),
  /** For mode `token`. */
  TIDEMARK_ZEYOS_TOKEN: envSecret().optional(),
};

export type ZeyosEnv = z.output<z.ZodObject<typeof zeyosEnvShape>>;

/** The variables each auth mode needs; call from the service schema's superRefine. */
export function checkZeyosEnv(env: ZeyosEnv, ctx: z.RefinementCtx): void {
  const need = (name: keyof ZeyosEnv, why: string) => {
    if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: why });
  };
  if (env.TIDEMARK_ZEYOS_AUTH_MODE === 'token') need('TIDEMARK_ZEYOS_TOKEN', 'is required');
  else {
    need('TIDEMARK_ZEYOS_USERNAME', `is required for auth mode ${env.TIDEMARK_ZEYOS_AUTH_MODE}`);
    need('TIDEMARK_ZEYOS_PASSWORD', `is required for auth mode ${env.TIDEMARK_ZEYOS_AUTH_MODE}`);
  }
}

/** The client settings the variables describe (after checkZeyosEnv passed). */
export function zeyosConnectionFromEnv(env: ZeyosEnv): {
  baseUrl: string;
  instance: string;
  auth: ZeyosAuthSettings;
} {
  const username = env.TIDEMARK_ZEYOS_USERNAME ?? '';
  const password = env.TIDEMARK_ZEYOS_PASSWORD ?? '';
  const secret = env.TIDEMARK_ZEYOS_CLIENT_SECRET;
  const auth: ZeyosAuthSettings =
    env.TIDEMARK_ZEYOS_AUTH_MODE === 'token'
      ? { mode: 'token', token: env.TIDEMARK_ZEYOS_TOKEN ?? '' }
      : env.TIDEMARK_ZEYOS_AUTH_MODE === 'legacy'
        ? {
            mode: 'legacy',
            username,
            password,
            identifier: env.TIDEMARK_ZEYOS_CLIENT_ID,
            ...(secret === undefined ? {} : { appsecret: secret }),
          }
        : {
            mode: 'oauth2',
            clientId: env.TIDEMARK_ZEYOS_CLIENT_ID,
            ...(secret === undefined ? {} : { clientSecret: secret }),
            username,
            password,
          };
  return { baseUrl: env.TIDEMARK_ZEYOS_BASE_URL, instance: env.TIDEMARK_ZEYOS_INSTANCE, auth };
}
