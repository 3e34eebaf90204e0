import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../db/schema';
import type { AccountEmail } from '../../identity/account-mail';
import {
  acceptInvitation,
  inviteMember,
  listInvitations,
  revokeInvitation,
} from '../../identity/invitations';
import { permissionsOfRole } from '../../identity/permissions';
import { defaultIdentitySettings } from '../../identity/settings';
import { startSession } from '../../identity/sign-in';
import { userView } from '../../identity/users';
import { listUserWorkspaces } from '../../identity/workspaces';
import { sendAccountEmail } from '../../messaging/messages/account-email';
import { setSessionCookies } from '../auth';
import type { AppDeps } from '../deps';
import { errors, noContent } from '../schemas/common';
import { userSchema, workspaceOfUserSchema } from './auth';
import { memberActor } from './members';

const tags = ['members'];

const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});

/** Invitations by emailed link: send, list pending, revoke, accept. */
export const invitationRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const settings = deps.identity ?? defaultIdentitySettings;
  const mail = {
    db: deps.db,
    sendEmail: (email: AccountEmail) => sendAccountEmail(deps.db, deps.secretBox, email),
    settings,
  };

  app.post(
    '/invitations',
    {
      schema: {
        tags,
        summary: 'Invite someone by email with a role; the link expires after 7 days and works once',
        body: z.object({ email: z.string().email(), role: z.enum(ROLES) }),
        response: { 201: invitationSchema },
      },
    },
    async (request, reply) => {
      const invitation = await inviteMember(mail, memberActor(request), {
        workspaceId: request.workspaceId,
        ...request.body,
      });
      return reply.code(201).send(invitation);
    },
  );

  app.get(
    '/invitations',
    {
      schema: {
        tags,
        summary: 'Invitations not yet accepted nor expired',
        response: { 200: z.object({ data: z.array(invitationSchema) }) },
      },
    },
    async (request) => ({ data: await listInvitations(deps.db, request.workspaceId) }),
  );

  app.delete(
    '/invitations/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an invitation',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent('Revoked'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeInvitation(deps.db, memberActor(request), request.workspaceId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/invitations/accept',
    {
      schema: {
        tags,
        summary:
          'Accept an invitation: as the signed-in user, or with a name and password for a new account; signs in',
        security: [],
        body: z.object({
          token: z.string().min(1).max(200),
          name: z.string().max(200).optional(),
          password: z.string().min(1).max(1024).optional(),
        }),
        response: {
          200: z.object({
            user: userSchema,
            workspaceId: z.string(),
            role: z.enum(ROLES),
            permissions: z.array(z.string()),
            workspaces: z.array(workspaceOfUserSchema),
            csrfToken: z.string(),
          }),
        },
      },
    },
    async (request, reply) => {
      const signedIn = request.auth?.kind === 'user' ? request.auth : undefined;
      const accepted = await acceptInvitation(deps.db, {
        ...request.body,
        signedInUser: signedIn?.user,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      let csrfToken = signedIn?.session.csrfToken;
      if (!signedIn) {
        const session = await startSession(
          deps.db,
          settings,
          accepted.user,
          { ip: request.ip, userAgent: request.headers['user-agent'] },
          accepted.workspaceId,
          'invitation',
        );
        setSessionCookies(request, reply, settings, session.token, session.session);
        csrfToken = session.session.csrfToken;
      }
      return {
        user: userView(accepted.user),
        workspaceId: accepted.workspaceId,
        role: accepted.role,
        permissions: [...permissionsOfRole(accepted.role)],
        workspaces: await listUserWorkspaces(deps.db, accepted.user.id),
        csrfToken: csrfToken!,
      };
    },
  );
};
