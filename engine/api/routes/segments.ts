import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { segmentDefinitionSchema } from '../../audience/segments/definition';
import {
  getSegment,
  listSegments,
  previewSegment,
  segmentInputSchema,
  segmentSizeHistory,
} from '../../audience/segments/segments';
import { startSegmentEnrollment } from '../../jobs/start';
import { createSegment, deleteSegment, segmentUsers, updateSegment } from '../../operations/segments';
import type { AppDeps } from '../deps';
import {
  jobSchema,
  segmentChangeSchema,
  segmentPreviewSchema,
  segmentSchema,
  segmentSizesSchema,
  segmentUserSchema,
  segmentWithSizeSchema,
} from '../schemas/audience';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const tags = ['segments'];

export const segmentRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get(
    '/segments',
    {
      schema: {
        tags,
        summary: 'List segments with their sizes',
        response: { 200: listOf(segmentWithSizeSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listSegments(db, request.workspaceId),
    }),
  );

  app.post(
    '/segments',
    {
      schema: {
        tags,
        summary: 'Create a segment; its membership is computed at once',
        body: segmentInputSchema,
        response: { 201: segmentWithSizeSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createSegment(temporalDeps, request.workspaceId, request.body)),
  );

  app.post(
    '/segments/preview',
    {
      schema: {
        tags,
        summary: 'Count the contacts a definition matches now, without saving it',
        body: z.object({ definition: segmentDefinitionSchema }),
        response: { 200: segmentPreviewSchema, ...authedErrors },
      },
    },
    async (request) => previewSegment(db, request.workspaceId, request.body.definition),
  );

  app.get(
    '/segments/:id',
    {
      schema: {
        tags,
        summary: 'Get a segment',
        params: idParams,
        response: { 200: segmentSchema, ...authedErrors, ...errors(404) },
      },
    },
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
        response: { 200: segmentChangeSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => updateSegment(temporalDeps, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/segments/:id',
    {
      schema: {
        tags,
        summary: 'Delete a segment nothing uses',
        description: 'Refused (409, `users` lists them) while a journey, campaign or broadcast uses it.',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await deleteSegment(temporalDeps, request.workspaceId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/segments/:id/preview',
    {
      schema: {
        tags,
        summary: 'Count the contacts the saved segment matches now',
        params: idParams,
        response: { 200: segmentPreviewSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const segment = await getSegment(db, request.workspaceId, request.params.id);
      return previewSegment(db, request.workspaceId, segmentDefinitionSchema.parse(segment.definition));
    },
  );

  app.get(
    '/segments/:id/usage',
    {
      schema: {
        tags,
        summary: 'The journeys, campaigns and broadcasts that use the segment',
        params: idParams,
        response: { 200: listOf(segmentUserSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getSegment(db, request.workspaceId, request.params.id);
      return { data: await segmentUsers(db, request.workspaceId, request.params.id) };
    },
  );

  app.get(
    '/segments/:id/sizes',
    {
      schema: {
        tags,
        summary: "The segment's size per day",
        params: idParams,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(730).default(90) }),
        response: { 200: segmentSizesSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({
      data: await segmentSizeHistory(db, request.workspaceId, request.params.id, request.query.days),
    }),
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
        response: { 202: jobSchema, ...authedErrors, ...errors(404, 409) },
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
