import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteSecret, listSecrets, setSecret } from '../../identity/workspace-secrets';
import { secretNamePattern } from '../../sdk/secrets';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import { secretInfoSchema } from '../schemas/messaging';

const tags = ['secrets'];
const nameParams = z.object({
  name: z
    .string()
    .regex(secretNamePattern, 'letters, digits and "_", not starting with a digit (e.g. CRM_TOKEN)'),
});

/** Workspace secrets for custom nodes: set, list names, delete. Values are never returned. */
export const secretRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/secrets',
    {
      schema: {
        tags,
        summary: 'Names of the workspace secrets (never values)',
        response: { 200: listOf(secretInfoSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listSecrets(deps.db, request.workspaceId),
    }),
  );

  app.put(
    '/secrets/:name',
    {
      schema: {
        tags,
        summary:
          'Create or replace a secret; stored encrypted, readable only by nodes as ctx.secrets.get(name)',
        params: nameParams,
        body: z.object({ value: z.string().min(1).max(16_384) }),
        response: { 200: secretInfoSchema, ...authedErrors },
      },
    },
    async (request) => {
      const saved = await setSecret(
        deps.db,
        deps.secretBox,
        request.workspaceId,
        request.params.name,
        request.body.value,
      );
      await audit(request, deps, {
        action: 'secret.set',
        objectType: 'secret',
        objectId: request.params.name,
      });
      return saved;
    },
  );

  app.delete(
    '/secrets/:name',
    {
      schema: {
        tags,
        summary: 'Delete a secret',
        params: nameParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteSecret(deps.db, request.workspaceId, request.params.name);
      await audit(request, deps, {
        action: 'secret.delete',
        objectType: 'secret',
        objectId: request.params.name,
      });
      return reply.code(204).send();
    },
  );
};
