import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../db/schema';
import { Forbidden } from '../../errors';
import { recordAudit } from '../../identity/audit';
import {
  createOwnedWorkspace,
  findWorkspace,
  getWorkspaceSettings,
  listUserWorkspaces,
  updateWorkspaceSettings,
} from '../../identity/workspaces';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors } from '../schemas/common';

const tags = ['workspaces'];

const workspaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES).nullable().describe("The caller's role; null for an API key"),
});

const workspaceSettingsSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    defaultTimezone: z
      .string()
      .describe('IANA zone of contacts without one and of journeys without a fallback of their own'),
  })
  .meta({ id: 'WorkspaceSettings' });

/** The caller's workspaces, and new ones owned by their creator. */
export const workspaceRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/workspaces',
    {
      schema: {
        tags,
        summary: "The signed-in user's workspaces with their role in each (an API key sees its own)",
        response: { 200: z.object({ data: z.array(workspaceSchema) }) },
      },
    },
    async (request) => {
      const auth = request.auth!;
      if (auth.kind === 'user') return { data: await listUserWorkspaces(deps.db, auth.user.id) };
      const workspace = await findWorkspace(deps.db, auth.key.workspaceId);
      return { data: workspace ? [{ ...workspace, role: null }] : [] };
    },
  );

  app.get(
    '/workspace/settings',
    {
      schema: {
        tags,
        summary: "The current workspace's settings (name, default time zone)",
        response: { 200: workspaceSettingsSchema, ...authedErrors },
      },
    },
    async (request) => getWorkspaceSettings(deps.db, request.workspaceId),
  );

  app.put(
    '/workspace/settings',
    {
      schema: {
        tags,
        summary: "Change the current workspace's name or default time zone",
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          defaultTimezone: z.string().min(1).max(64).optional().describe('IANA time zone, e.g. Europe/Paris'),
        }),
        response: { 200: workspaceSettingsSchema, ...authedErrors },
      },
    },
    async (request) => {
      const before = await getWorkspaceSettings(deps.db, request.workspaceId);
      const after = await updateWorkspaceSettings(deps.db, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'workspace.settings',
        objectType: 'workspace',
        objectId: after.id,
        change: {
          before: { name: before.name, defaultTimezone: before.defaultTimezone },
          after: request.body,
        },
      });
      return after;
    },
  );

  app.post(
    '/workspaces',
    {
      schema: {
        tags,
        summary: 'Create a workspace; the signed-in user becomes its owner',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          defaultTimezone: z.string().min(1).max(64).optional(),
        }),
        response: { 201: workspaceSchema },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      if (auth.kind !== 'user')
        throw new Forbidden(
          'session_required',
          'Workspaces are created by signed-in users (or wayline admin)',
        );
      const workspace = await createOwnedWorkspace(deps.db, { userId: auth.user.id, ...request.body });
      await recordAudit(deps.db, {
        workspaceId: workspace.id,
        actor: { type: 'user', id: auth.user.id, label: auth.user.email },
        action: 'workspace.create',
        objectType: 'workspace',
        objectId: workspace.id,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        change: { name: workspace.name },
      });
      return reply.code(201).send(workspace);
    },
  );
};
