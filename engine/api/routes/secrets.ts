import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SecretBox } from '../../identity/secret-box';
import { defaultSecretBox, deleteSecret, listSecrets, secretNamePattern, setSecret } from '../../sdk/secrets';
import type { AppDeps } from '../deps';

const tags = ['secrets'];
const nameParams = z.object({
  name: z
    .string()
    .regex(secretNamePattern, 'letters, digits and "_", not starting with a digit (e.g. CRM_TOKEN)'),
});

/** Workspace secrets for custom nodes: set, list names, delete. Values are never returned. */
export const secretRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  let box: SecretBox | undefined;
  const sealer = () => {
    box ??= deps.channels?.box ?? defaultSecretBox();
    return box;
  };

  app.get(
    '/secrets',
    { schema: { tags, summary: 'Names of the workspace secrets (never values)' } },
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
      },
    },
    async (request) =>
      setSecret(deps.db, sealer(), request.workspaceId, request.params.name, request.body.value),
  );

  app.delete(
    '/secrets/:name',
    { schema: { tags, summary: 'Delete a secret', params: nameParams } },
    async (request, reply) => {
      await deleteSecret(deps.db, request.workspaceId, request.params.name);
      return reply.code(204).send();
    },
  );
};
