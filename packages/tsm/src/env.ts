/**
 * The environment variables of a tSM connection, for every service that talks to tSM (the
 * poller reads it, the sync sink writes it): one spelling of each variable, one set of rules.
 * A service merges the shape into its own schema, so all problems are reported together.
 */
import type { z } from 'zod';
import { envEnum, envSecret, envString, envUrl } from '@tidemark/config';
import type { TsmAuthSettings } from './settings.js';

export const tsmEnvShape = {
  /** tSM origin, e.g. `https://tsm.example.com` (modules sit below it). Required. */
  TIDEMARK_TSM_BASE_URL: envUrl(),
  /** Names this installation in stream ids and events, e.g. `acme`. Required. */
  TIDEMARK_TSM_INSTANCE: envString(),
  /** `oauth2` (default), `token` (a bearer token obtained elsewhere) or `apiKey`. */
  TIDEMARK_TSM_AUTH_MODE: envEnum(['oauth2', 'token', 'apiKey']).default('oauth2'),
  /** OAuth grant: `client_credentials` (default) or `password` (with username/password). */
  TIDEMARK_TSM_GRANT: envEnum(['client_credentials', 'password']).default('client_credentials'),
  /** OAuth client id. Default `tidemark`. */
  TIDEMARK_TSM_CLIENT_ID: envString().default('tidemark'),
  TIDEMARK_TSM_CLIENT_SECRET: envSecret().optional(),
  TIDEMARK_TSM_USERNAME: envString().optional(),
  TIDEMARK_TSM_PASSWORD: envSecret().optional(),
  /** Token endpoint on another host; default `<base>/oauth2/token`. */
  TIDEMARK_TSM_TOKEN_URL: envUrl().optional(),
  /** For mode `token`. */
  TIDEMARK_TSM_TOKEN: envSecret().optional(),
  /** For mode `apiKey` (sent as `X-API-Key`). */
  TIDEMARK_TSM_API_KEY: envSecret().optional(),
};

export type TsmEnv = z.output<z.ZodObject<typeof tsmEnvShape>>;

/** The variables each auth mode needs; call from the service schema's superRefine. */
export function checkTsmEnv(env: TsmEnv, ctx: z.RefinementCtx): void {
  const need = (name: keyof TsmEnv, why: string) => {
    if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: why });
  };
  const mode = env.TIDEMARK_TSM_AUTH_MODE;
  if (mode === 'token') need('TIDEMARK_TSM_TOKEN', 'is required for auth mode token');
  if (mode === 'apiKey') need('TIDEMARK_TSM_API_KEY', 'is required for auth mode apiKey');
  if (mode === 'oauth2' && env.TIDEMARK_TSM_GRANT === 'password') {
    need('TIDEMARK_TSM_USERNAME', 'is required for the password grant');
    need('TIDEMARK_TSM_PASSWORD', 'is required for the password grant');
  }
}

/** The client settings the variables describe (after checkTsmEnv passed); secrets stay wrapped. */
export function tsmConnectionFromEnv(env: TsmEnv): {
  baseUrl: string;
  instance: string;
  auth: TsmAuthSettings;
} {
  return {
    baseUrl: env.TIDEMARK_TSM_BASE_URL,
    instance: env.TIDEMARK_TSM_INSTANCE,
    auth: authOf(env),
  };
}

function authOf(env: TsmEnv): TsmAuthSettings {
  switch (env.TIDEMARK_TSM_AUTH_MODE) {
    case 'token':
      return { mode: 'token', token: env.TIDEMARK_TSM_TOKEN ?? '' };
    case 'apiKey':
      return { mode: 'apiKey', apiKey: env.TIDEMARK_TSM_API_KEY ?? '' };
    case 'oauth2':
      return {
        mode: 'oauth2',
        grant: env.TIDEMARK_TSM_GRANT,
        clientId: env.TIDEMARK_TSM_CLIENT_ID,
        ...(env.TIDEMARK_TSM_CLIENT_SECRET === undefined
          ? {}
          : { clientSecret: env.TIDEMARK_TSM_CLIENT_SECRET }),
        ...(env.TIDEMARK_TSM_USERNAME === undefined ? {} : { username: env.TIDEMARK_TSM_USERNAME }),
        ...(env.TIDEMARK_TSM_PASSWORD === undefined ? {} : { password: env.TIDEMARK_TSM_PASSWORD }),
        ...(env.TIDEMARK_TSM_TOKEN_URL === undefined
          ? {}
          : { tokenUrl: env.TIDEMARK_TSM_TOKEN_URL }),
      };
  }
}
