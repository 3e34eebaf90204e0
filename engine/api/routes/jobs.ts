import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getJob } from '../../jobs/jobs';
import type { AppDeps } from '../deps';
import { jobSchema } from '../schemas/audience';
import { authedErrors, errors } from '../schemas/common';

export const jobRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A background job: status, rows done / total, errors by line',
        params: z.object({ id: z.uuid() }),
        response: { 200: jobSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getJob(deps.db, request.workspaceId, request.params.id),
  );
};
