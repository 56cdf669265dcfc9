import type { SimResponse } from '../core/router.js';
import type { SystemResponses } from '../core/server.js';
import { errorResponse } from './errors.js';
import { errorToResponse } from './routes.js';

/** How tSM words the answers the framework makes for it: the guide's JSON error body. */
export function tsmResponses(now: () => number): SystemResponses {
  return {
    fault(status, retryAfterSeconds): SimResponse {
      const headers: Record<string, string> =
        retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) };
      const message =
        status === 500
          ? 'Internal server error'
          : status === 503
            ? 'Service temporarily unavailable'
            : 'Rate limit exceeded';
      return errorResponse(status, message, '', now(), { headers });
    },
    notFound: (request) => errorResponse(404, 'No endpoint found', request.path, now()),
    methodNotAllowed: (request, allow) =>
      errorResponse(
        405,
        `Request method '${request.method}' is not supported`,
        request.path,
        now(),
        {
          headers: { Allow: allow.join(', ') },
        },
      ),
    httpError: (error) => errorToResponse(error, '', now()),
    internalError: () => errorResponse(500, 'Internal server error', '', now()),
  };
}
