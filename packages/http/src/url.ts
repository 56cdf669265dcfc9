/**
 * Request URLs: a relative path under the client's base URL, plus query parameters.
 */
import { TidemarkError } from '@tidemark/errors';

export type QueryValue = string | number | boolean | null | undefined;

/** Query parameters; `null`/`undefined` are left out, arrays repeat the key. */
export type Query = Readonly<Record<string, QueryValue | readonly QueryValue[]>>;

export interface RequestTarget {
  /** The full URL to send to. */
  url: URL;
  /** Path for errors, logs and spans: no query string, whose values may hold secrets. */
  path: string;
}

/**
 * Joins `path` to `baseUrl` (keeping the base's own path prefix) and appends `query`. Paths must
 * be relative to the base: an absolute or protocol-relative URL would send the client's bearer
 * token to another host, so it is refused with INPUT_INVALID.
 */
export function buildTarget(baseUrl: string, path: string, query?: Query): RequestTarget {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//') || path.includes('\\')) {
    throw new TidemarkError('INPUT_INVALID', 'request path must be relative to the base URL');
  }
  const base = new URL(baseUrl);
  const [pathPart = '', inlineQuery] = path.split('?', 2);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${prefix}/${pathPart.replace(/^\/+/, '')}`, base.origin);
  if (inlineQuery !== undefined) url.search = inlineQuery;
  for (const [key, value] of Object.entries(query ?? {})) {
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== null && item !== undefined) url.searchParams.append(key, String(item));
    }
  }
  return { url, path: url.pathname };
}
