import { timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../../db/schema';
import { DomainError, Forbidden } from '../errors';
import { type AuthenticatedKey, authenticateApiKey } from '../identity/api-keys';
import { recordAudit } from '../identity/audit';
import { roleOf } from '../identity/memberships';
import {
  type Permission,
  permissionsOfRole,
  permissionsOfScopes,
  routeAccess,
  routeKey,
} from '../identity/permissions';
import { resolveSession, type SessionRow } from '../identity/sessions';
import { defaultIdentitySettings, type IdentitySettings } from '../identity/settings';
import type { UserRow } from '../identity/users';
import type { AppDeps } from './deps';
import { actorOf } from './principal';

export const SESSION_COOKIE = 'wayline_session';
/** Readable by the page's scripts, which echo it in `X-CSRF-Token` (double submit). */
export const CSRF_COOKIE = 'wayline_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The caller as the auth layer found it, before the route's permission is checked. */
export type RequestAuth =
  | {
      kind: 'user';
      user: UserRow;
      session: SessionRow;
      /** Role in the session's active workspace; null when it has none (or was removed). */
      role: Role | null;
      permissions: readonly Permission[];
    }
  | { kind: 'api-key'; key: AuthenticatedKey; permissions: readonly Permission[] };

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
    auth: RequestAuth | null;
  }
}

export class Unauthorized extends DomainError {
  constructor(
    message = 'Sign in, or send a valid API key: Authorization: Bearer <secret key>',
    code = 'unauthorized',
  ) {
    super(code, message, 'unauthenticated');
  }
}

/** Denials of these are recorded in the audit log: someone reached for an admin action. */
const ADMIN_PERMISSIONS = new Set<Permission>([
  'members:manage',
  'keys:manage',
  'channels:manage',
  'secrets:manage',
  'settings:manage',
  'hooks:manage',
  'nodes:manage',
  'audit:read',
  'workspace:delete',
]);

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Public routes where a signed-in browser is still recognised (accepting an invitation as yourself). */
const OPTIONAL_SESSION = new Set(['POST /v1/invitations/accept']);

/**
 * The one auth layer: a secret API key (`Authorization: Bearer`, within its scopes) or the
 * session cookie (the role of the session's active workspace), then the route's permission from
 * `ROUTE_PERMISSIONS`. Registered before any route: a `/v1` route without a table entry stops
 * the start-up. Sets `request.principal` and `request.workspaceId`, which every query is scoped by.
 */
export const secretKeyAuth = fp<{ deps: AppDeps }>(
  async (app: FastifyInstance, { deps }) => {
    const settings = deps.identity ?? defaultIdentitySettings;
    if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
    app.decorateRequest('workspaceId', '');
    app.decorateRequest('auth', null);
    app.decorateRequest('principal', null as never);

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        if (routeAccess(method, route.url) === undefined)
          throw new Error(
            `${routeKey(method, route.url)} has no entry in ROUTE_PERMISSIONS (engine/identity/permissions.ts): decide which permission it needs, or list it as public`,
          );
      }
    });

    app.addHook('onRequest', async (request) => {
      const url = request.routeOptions.url;
      if (!url?.startsWith('/v1') || request.method === 'OPTIONS') return;
      const access = routeAccess(request.method, url);
      if (access === undefined) throw new Forbidden('forbidden', 'This route has no permission entry');
      if (access === 'public') {
        if (OPTIONAL_SESSION.has(routeKey(request.method, url))) {
          const auth = await authenticate(deps, settings, request).catch(() => null);
          // A signed-in browser counts only with its CSRF token; without it the call is anonymous.
          request.auth = auth?.kind === 'user' && !csrfMatches(request, auth.session) ? null : auth;
        }
        return;
      }
      const auth = await authenticate(deps, settings, request);
      if (!auth) throw new Unauthorized();
      request.auth = auth;
      if (auth.kind === 'user' && UNSAFE_METHODS.has(request.method)) assertCsrf(request, auth.session);
      setPrincipal(request, auth);
      if (access === 'signed-in') return;
      if (!request.workspaceId)
        throw new Forbidden('no_workspace', 'Choose a workspace first (POST /v1/auth/workspace)', {
          permission: access,
        });
      if (!auth.permissions.includes(access)) {
        if (ADMIN_PERMISSIONS.has(access)) {
          await recordAudit(deps.db, {
            workspaceId: request.workspaceId,
            actor: actorOf(request.principal),
            action: 'access.denied',
            objectType: 'route',
            objectId: routeKey(request.method, url),
            outcome: 'denied',
            ip: request.ip,
            userAgent: request.headers['user-agent'],
            change: { permission: access },
          });
        }
        const who = auth.kind === 'user' ? `the ${auth.role} role` : 'this API key';
        throw new Forbidden('forbidden', `${who} does not have the ${access} permission`, {
          permission: access,
        });
      }
    });
  },
  { name: 'wayline-auth' },
);

