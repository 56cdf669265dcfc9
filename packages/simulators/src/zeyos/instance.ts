import { HttpError, type SimRequest } from '../core/router.js';
import type { ZeyosAuth, ZeyosTokenPayload } from './auth.js';
import type { ZeyosInstanceDb } from './db.js';
import { bearerToken } from './http.js';

/** One served ZeyOS instance (the {INSTANCE} path segment): its data and its credentials. */
export interface ZeyosInstance {
  name: string;
  db: ZeyosInstanceDb;
  auth: ZeyosAuth;
}

export type ZeyosInstances = ReadonlyMap<string, ZeyosInstance>;

/** The instance named by the route, or 404. */
export function instanceOf(instances: ZeyosInstances, request: SimRequest): ZeyosInstance {
  const instance = instances.get(request.params.instance ?? '');
  if (instance === undefined) throw new HttpError(404, 'Not Found');
  return instance;
}

/**
 * The bearer token's payload, or 401 with WWW-Authenticate in the vendor's documented form
 * (`Bearer realm="{INSTANCE}" error="invalid_token"`; no error attribute when no token came).
 */
export function requireBearer(
  instance: ZeyosInstance,
  request: SimRequest,
): Extract<ZeyosTokenPayload, { kind: 'legacy' | 'access' }> {
  const token = bearerToken(request);
  if (token === undefined || token === '') {
    throw new HttpError(401, 'Unauthorized: Missing bearer token', {
      'WWW-Authenticate': `Bearer realm="${instance.name}"`,
    });
  }
  const payload = instance.auth.bearer(token);
  if (payload === undefined) {
    throw new HttpError(401, 'Unauthorized: Invalid bearer token', {
      'WWW-Authenticate': `Bearer realm="${instance.name}" error="invalid_token"`,
    });
  }
  return payload;
}
