import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../db/schema';
import { DomainError, Forbidden, NotFound } from '../../errors';
import type { AccountEmail } from '../../identity/account-mail';
import { recordAudit } from '../../identity/audit';
import { roleOf } from '../../identity/memberships';
import { finishOidc, type OidcPending, startOidc, userForOidc } from '../../identity/oidc';
import { confirmPasswordReset, requestPasswordReset } from '../../identity/password-reset';
import { PERMISSIONS, permissionsOfRole, permissionsOfScopes } from '../../identity/permissions';
import { revokeSession, revokeUserSessions, setSessionWorkspace } from '../../identity/sessions';
import { defaultIdentitySettings } from '../../identity/settings';
import { type SignedIn, signInWithLink, signInWithPassword, startSession } from '../../identity/sign-in';
import { getUser, userView } from '../../identity/users';
import { listUserWorkspaces } from '../../identity/workspaces';
import { sendAccountEmail } from '../../messaging/messages/account-email';
import { clearSessionCookies, type RequestAuth, setSessionCookies } from '../auth';
import type { AppDeps } from '../deps';
import { errors, noContent } from '../schemas/common';

const tags = ['auth'];

export const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export const workspaceOfUserSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) });

const sessionSchema = z.object({
  user: userSchema,
  workspaceId: z.string().nullable().describe('The active workspace; switch with POST /v1/auth/workspace'),
  role: z.enum(ROLES).nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  workspaces: z.array(workspaceOfUserSchema),
  csrfToken: z.string().describe('Send it as X-CSRF-Token on every write made with the session cookie'),
});

const meSchema = z.object({
  user: userSchema.nullable().describe('Null when the caller is an API key'),
  apiKey: z
    .object({ id: z.string(), prefix: z.string(), scopes: z.array(z.string()) })
    .nullable()
    .describe('Null when the caller is a signed-in user'),
  workspaceId: z.string().nullable(),
  role: z.enum(ROLES).nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  workspaces: z.array(workspaceOfUserSchema),
  csrfToken: z.string().nullable(),
});

