import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getJob } from '../../jobs/jobs';
import type { AppDeps } from '../deps';

export const jobRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A background job: status, rows done / total, errors by line',
        params: z.object({ id: z.uuid() }),
      },
    },
    async (request) => getJob(deps.db, request.workspaceId, request.params.id),
  );
};
