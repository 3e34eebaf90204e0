import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createJourney,
  deleteJourney,
  getJourney,
  getVersion,
  listJourneys,
  listVersions,
  publishJourney,
  saveDraft,
  setJourneyStatus,
  validateDraft,
} from '../../automation/journeys/journeys';
import { journeyGraphSchema } from '../../automation/journeys/model';
import { getTemplate, journeyTemplates } from '../../automation/journeys/templates';
import { enrollContact } from '../../automation/runs/enroll';
import { journeyCounts, runsOfJourney } from '../../automation/runs/queries';
import { signalJourneyRuns } from '../../automation/runs/run-control';
import { NotFound } from '../../errors';
import { applyLifecycleEffects } from '../../operations/journey-lifecycle';
import type { AppDeps } from '../deps';

const idParams = z.object({ id: z.uuid() });
const tags = ['journeys'];

export const journeyRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db, registry } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get('/journey-templates', { schema: { tags, summary: 'Shipped journey templates' } }, async () => ({
    data: journeyTemplates,
  }));

  app.get('/journeys', { schema: { tags, summary: 'List journeys' } }, async (request) => ({
    data: await listJourneys(db, request.workspaceId),
  }));

  app.post(
    '/journeys',
    { schema: { tags, summary: 'Create a journey draft', body: journeyGraphSchema } },
    async (request, reply) =>
      reply.code(201).send(await createJourney(db, request.workspaceId, request.body)),
  );

  app.post(
    '/journeys/from-template',
    {
      schema: {
        tags,
        summary: 'Create a journey draft from a shipped template',
        body: z.object({ template: z.string().min(1), name: z.string().min(1).max(200).optional() }),
      },
    },
    async (request, reply) => {
      const template = getTemplate(request.body.template);
      if (!template) throw new NotFound('Template', request.body.template);
      const graph = { ...template.graph, name: request.body.name ?? template.name };
      return reply.code(201).send(await createJourney(db, request.workspaceId, graph));
    },
  );

  app.get(
    '/journeys/:id',
    { schema: { tags, summary: 'Get a journey', params: idParams } },
    async (request) => getJourney(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/journeys/:id',
    { schema: { tags, summary: 'Save the draft', params: idParams, body: journeyGraphSchema } },
    async (request) => saveDraft(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/journeys/:id',
    { schema: { tags, summary: 'Delete an unpublished journey', params: idParams } },
    async (request, reply) => {
      await deleteJourney(db, request.workspaceId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/journeys/:id/validate',
    {
      schema: {
        tags,
        summary: 'Validate the draft, or the graph in the body',
        params: idParams,
        body: z.object({ graph: z.unknown().optional() }).nullish(),
      },
    },
    async (request) => {
      const journey = await getJourney(db, request.workspaceId, request.params.id);
      return validateDraft(registry, request.body?.graph ?? journey.draft);
    },
  );

  app.post(
    '/journeys/:id/publish',
    {
      schema: {
        tags,
        summary: 'Compile the draft into a new immutable version and activate it',
        params: idParams,
        body: z.object({ note: z.string().max(1000).optional() }).nullish(),
      },
    },
    async (request, reply) => {
      const version = await publishJourney(
        db,
        registry,
        request.workspaceId,
        request.params.id,
        request.body?.note,
      );
      await applyLifecycleEffects(temporalDeps, request.workspaceId, request.params.id, 'published');
      return reply.code(201).send(version);
    },
  );

  const lifecycle = (action: 'pause' | 'resume' | 'archive') =>
    app.post(
      `/journeys/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0].toUpperCase()}${action.slice(1)} the journey`,
          params: idParams,
        },
      },
      async (request) => {
        const status = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'archived';
        const journey = await setJourneyStatus(db, request.workspaceId, request.params.id, status);
        const signalled = await signalJourneyRuns(
          db,
          deps.temporal,
          journey.id,
          action === 'archive' ? { action: 'exit', reason: 'journey archived' } : { action },
        );
        const change = action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'archived';
        await applyLifecycleEffects(temporalDeps, request.workspaceId, journey.id, change);
        return { ...journey, runsSignalled: signalled };
      },
    );
  lifecycle('pause');
  lifecycle('resume');
  lifecycle('archive');

  app.get(
    '/journeys/:id/versions',
    { schema: { tags, summary: 'Published versions, newest first', params: idParams } },
    async (request) => ({ data: await listVersions(db, request.workspaceId, request.params.id) }),
  );

  app.get(
    '/journeys/:id/versions/:version',
    {
      schema: {
        tags,
        summary: 'One published version with its graph and plan',
        params: idParams.extend({ version: z.coerce.number().int().positive() }),
      },
    },
    async (request) => getVersion(db, request.workspaceId, request.params.id, request.params.version),
  );

  app.post(
    '/journeys/:id/enroll',
    {
      schema: {
        tags,
        summary: 'Enroll contacts by id under the re-entry rule',
        params: idParams,
        body: z.object({ contactIds: z.array(z.uuid()).min(1).max(1000) }),
      },
    },
    async (request) => {
      const results = [];
      for (const contactId of request.body.contactIds) {
        results.push({
          contactId,
          ...(await enrollContact(temporalDeps, {
            workspaceId: request.workspaceId,
            journeyId: request.params.id,
            contactId,
          })),
        });
      }
      return { data: results };
    },
  );

  app.get(
    '/journeys/:id/runs',
    {
      schema: {
        tags,
        summary: 'Runs of the journey with the path each took',
        params: idParams,
        querystring: z.object({
          status: z.enum(['running', 'completed', 'converted', 'exited', 'failed', 'cancelled']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (request) => {
      await getJourney(db, request.workspaceId, request.params.id);
      return { data: await runsOfJourney(db, request.workspaceId, request.params.id, request.query) };
    },
  );

  app.get(
    '/journeys/:id/counts',
    {
      schema: {
        tags,
        summary: 'Per-node counts (entered, waiting, per port) and conversions',
        params: idParams,
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
      },
    },
    async (request) => {
      const journey = await getJourney(db, request.workspaceId, request.params.id);
      const version = request.query.version ?? journey.activeVersion ?? undefined;
      return journeyCounts(db, request.workspaceId, journey.id, version);
    },
  );
};