const OIDC_COOKIE = 'wayline_oidc';
const OIDC_PATH = '/v1/auth/oidc';
const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** Sign-in, sign-out, the active workspace, password reset and single sign-on. */
export const authRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const settings = deps.identity ?? defaultIdentitySettings;
  const mail = {
    db: deps.db,
    sendEmail: (email: AccountEmail) => sendAccountEmail(deps.db, deps.secretBox, email),
    settings,
  };

  /** Sets the cookies of a new session and answers what the UI needs to start. */
  const signedInBody = async (request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn) => {
    setSessionCookies(request, reply, settings, signedIn.token, signedIn.session);
    const workspaceId = signedIn.session.workspaceId;
    const role = workspaceId ? ((await roleOf(deps.db, workspaceId, signedIn.user.id)) ?? null) : null;
    return {
      user: userView(signedIn.user),
      workspaceId,
      role,
      permissions: role ? [...permissionsOfRole(role)] : [],
      workspaces: await listUserWorkspaces(deps.db, signedIn.user.id),
      csrfToken: signedIn.session.csrfToken,
    };
  };

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        body: z.object({ email: z.string().email(), password: z.string().min(1).max(1024) }),
        response: { 200: sessionSchema },
      },
    },
    async (request, reply) => {
      const signedIn = await signInWithPassword(deps.db, settings, { ...request.body, ...client(request) });
      return signedInBody(request, reply, signedIn);
    },
  );

  app.post(
    '/auth/sign-in/link',
    {
      schema: {
        tags,
        summary:
          'Sign in with a one-time link token (from wayline admin create-user); sets the session cookie',
        security: [],
        body: z.object({ token: z.string().min(1).max(200) }),
        response: { 200: sessionSchema },
      },
    },
    async (request, reply) =>
      signedInBody(
        request,
        reply,
        await signInWithLink(deps.db, settings, request.body.token, client(request)),
      ),
  );

  app.post(
    '/auth/demo-sign-in',
    {
      schema: {
        tags,
        summary: 'Embedded demo only: signs a browser on this machine in as the demo owner',
        security: [],
        response: { 200: sessionSchema },
      },
    },
    async (request, reply) => {
      const demo = settings.demoAutologin;
      if (!demo) throw new NotFound('Demo sign-in', 'is off (WAYLINE_DEMO_AUTOLOGIN)');
      const origin = request.headers.origin;
      const sameOrigin = !origin || URL.parse(origin)?.host === request.headers.host;
      if (!loopback.has(request.ip) || !sameOrigin)
        throw new Forbidden(
          'demo_sign_in_local_only',
          'The demo sign-in answers only a browser on this machine',
        );
      const user = await getUser(deps.db, demo.userId);
      return signedInBody(
        request,
        reply,
        await startSession(deps.db, settings, user, client(request), undefined, 'demo'),
      );
    },
  );

  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags,
        summary: 'Ends this session',
        response: { 204: noContent('Signed out; the session cookies are cleared'), ...errors(401) },
      },
    },
    async (request, reply) => {
      const auth = sessionOf(request.auth);
      await revokeSession(deps.db, auth.session.id);
      await auditAuth(request, 'auth.sign-out');
      clearSessionCookies(request, reply, settings);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/sign-out-everywhere',
    {
      schema: {
        tags,
        summary: 'Ends every session of the signed-in user, in every browser',
        response: { 204: noContent('Signed out everywhere'), ...errors(401) },
      },
    },
    async (request, reply) => {
      const auth = sessionOf(request.auth);
      await revokeUserSessions(deps.db, auth.user.id);
      await auditAuth(request, 'auth.sign-out-everywhere');
      clearSessionCookies(request, reply, settings);
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags,
        summary: 'Who is calling: user or key, active workspace, role, permissions, workspaces',
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const auth = request.auth!;
      if (auth.kind === 'api-key') {
        return {
          user: null,
          apiKey: { id: auth.key.keyId, prefix: auth.key.prefix, scopes: auth.key.scopes },
          workspaceId: auth.key.workspaceId,
          role: null,
          permissions: permissionsOfScopes(auth.key.scopes),
          workspaces: [],
          csrfToken: null,
        };
      }
      return {
        user: userView(auth.user),
        apiKey: null,
        workspaceId: request.workspaceId || null,
        role: auth.role,
        permissions: [...auth.permissions],
        workspaces: await listUserWorkspaces(deps.db, auth.user.id),
        csrfToken: auth.session.csrfToken,
      };
    },
  );

  app.post(
    '/auth/workspace',
    {
      schema: {
        tags,
        summary: 'Switch the active workspace of this session',
        body: z.object({ workspaceId: z.uuid() }),
        response: {
          200: z.object({
            workspaceId: z.string(),
            role: z.enum(ROLES),
            permissions: z.array(z.enum(PERMISSIONS)),
          }),
        },
      },
    },
    async (request) => {
      const auth = sessionOf(request.auth);
      const role = await roleOf(deps.db, request.body.workspaceId, auth.user.id);
      if (!role) throw new NotFound('Workspace', request.body.workspaceId);
      await setSessionWorkspace(deps.db, auth.session.id, request.body.workspaceId);
      return { workspaceId: request.body.workspaceId, role, permissions: [...permissionsOfRole(role)] };
    },
  );

  app.post(
    '/auth/password-reset',
    {
      schema: {
        tags,
        summary: 'Email a one-time reset link; answers 202 whether or not the email has an account',
        security: [],
        body: z.object({ email: z.string().email() }),
        response: { 202: z.object({ status: z.literal('accepted') }) },
      },
    },
    async (request, reply) => {
      try {
        await requestPasswordReset(mail, request.body.email);
      } catch (error) {
        // The answer must not depend on the account: log and answer the same.
        request.log.error({ err: error }, 'password reset email failed');
      }
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      schema: {
        tags,
        summary: 'Set a new password with the emailed token (once); signs the user out everywhere',
        security: [],
        body: z.object({ token: z.string().min(1).max(200), password: z.string().min(1).max(1024) }),
        response: { 204: noContent('Password set'), ...errors(400) },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(deps.db, { ...request.body, ...client(request) });
      return reply.code(204).send();
    },
  );

  const redirectUri = `${settings.publicUrl}${OIDC_PATH}/callback`;

  app.get(
    '/auth/oidc/start',
    {
      schema: {
        tags,
        summary: 'Single sign-on: redirects the browser to the OpenID Connect provider',
        security: [],
        querystring: z.object({
          returnTo: z
            .string()
            .regex(/^\/(?!\/)/, 'a path on this site')
            .optional(),
        }),
        response: { 302: noContent('Redirect to the provider'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      if (!settings.oidc) throw new NotFound('Single sign-on', 'is not configured (WAYLINE_OIDC_ISSUER)');
      const { url, pending } = await startOidc(settings.oidc, redirectUri);
      const value = JSON.stringify({ ...pending, returnTo: request.query.returnTo ?? '/' });
      reply.setCookie(OIDC_COOKIE, value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.publicUrl.startsWith('https:'),
        path: OIDC_PATH,
        maxAge: 600,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      schema: {
        tags,
        summary: 'Single sign-on: the provider sends the browser back here; sets the session cookie',
        security: [],
        querystring: z.record(z.string(), z.string()),
        response: {
          302: noContent('Signed in: redirect to the page the sign-in started from'),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      if (!settings.oidc) throw new NotFound('Single sign-on', 'is not configured (WAYLINE_OIDC_ISSUER)');
      const saved = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { path: OIDC_PATH });
      let pending: OidcPending & { returnTo: string };
      try {
        pending = JSON.parse(saved ?? '');
      } catch {
        throw new SsoExpired();
      }
      const query = new URLSearchParams(request.query).toString();
      const identity = await finishOidc(settings.oidc, new URL(`${redirectUri}?${query}`), pending);
      const user = await userForOidc(deps.db, identity);
      const signedIn = await startSession(deps.db, settings, user, client(request), undefined, 'sso');
      setSessionCookies(request, reply, settings, signedIn.token, signedIn.session);
      return reply.redirect(pending.returnTo?.startsWith('/') ? pending.returnTo : '/', 302);
    },
  );

  async function auditAuth(request: FastifyRequest, action: string): Promise<void> {
    const auth = sessionOf(request.auth);
    await recordAudit(deps.db, {
      workspaceId: request.workspaceId || null,
      actor: { type: 'user', id: auth.user.id, label: auth.user.email },
      action,
      objectType: 'user',
      objectId: auth.user.id,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
  }
};

class SsoExpired extends DomainError {
  constructor() {
    super(
      'sso_expired',
      'The single sign-on attempt expired or was started in another browser; start again',
      'invalid',
    );
  }
}

/** Session-only routes: an API key has no session to end or switch. */
function sessionOf(auth: RequestAuth | null): Extract<RequestAuth, { kind: 'user' }> {
  if (auth?.kind !== 'user')
    throw new Forbidden('session_required', 'This action needs a signed-in user, not an API key');
  return auth;
}
