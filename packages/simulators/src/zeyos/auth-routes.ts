import {
  HttpError,
  jsonResponse,
  type Router,
  type SimRequest,
  type SimResponse,
} from '../core/router.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  type IssuedTokenSet,
  type ZeyosApplication,
} from './auth.js';
import { basicCredentials, bearerToken, queryFlag, readParams } from './http.js';
import { instanceOf, requireBearer, type ZeyosInstance, type ZeyosInstances } from './instance.js';
import { badRequest } from './values.js';

/**
 * The legacy Authentication API (auth.json, /{INSTANCE}/auth/v1, deprecated but documented)
 * and the OAuth 2.0 API (oauth2.json, /{INSTANCE}/oauth2/v1).
 */

const IDENTIFIER = /^[a-zA-Z0-9_.:-]+$/;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** User info of GET /auth/v1/ (auth.json getUserInfo). */
function userInfo(
  instance: ZeyosInstance,
  userId: number,
  applicationId: number | null,
  request: SimRequest,
) {
  const user = instance.db.get('users', userId);
  const data = user?.data ?? {};
  const info: Record<string, unknown> = {
    auth: { user: userId, application: applicationId, lang: 'en_US' },
    user: userId,
    contact: data.contact ?? null,
    name: data.name ?? instance.auth.user(userId)?.name ?? '',
    email: data.email ?? instance.auth.user(userId)?.email ?? '',
  };
  if (queryFlag(request.url, 'access')) {
    info.admin = true;
    info.nopublic = data.nopublic === 1;
    info.apionly = data.apionly === 1;
    info.groups = {};
    info.permissions = {};
  }
  if (queryFlag(request.url, 'settings')) info.settings = {};
  return info;
}

/** An OAuth error answer (oauth2.json: JSON with error and error_description). */
function oauthError(
  status: number,
  error: string,
  description: string,
  instance?: ZeyosInstance,
): never {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (status === 401 && instance !== undefined)
    headers['WWW-Authenticate'] = `Basic realm="${instance.name}"`;
  // An HttpError with a JSON body: the error path keeps the Content-Type given here.
  throw new HttpError(status, JSON.stringify({ error, error_description: description }), headers);
}

/** Client authentication of the token, revoke and introspect endpoints: Basic or body. */
function client(
  instance: ZeyosInstance,
  request: SimRequest,
  params: Record<string, unknown>,
): ZeyosApplication {
  const basic = basicCredentials(request);
  const id = basic?.id ?? text(params.client_id);
  const secret = basic?.secret ?? text(params.client_secret);
  const application =
    id === undefined || secret === undefined ? undefined : instance.auth.checkClient(id, secret);
  if (application === undefined) {
    oauthError(401, 'invalid_client', 'Unauthorized: Unknown client application', instance);
  }
  return application;
}

function tokenAnswer(tokens: IssuedTokenSet): SimResponse {
  return jsonResponse(
    200,
    {
      token_type: 'Bearer',
      access_token: tokens.accessToken,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: tokens.refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
    },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  );
}

