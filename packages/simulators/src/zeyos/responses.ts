import { textResponse, type HttpError, type SimResponse } from '../core/router.js';
import type { SystemResponses } from '../core/server.js';
import { entityDef } from './schema.js';

/**
 * How ZeyOS words the answers the framework makes for it: text/plain, "Reason: detail" (the
 * style of api.json's examples, e.g. "Bad Request: Invalid selection field"), and the
 * documented runtime-error text for 500.
 */
export const RUNTIME_ERROR_TEXT = "I am afraid I can't do that Dave!";

export const zeyosResponses: SystemResponses = {
  fault(status, retryAfterSeconds): SimResponse {
    const retry: Record<string, string> =
      retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) };
    switch (status) {
      case 500:
        return textResponse(500, RUNTIME_ERROR_TEXT);
      case 503:
        return textResponse(503, 'Service Unavailable: Please try again later', retry);
      case 429:
        return textResponse(429, 'Too Many Requests: Please try again later', retry);
    }
  },
  notFound: () => textResponse(404, 'Not Found'),
  methodNotAllowed: (request, allow) =>
    textResponse(405, 'Method Not Allowed', {
      Allow: entityMethods(request.path) ?? allow.join(', '),
    }),
  httpError: (error: HttpError) => textResponse(error.status, error.text, error.headers),
  internalError: () => textResponse(500, RUNTIME_ERROR_TEXT),
};

/** The methods an entity path really allows (the router only knows the generic routes). */
function entityMethods(path: string): string | undefined {
  const match = /^\/[^/]+\/api\/v1\/([^/]+)(\/[^/]+)?$/.exec(path);
  const def = match === null ? undefined : entityDef(match[1] ?? '');
  if (def === undefined || match === null) return undefined;
  const item = match[2] !== undefined;
  const methods = item
    ? [
        def.operations.has('get') ? 'GET' : null,
        def.operations.has('head') ? 'HEAD' : null,
        def.operations.has('update') ? 'PATCH' : null,
        def.operations.has('delete') ? 'DELETE' : null,
      ]
    : [def.operations.has('list') ? 'POST' : null, def.operations.has('create') ? 'PUT' : null];
  return methods.filter((method) => method !== null).join(', ');
}
