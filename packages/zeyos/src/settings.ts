/**
 * Settings of the ZeyOS client, validated once when it is created.
 */
import { z } from 'zod';
import { Secret } from '@tidemark/config';
import { TidemarkError } from '@tidemark/errors';
import type { HttpClientSettings } from '@tidemark/http';

/** A password or client secret: a `Secret` (preferred) or a plain string that is never logged. */
const secretValue = z
  .union([z.instanceof(Secret), z.string().min(1)])
  .transform((value) => (typeof value === 'string' ? new Secret(value) : value));

const identifierPattern = /^[a-zA-Z0-9_.:-]+$/;

export const ZeyosAuthSchema = z.discriminatedUnion('mode', [
  z.object({
    /** OAuth 2.0 (`/oauth2/v1/token`), password grant then refresh_token grant. */
    mode: z.literal('oauth2'),
    /** The application's identifier (`client_id`). */
    clientId: z.string().min(1),
    /** The application's API secret (`client_secret`), if it has one. */
    clientSecret: secretValue.optional(),
    username: z.string().min(1),
    password: secretValue,
  }),
  z.object({
    /** The deprecated legacy login (`/auth/v1/login`); tokens default to 100 days. */
    mode: z.literal('legacy'),
    username: z.string().min(1),
    password: secretValue,
    /** The client's persistent identifier; one token per identifier. Default `tidemark`. */
    identifier: z.string().regex(identifierPattern).default('tidemark'),
    /** The application's API secret (`appsecret`). */
    appsecret: secretValue.optional(),
    /** Requested token lifetime (`expdate` = now + this). Default: the server's (100 days). */
    tokenLifetimeSeconds: z.number().int().positive().optional(),
  }),
  z.object({
    /** A bearer token obtained elsewhere; a 401 cannot be repaired. */
    mode: z.literal('token'),
    token: secretValue,
  }),
]);

export const ZeyosClientSettingsSchema = z.object({
  /** Scheme, host and port of the ZeyOS server, e.g. `https://cloud.zeyos.com`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The instance name, the first path segment (`/{INSTANCE}/api/v1`). */
  instance: z.string().regex(/^[a-zA-Z0-9_.-]+$/),
  auth: ZeyosAuthSchema,
  /**
   * Passed to `@tidemark/http` for the API and the auth endpoints: timeouts, retries,
   * concurrency, user agent. `baseUrl` is derived.
   */
  http: z
    .custom<Omit<HttpClientSettings, 'baseUrl'>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'expected an object of HTTP client settings',
    )
    .optional(),
  /** Refresh a token this long before it expires. Default 60 000 ms. */
  refreshBeforeMs: z.number().int().nonnegative().default(60_000),
});

export type ZeyosClientSettings = z.input<typeof ZeyosClientSettingsSchema>;
export type ResolvedZeyosClientSettings = z.output<typeof ZeyosClientSettingsSchema>;
export type ZeyosAuthSettings = z.input<typeof ZeyosAuthSchema>;
export type ResolvedZeyosAuth = z.output<typeof ZeyosAuthSchema>;

/** Applies defaults; CONFIG_INVALID lists every problem (paths and messages, never values). */
export function resolveZeyosClientSettings(
  settings: ZeyosClientSettings,
): ResolvedZeyosClientSettings {
  const parsed = ZeyosClientSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new TidemarkError(
    'CONFIG_INVALID',
    `invalid ZeyOS client settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { issues } },
  );
}

/** The three base URLs of one instance. */
export interface ZeyosUrls {
  /** `<origin>/<INSTANCE>` */
  instance: string;
  api: string;
  auth: string;
  oauth2: string;
}

export function zeyosUrls(baseUrl: string, instance: string): ZeyosUrls {
  const origin = baseUrl.replace(/\/+$/, '');
  const root = `${origin}/${encodeURIComponent(instance)}`;
  return {
    instance: root,
    api: `${root}/api/v1`,
    auth: `${root}/auth/v1`,
    oauth2: `${root}/oauth2/v1`,
  };
}
