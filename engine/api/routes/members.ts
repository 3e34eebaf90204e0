import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../db/schema';
import { changeRole, listMembers, type MemberActor, removeMember } from '../../identity/memberships';
import type { AppDeps } from '../deps';
import { actorOf } from '../principal';
import { errors, noContent } from '../schemas/common';

const tags = ['members'];

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  joinedAt: z.date(),
});

const userParams = z.object({ userId: z.uuid() });

/** Who acts on membership, with the role the last-owner and owner-only rules need. */
export function memberActor(request: FastifyRequest): MemberActor {
  const principal = request.principal;
  return {
    actor: actorOf(principal),
    role: principal.kind === 'user' ? principal.role : 'api-key',
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  };
}

/** The workspace's members: list, change a role, remove. */
export const memberRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/members',
    {
      schema: {
        tags,
        summary: 'Members of the workspace with their roles',
        response: { 200: z.object({ data: z.array(memberSchema) }) },
      },
    },
    async (request) => ({ data: await listMembers(deps.db, request.workspaceId) }),
  );

  app.patch(
    '/members/:userId',
    {
      schema: {
        tags,
        summary:
          "Change a member's role; only owners grant or change the owner role; the last owner stays owner",
        params: userParams,
        body: z.object({ role: z.enum(ROLES) }),
        response: { 200: memberSchema },
      },
    },
    async (request) =>
      changeRole(deps.db, memberActor(request), {
        workspaceId: request.workspaceId,
        userId: request.params.userId,
        role: request.body.role,
      }),
  );

  app.delete(
    '/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (or leave, with your own id); the last owner cannot leave',
        params: userParams,
        response: { 204: noContent('Removed'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeMember(deps.db, memberActor(request), {
        workspaceId: request.workspaceId,
        userId: request.params.userId,
      });
      return reply.code(204).send();
    },
  );
};
