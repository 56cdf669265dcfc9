/**
 * Settings of the tSM client, validated once when it is created.
 */
import { z } from 'zod';
import { Secret } from '@tidemark/config';
import { TidemarkError } from '@tidemark/errors';
import type { HttpClientSettings } from '@tidemark/http';

/** A password, client secret, token or API key: a `Secret` or a plain string (wrapped at once). */
const secretValue = z
  .union([z.instanceof(Secret), z.string().min(1)])
  .transform((value) => (typeof value === 'string' ? new Secret(value) : value));

/** A path below the server's origin: `/tsm-customer/api/v2`. */
const basePath = z
  .string()
  .regex(/^\/[A-Za-z0-9._~\-/]*$/, 'a path starting with /')
  .transform((path) => path.replace(/\/+$/, ''));

/**
 * Module base paths of the known entities. The guide: "Each module has its own base URL"
 * (`/tsm-config-form/api/v2/`, `/tsm-customer/api/v2/`, …); which module serves which entity
 * is our assumption, overridable per entity with `settings.modules`.
 */
export const DEFAULT_TSM_MODULES: Readonly<Record<string, string>> = Object.freeze({
  customers: '/tsm-customer/api/v2',
  tickets: '/tsm-ticket/api/v2',
  users: '/tsm-user-management/api/v2',
  roles: '/tsm-user-management/api/v2',
  groups: '/tsm-user-management/api/v2',
  registers: '/tsm-config-form/api/v2',
  'register-values': '/tsm-config-form/api/v2',
  'entity-catalogs': '/tsm-catalog/api/v2',
});

/** The grants the token endpoint is asked for first; `refresh_token` follows when offered. */
export const tsmGrantTypes = ['client_credentials', 'password'] as const;

export const TsmAuthSchema = z.discriminatedUnion('mode', [
  z.object({
    /**
     * OAuth 2.0 (RFC 6749) at a token endpoint; tSM's own is not public. Form-encoded; the
     * `refresh_token` grant is used when the answer carried a refresh token.
     */
    mode: z.literal('oauth2'),
    /** Token endpoint path below `baseUrl`. Default `/oauth2/token`. */
    tokenPath: basePath.default('/oauth2/token'),
    /** Or a token endpoint on another host (an identity provider); wins over `tokenPath`. */
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The first grant. Default `client_credentials`; `password` needs `username`/`password`. */
    grant: z.enum(tsmGrantTypes).default('client_credentials'),
    clientId: z.string().min(1),
    clientSecret: secretValue.optional(),
    /** `body` (client_id/client_secret form fields, default) or `basic` (HTTP Basic, RFC 6749 2.3.1). */
    clientAuthentication: z.enum(['body', 'basic']).default('body'),
    username: z.string().min(1).optional(),
    password: secretValue.optional(),
    /** Space-separated scopes to ask for; default: the client's. */
    scope: z.string().min(1).optional(),
    /**
     * Lifetime assumed when the answer has neither `expires_in` nor a JWT `exp`. Default 300 s
     * (shorter than the guide's shortest example, 15 minutes).
     */
    defaultLifetimeSeconds: z.number().int().positive().default(300),
  }),
  z.object({
    /** A bearer token obtained elsewhere (a long-lived JWT); a 401 cannot be repaired. */
    mode: z.literal('token'),
    token: secretValue,
  }),
  z.object({
    /** An API key sent in a header on every request (tSM has API keys; the header is not public). */
    mode: z.literal('apiKey'),
    apiKey: secretValue,
    /** Header name. Default `X-API-Key`. */
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .default('X-API-Key'),
    /** Prefix before the key, e.g. `ApiKey ` or `Bearer `. Default none. */
    prefix: z.string().default(''),
  }),
]);

export const TsmClientSettingsSchema = z
  .object({
    /** Scheme, host and port of the tSM server, e.g. `https://tsm.example.com`. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: TsmAuthSchema,
    /** Base path per entity, merged over `DEFAULT_TSM_MODULES`. */
    modules: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), basePath).default({}),
    /**
     * Passed to `@tidemark/http` for the API and the token endpoint: timeouts, retries,
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
    /**
     * Who assigns the id of a new record when the caller gave none. `client` (default): a
     * random UUID, which makes create safe to retry (a 409 on that id means "already
     * created"). `server`: sent without id; create is then never retried once sent.
     */
    createIds: z.enum(['client', 'server']).default('client'),
  })
  .superRefine((settings, context) => {
    const { auth } = settings;
    if (
      auth.mode === 'oauth2' &&
      auth.grant === 'password' &&
      (auth.username === undefined || auth.password === undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'the password grant needs username and password',
      });
    }
  });

export type TsmClientSettings = z.input<typeof TsmClientSettingsSchema>;
export type ResolvedTsmClientSettings = z.output<typeof TsmClientSettingsSchema>;
export type TsmAuthSettings = z.input<typeof TsmAuthSchema>;
export type ResolvedTsmAuth = z.output<typeof TsmAuthSchema>;

/** Applies defaults; CONFIG_INVALID lists every problem (paths and messages, never values). */
export function resolveTsmClientSettings(settings: TsmClientSettings): ResolvedTsmClientSettings {
  const parsed = TsmClientSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new TidemarkError(
    'CONFIG_INVALID',
    `invalid tSM client settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { issues } },
  );
}

/** The origin of `baseUrl` with any path prefix, no trailing slash. */
export function tsmOrigin(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}
