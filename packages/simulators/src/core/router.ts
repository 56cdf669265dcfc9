import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A request as route handlers see it. */
export interface SimRequest {
  /** Number of the request since the server started (admin requests included). */
  readonly seq: number;
  readonly method: string;
  readonly url: URL;
  /** Normalised path: no trailing slash except for "/". */
  readonly path: string;
  /** Values of the `:name` segments of the matched route. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** First value of a header, or undefined. */
  header(name: string): string | undefined;
  /** The body, read once and cached; rejects with a 413 HttpError beyond the size limit. */
  body(): Promise<Buffer>;
  readonly raw: IncomingMessage;
}

export type HeaderValue = string | number | readonly string[];

/** What a handler answers; the server adds Content-Length and writes it. */
export interface SimResponse {
  status: number;
  headers?: Record<string, HeaderValue>;
  body?: string | Buffer;
}

export type Handler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

/** Thrown by handlers for an expected non-2xx answer with a text/plain body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly headers: Record<string, HeaderValue> = {},
  ) {
    super(text);
    this.name = 'HttpError';
  }
}

export function textResponse(
  status: number,
  text: string,
  headers: Record<string, HeaderValue> = {},
): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    body: text,
  };
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, HeaderValue> = {},
): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** Strips trailing slashes ("/demo/api/v1/accounts/" is "/demo/api/v1/accounts"). */
export function normalizePath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * Method + path routing with `:name` segments. Literal segments win over parameters when
 * both match, whatever the order of registration.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(methods: string | readonly string[], pattern: string, handler: Handler): this {
    const segments = splitPath(pattern);
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      this.routes.push({ method: method.toUpperCase(), segments, handler });
    }
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = splitPath(path);
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === null) continue;
      allow.add(route.method);
      if (route.method !== method) continue;
      const literals = route.segments.filter((s) => !s.startsWith(':')).length;
      if (best === undefined || literals > best.literals) best = { route, params, literals };
    }
    if (best !== undefined)
      return { kind: 'found', handler: best.route.handler, params: best.params };
    if (allow.size > 0) return { kind: 'method-not-allowed', allow: [...allow].sort() };
    return { kind: 'not-found' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const actual = parts[i] as string;
    if (expected.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return null;
      }
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
