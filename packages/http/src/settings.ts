/**
 * Settings of an HTTP client, validated once when the client is created.
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';

export const HttpClientSettingsSchema = z.object({
  /** Scheme, host and optional path prefix every request path is appended to. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Limit of one attempt, from sending to the last body byte. Default 10 000 ms. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Attempts per request, the first included. Default 5. */
  maxAttempts: z.number().int().min(1).default(5),
  /** Requests on the wire at once; a request waiting out a backoff holds no slot. Default 8. */
  maxConcurrency: z.number().int().min(1).default(8),
  /** Largest response body read into memory. Default 32 MiB. */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  retry: z
    .object({
      /** Scale of the first backoff. Default 200 ms. */
      baseDelayMs: z.number().int().nonnegative().default(200),
      /** Largest backoff between attempts (a server's Retry-After may ask for more). Default 30 000 ms. */
      maxDelayMs: z.number().int().nonnegative().default(30_000),
      /** No retry starts later than this after the first attempt began. Default 120 000 ms. */
      deadlineMs: z.number().int().positive().default(120_000),
    })
    .prefault({}),
  /** Sent as `user-agent`. Default `tidemark`. */
  userAgent: z.string().min(1).default('tidemark'),
  /** Sent with every request unless the request sets the same header. */
  defaultHeaders: z.record(z.string(), z.string()).default({}),
});

/** Settings as callers write them (defaults optional). */
export type HttpClientSettings = z.input<typeof HttpClientSettingsSchema>;
/** Settings with every default applied. */
export type ResolvedHttpClientSettings = z.output<typeof HttpClientSettingsSchema>;

/** Applies defaults; throws CONFIG_INVALID listing every problem. */
export function resolveHttpClientSettings(
  settings: HttpClientSettings,
): ResolvedHttpClientSettings {
  const parsed = HttpClientSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  throw new TidemarkError(
    'CONFIG_INVALID',
    `invalid HTTP client settings: ${z.prettifyError(parsed.error)}`,
    {
      details: {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        })),
      },
    },
  );
}
