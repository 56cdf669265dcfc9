/**
 * Settings of the PeakTMS client, validated once when it is created.
 */
import { z } from 'zod';
import { Secret } from '@tidemark/config';
import { TidemarkError } from '@tidemark/errors';
import type { HttpClientSettings } from '@tidemark/http';

/** A password or token: a `Secret` or a plain string (wrapped at once). */
const secretValue = z
  .union([z.instanceof(Secret), z.string().min(1)])
  .transform((value) => (typeof value === 'string' ? new Secret(value) : value));

/** A path: `/tms_rest`, `/login`; trailing slashes dropped. `''` is allowed for no prefix. */
const pathValue = z
  .string()
  .regex(/^(\/[A-Za-z0-9._~\-/]*)?$/, 'a path starting with / (or empty)')
  .transform((path) => path.replace(/\/+$/, ''));

export const PeaktmsAuthSchema = z.discriminatedUnion('mode', [
  z.object({
    /**
     * `POST {loginPath}` with user and password for a session token (15 minutes, the vendor's
     * overview); logged in again before it ends and after a 401.
     */
    mode: z.literal('login'),
    user: z.string().min(1),
    password: secretValue,
    /** Below the API root. Default `/login`. */
    loginPath: pathValue.default('/login'),
    /** Names of the JSON members carrying user and password. Default `user` / `password`. */
    userField: z.string().min(1).default('user'),
    passwordField: z.string().min(1).default('password'),
    /** Lifetime assumed when the answer states none. Default 900 s (the documented 15 minutes). */
    defaultLifetimeSeconds: z.number().int().positive().default(900),
  }),
  z.object({
    /**
     * A bearer token made elsewhere: a long-lived token generated in the application, or an
     * external identity provider's token. Sent as is; a 401 cannot be repaired.
     */
    mode: z.literal('token'),
    token: secretValue,
  }),
]);

/** Where the endpoints the overview names but does not spell out live, below the API root. */
export const PeaktmsPathsSchema = z
  .object({
    /** Default `/maintenancewindows`. */
    maintenanceWindows: pathValue.default('/maintenancewindows'),
    /** Appended to `/filecontent/{fileId}` to download the bytes. Default `/content`. */
    fileDownloadSuffix: pathValue.default('/content'),
    /** Default `/resourceavailability`. */
    resourceAvailability: pathValue.default('/resourceavailability'),
  })
  .prefault({});

/** Query parameter names of `/{kind}/historylog` (not public; the defaults are the simulator's). */
export const PeaktmsHistoryParamsSchema = z
  .object({
    sinceEntryId: z.string().min(1).default('sinceEntryId'),
    since: z.string().min(1).default('since'),
    pageSize: z.string().min(1).default('pageSize'),
    type: z.string().min(1).default('type'),
    objectId: z.string().min(1).default('objectId'),
  })
  .prefault({});

export const PeaktmsClientSettingsSchema = z.object({
  /** Scheme, host and port of the server, e.g. `https://tms.example.com`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The API root below `baseUrl`. Default `/tms_rest` (the vendor's playground). */
  basePath: pathValue.default('/tms_rest'),
  auth: PeaktmsAuthSchema,
  paths: PeaktmsPathsSchema,
  historyParams: PeaktmsHistoryParamsSchema,
  /** Page size of history reads. Default 500. */
  historyPageSize: z.number().int().positive().default(500),
  /** Page size of `queryAll` when the body sets none. Default 100. */
  queryPageSize: z.number().int().positive().default(100),
  /**
   * Passed to `@tidemark/http` for the API and `/login`: timeouts, retries (503 and 429 with
   * `Retry-After`), concurrency, user agent. `baseUrl` is derived.
   */
  http: z
    .custom<Omit<HttpClientSettings, 'baseUrl'>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'expected an object of HTTP client settings',
    )
    .optional(),
  /** Log in again this long before a session token ends. Default 60 000 ms. */
  refreshBeforeMs: z.number().int().nonnegative().default(60_000),
});

export type PeaktmsClientSettings = z.input<typeof PeaktmsClientSettingsSchema>;
export type ResolvedPeaktmsClientSettings = z.output<typeof PeaktmsClientSettingsSchema>;
export type PeaktmsAuthSettings = z.input<typeof PeaktmsAuthSchema>;
export type ResolvedPeaktmsAuth = z.output<typeof PeaktmsAuthSchema>;

/** Applies defaults; CONFIG_INVALID lists every problem (paths and messages, never values). */
export function resolvePeaktmsClientSettings(
  settings: PeaktmsClientSettings,
): ResolvedPeaktmsClientSettings {
  const parsed = PeaktmsClientSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new TidemarkError(
    'CONFIG_INVALID',
    `invalid PeakTMS client settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { issues } },
  );
}

/** The API root URL: `baseUrl` without trailing slash plus `basePath`. */
export function peaktmsApiUrl(settings: { baseUrl: string; basePath: string }): string {
  return `${settings.baseUrl.replace(/\/+$/, '')}${settings.basePath}`;
}
