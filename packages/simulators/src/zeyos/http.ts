import { mediaType, parseForm } from '../core/body.js';
import { HttpError, type SimRequest } from '../core/router.js';
import { badRequest } from './values.js';

/** Request-reading helpers shared by the ZeyOS API, auth and OAuth routes. */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The parameters of a request body: JSON or form-encoded (both documented), chosen by
 * Content-Type; without one, a body starting with "{" is JSON. Query-string parameters are
 * merged underneath, so `POST /accounts?limit=3` works like curl users expect.
 */
export async function readParams(request: SimRequest): Promise<Record<string, unknown>> {
  const fromQuery = request.url.search === '' ? {} : parseForm(request.url.search.slice(1));
  const body = await request.body();
  const text = body.toString('utf8');
  if (text.trim() === '') return { ...fromQuery };
  const type = mediaType(request.header('content-type'));
  const untyped = type === '' || type === 'text/plain';
  const looksJson =
    type === 'application/json' || type.endsWith('+json') || (untyped && /^\s*[{[]/.test(text));
  if (looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest('Invalid JSON');
    }
    if (!isPlainObject(parsed)) throw badRequest('Invalid request body');
    return { ...fromQuery, ...parsed };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '' || type === 'text/plain') {
    return { ...fromQuery, ...parseForm(text) };
  }
  throw new HttpError(415, 'Unsupported Media Type');
}

/** Entity tags of an If-Match / If-None-Match header ("*" stays "*"). */
export function parseEtags(header: string | undefined): string[] | null {
  if (header === undefined) return null;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

/** RFC 7232 weak comparison (If-None-Match): W/ prefixes are ignored. */
export function weakMatch(tags: string[], etag: string): boolean {
  const plain = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return tags.some((tag) => tag === '*' || plain(tag) === plain(etag));
}

/** RFC 7232 strong comparison (If-Match): weak tags never match. */
export function strongMatch(tags: string[], etag: string): boolean {
  return tags.some((tag) => tag === '*' || (!tag.startsWith('W/') && tag === etag));
}

/** An HTTP-date header in Unix seconds, or undefined when absent or unparseable (then ignored). */
export function httpDateSeconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

/** The bearer token of an Authorization header, '' for another scheme, undefined when absent. */
export function bearerToken(request: SimRequest): string | undefined {
  const header = request.header('authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** The client credentials of an HTTP Basic Authorization header, if any. */
export function basicCredentials(request: SimRequest): { id: string; secret: string } | undefined {
  const header = request.header('authorization');
  const match = header === undefined ? null : /^Basic\s+(\S+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** RFC 6749 2.3.1: client credentials are form-encoded before Basic; undecodable text stays. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A query flag such as extdata=1. */
export function queryFlag(url: URL, name: string): boolean {
  const value = url.searchParams.get(name);
  return value === '1' || value === 'true';
}

/** expand=a&expand=b, expand[]=a or expand=a,b. */
export function queryList(url: URL, name: string): string[] {
  const values = [...url.searchParams.getAll(name), ...url.searchParams.getAll(`${name}[]`)];
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}
