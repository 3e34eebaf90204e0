import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { authedErrors, listOf } from '../schemas/common';
import { nodeTypeSchema } from '../schemas/journeys';

export const nodeTypeRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const described = deps.registry.describe();
  app.get(
    '/node-types',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Every node type with its ports and the JSON Schema of its config',
        response: { 200: listOf(nodeTypeSchema), ...authedErrors },
      },
    },
    async () => ({ data: described }),
  );
};
