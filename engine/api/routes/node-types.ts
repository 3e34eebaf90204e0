import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';

export const nodeTypeRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const described = deps.registry.describe();
  app.get(
    '/node-types',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Every node type with its ports and the JSON Schema of its config',
      },
    },
    async () => ({ data: described }),
  );
};