export function zeyosAuthRoutes(router: Router, instances: ZeyosInstances): void {
  const legacy = '/:instance/auth/v1';
  const oauth = '/:instance/oauth2/v1';

  router.add('GET', legacy, (request) => {
    const instance = instanceOf(instances, request);
    const auth = requireBearer(instance, request);
    return jsonResponse(200, userInfo(instance, auth.userId, auth.applicationId, request));
  });

  router.add('HEAD', legacy, (request) => {
    const instance = instanceOf(instances, request);
    requireBearer(instance, request);
    return { status: 204 };
  });

  router.add('POST', `${legacy}/login`, async (request) => {
    const instance = instanceOf(instances, request);
    const params = await readParams(request);
    const name = text(params.name);
    const password = text(params.password) ?? '';
    const identifier = text(params.identifier);
    if (identifier === undefined || !IDENTIFIER.test(identifier))
      throw badRequest('Invalid identifier');
    let expdate: number | null = null;
    if (params.expdate !== undefined && params.expdate !== null && params.expdate !== '') {
      const value = Number(params.expdate);
      if (!Number.isSafeInteger(value)) throw badRequest('Invalid expdate');
      expdate = value;
    }
    const user = name === undefined ? undefined : instance.auth.checkPassword(name, password);
    if (user === undefined) throw new HttpError(401, 'Unauthorized: Invalid credentials');
    const appsecret = text(params.appsecret);
    const application =
      appsecret === undefined || appsecret === ''
        ? undefined
        : instance.auth.applicationBySecret(appsecret);
    if (appsecret !== undefined && appsecret !== '' && application === undefined) {
      throw new HttpError(401, 'Unauthorized: Invalid credentials');
    }
    // No user of the simulator has two-factor authentication, so `otp` is accepted and ignored.
    const entry = instance.auth.legacyLogin(user, application, identifier, expdate);
    return jsonResponse(200, {
      user: user.id,
      application: application?.id ?? null,
      token: entry.token,
      identifier,
      expdate: entry.expiresAtMs === null ? null : Math.floor(entry.expiresAtMs / 1000),
    });
  });

  router.add('GET', `${legacy}/logout`, (request) => {
    const instance = instanceOf(instances, request);
    const auth = requireBearer(instance, request);
    if (auth.kind !== 'legacy') {
      throw new HttpError(401, 'Unauthorized: Invalid bearer token', {
        'WWW-Authenticate': `Bearer realm="${instance.name}" error="invalid_token"`,
      });
    }
    instance.auth.tokens.revoke(bearerToken(request) ?? '');
    return { status: 204 };
  });

  router.add('GET', `${oauth}/authorize`, (request) => {
    const instance = instanceOf(instances, request);
    const q = request.url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('response_type') !== 'code' || clientId === '' || redirectUri === '') {
      throw badRequest('Invalid authorization request');
    }
    let callback: URL;
    try {
      callback = new URL(redirectUri);
    } catch {
      throw badRequest('Invalid redirect_uri');
    }
    const application = [...applicationsOf(instance)].find((app) => app.identifier === clientId);
    if (application === undefined) throw badRequest('Unknown client application');
    const challenge = q.get('code_challenge');
    if (challenge !== null && q.get('code_challenge_method') !== 'S256') {
      throw badRequest('Invalid code_challenge_method');
    }
    // The real system shows a login and consent page; the simulator consents at once for the
    // first active user (the demo user).
    const userId = firstUserId(instance);
    const code = instance.auth.issueCode(userId, application, redirectUri, challenge);
    callback.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) callback.searchParams.set('state', state);
    return { status: 303, headers: { Location: callback.toString() } };
  });

  router.add('POST', `${oauth}/token`, async (request) => {
    const instance = instanceOf(instances, request);
    const params = await readParams(request);
    const application = client(instance, request, params);
    switch (text(params.grant_type)) {
      case 'password': {
        const user = instance.auth.checkPassword(
          text(params.username) ?? '',
          text(params.password) ?? '',
        );
        if (user === undefined) oauthError(403, 'invalid_grant', 'Forbidden: Invalid credentials');
        return tokenAnswer(instance.auth.issueOAuth(user.id, application));
      }
      case 'refresh_token': {
        const tokens = instance.auth.redeemRefreshToken(
          text(params.refresh_token) ?? '',
          application,
        );
        if (tokens === undefined)
          oauthError(403, 'invalid_grant', 'Forbidden: Invalid or expired refresh_token');
        return tokenAnswer(tokens);
      }
      case 'authorization_code': {
        const tokens = instance.auth.redeemCode(
          text(params.code) ?? '',
          application,
          text(params.code_verifier),
        );
        if (tokens === undefined)
          oauthError(403, 'invalid_grant', 'Forbidden: Invalid or expired code');
        return tokenAnswer(tokens);
      }
      case undefined:
      default:
        return oauthError(400, 'unsupported_grant_type', 'Bad Request: Unsupported grant_type');
    }
  });

  router.add('POST', `${oauth}/revoke`, async (request) => {
    const instance = instanceOf(instances, request);
    const params = await readParams(request);
    const application = client(instance, request, params);
    instance.auth.revoke(text(params.token) ?? '', application);
    return { status: 200 };
  });

  router.add('POST', `${oauth}/introspect`, async (request) => {
    const instance = instanceOf(instances, request);
    const params = await readParams(request);
    const application = client(instance, request, params);
    const entry = instance.auth.tokens.lookup(text(params.token) ?? '');
    const payload = entry?.payload;
    if (
      entry === undefined ||
      payload === undefined ||
      payload.kind === 'code' ||
      payload.kind === 'legacy'
    ) {
      return jsonResponse(200, { active: false });
    }
    if (payload.applicationId !== application.id) return jsonResponse(200, { active: false });
    return jsonResponse(200, {
      active: true,
      client_id: application.identifier,
      username: instance.auth.user(payload.userId)?.name ?? '',
      sub: String(payload.userId),
      exp: entry.expiresAtMs === null ? null : Math.floor(entry.expiresAtMs / 1000),
    });
  });

  router.add('GET', `${oauth}/userinfo`, (request) => {
    const instance = instanceOf(instances, request);
    const auth = requireBearer(instance, request);
    const user = instance.db.get('users', auth.userId);
    const name = typeof user?.data.name === 'string' ? user.data.name : '';
    return jsonResponse(200, {
      sub: String(auth.userId),
      name,
      preferred_username: name,
      email: user?.data.email ?? '',
      zoneinfo: 'Europe/Berlin',
      locale: 'en-US',
      nopublic: user?.data.nopublic === 1,
      apionly: user?.data.apionly === 1,
      updated_at: user?.data.lastmodified ?? 0,
    });
  });
}

function applicationsOf(instance: ZeyosInstance): Iterable<ZeyosApplication> {
  const out: ZeyosApplication[] = [];
  for (const row of instance.db.collection('applications').values()) {
    const application = instance.auth.application(row.data.ID as number);
    if (application !== undefined) out.push(application);
  }
  return out;
}

function firstUserId(instance: ZeyosInstance): number {
  for (const row of instance.db.collection('users').values()) {
    if (row.data.activity === 0 && instance.auth.user(row.data.ID as number) !== undefined) {
      return row.data.ID as number;
    }
  }
  throw new HttpError(500, "I am afraid I can't do that Dave!");
}
