import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { segmentDefinitionSchema } from '../../audience/segments/definition';
import { refreshSegment } from '../../audience/segments/reevaluate';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  previewSegment,
  segmentInputSchema,
  updateSegment,
} from '../../audience/segments/segments';
import { journeysWithTrigger } from '../../automation/triggers/trigger-journeys';
import { startSegmentEnrollment } from '../../jobs/start';
import type { AppDeps } from '../deps';

const idParams = z.object({ id: z.uuid() });
const tags = ['segments'];

export const segmentRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get('/segments', { schema: { tags, summary: 'List segments with their sizes' } }, async (request) => ({
    data: await listSegments(db, request.workspaceId),
  }));

  app.post(
    '/segments',
    {
      schema: {
        tags,
        summary: 'Create a segment; its membership is computed at once',
        body: segmentInputSchema,
      },
    },
    async (request, reply) => {
      const segment = await createSegment(db, request.workspaceId, request.body);
      const membership = await refreshSegment(temporalDeps, segment);
      return reply.code(201).send({ ...segment, members: membership.entered });
    },
  );

  app.post(
    '/segments/preview',
    {
      schema: {
        tags,
        summary: 'Count the contacts a definition matches now, without saving it',
        body: z.object({ definition: segmentDefinitionSchema }),
      },
    },
    async (request) => previewSegment(db, request.workspaceId, request.body.definition),
  );

  app.get(
    '/segments/:id',
    { schema: { tags, summary: 'Get a segment', params: idParams } },
    async (request) => getSegment(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/segments/:id',
    {
      schema: {
        tags,
        summary: 'Change a segment; membership is re-evaluated and entering contacts enroll',
        params: idParams,
        body: segmentInputSchema.partial(),
      },
    },
    async (request) => {
      const segment = await updateSegment(db, request.workspaceId, request.params.id, request.body);
      const membership = await refreshSegment(temporalDeps, segment);
      return { ...segment, membership };
    },
  );

  app.delete(
    '/segments/:id',
    { schema: { tags, summary: 'Delete a segment no active journey uses', params: idParams } },
    async (request, reply) => {
      const users = (await journeysWithTrigger(db, 'trigger.segment', request.workspaceId))
        .filter((j) => j.trigger.config.segmentId === request.params.id)
        .map((j) => j.journeyId);
      await deleteSegment(db, request.workspaceId, request.params.id, users);
      return reply.code(204).send();
    },
  );

  app.post(
    '/segments/:id/preview',
    { schema: { tags, summary: 'Count the contacts the saved segment matches now', params: idParams } },
    async (request) => {
      const segment = await getSegment(db, request.workspaceId, request.params.id);
      return previewSegment(db, request.workspaceId, segmentDefinitionSchema.parse(segment.definition));
    },
  );

  app.post(
    '/journeys/:id/enroll-segment',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Enroll every member of a segment as a background job',
        description: 'Answers 202 with the job; follow it at GET /v1/jobs/:id.',
        params: idParams,
        body: z.object({ segmentId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const job = await startSegmentEnrollment(
        temporalDeps,
        request.workspaceId,
        request.params.id,
        request.body.segmentId,
      );
      return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
    },
  );
};