async function authenticate(
  deps: AppDeps,
  settings: IdentitySettings,
  request: FastifyRequest,
): Promise<RequestAuth | null> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new Unauthorized('Use Authorization: Bearer <secret key>');
    const key = await authenticateApiKey(deps.db, match[1]);
    if (!key) throw new Unauthorized('The API key is not valid');
    if (key.kind === 'write')
      throw new Unauthorized('A write key authorizes only the tracking API; use a secret key here');
    return { kind: 'api-key', key, permissions: permissionsOfScopes(key.scopes) };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const found = await resolveSession(deps.db, settings, token);
  if (!found) throw new Unauthorized('Your session has expired; sign in again', 'session_expired');
  const role = found.session.workspaceId
    ? ((await roleOf(deps.db, found.session.workspaceId, found.user.id)) ?? null)
    : null;
  return {
    kind: 'user',
    user: found.user,
    session: found.session,
    role,
    permissions: role ? permissionsOfRole(role) : [],
  };
}

function setPrincipal(request: FastifyRequest, auth: RequestAuth): void {
  if (auth.kind === 'api-key') {
    request.workspaceId = auth.key.workspaceId;
    request.principal = {
      kind: 'api-key',
      keyId: auth.key.keyId,
      keyPrefix: auth.key.prefix,
      scopes: auth.key.scopes,
      workspaceId: auth.key.workspaceId,
    };
    return;
  }
  const workspaceId = auth.role ? (auth.session.workspaceId ?? '') : '';
  request.workspaceId = workspaceId;
  if (auth.role) {
    request.principal = {
      kind: 'user',
      userId: auth.user.id,
      email: auth.user.email,
      role: auth.role,
      workspaceId,
      sessionId: auth.session.id,
    };
  }
}

/** Cookie-authenticated writes must echo the session's CSRF token; a cross-site form cannot read it. */
function assertCsrf(request: FastifyRequest, session: SessionRow): void {
  if (!csrfMatches(request, session))
    throw new Forbidden('csrf_failed', `Send the session's CSRF token in the ${CSRF_HEADER} header`);
}

function csrfMatches(request: FastifyRequest, session: SessionRow): boolean {
  const sent = request.headers[CSRF_HEADER];
  const value = Array.isArray(sent) ? sent[0] : sent;
  const expected = Buffer.from(session.csrfToken);
  return (
    !!value && Buffer.byteLength(value) === expected.length && timingSafeEqual(Buffer.from(value), expected)
  );
}

/** Whether cookies must be `Secure`: the request came over HTTPS, or the public URL is HTTPS. */
function secureCookies(request: FastifyRequest, settings: IdentitySettings): boolean {
  return request.protocol === 'https' || settings.publicUrl.startsWith('https:');
}

/** Gives the browser its session: the HttpOnly token and the readable CSRF token. */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: IdentitySettings,
  token: string,
  session: SessionRow,
): void {
  const secure = secureCookies(request, settings);
  const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, {
    httpOnly: false,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge,
  });
}

export function clearSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: IdentitySettings,
): void {
  const secure = secureCookies(request, settings);
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  reply.clearCookie(CSRF_COOKIE, { sameSite: 'strict', secure, path: '/' });
}
