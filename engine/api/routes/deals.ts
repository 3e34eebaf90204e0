import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addDealNote,
  createDeal,
  dealInputSchema,
  dealListQuerySchema,
  dealPatchSchema,
  deleteDeal,
  getDeal,
  listDealNotes,
  listDealOwners,
  listDeals,
  listStageHistory,
  moveDeal,
  updateDeal,
} from '../../crm/deals/deals';
import {
  createPipeline,
  deletePipeline,
  getPipeline,
  listPipelines,
  pipelineInputSchema,
  updatePipeline,
} from '../../crm/deals/pipelines';
import { dealReportQuerySchema, dealReports } from '../../crm/deals/reports';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import {
  dealNoteSchema,
  dealOwnerSchema,
  dealReportsSchema,
  dealSchema,
  dealStaySchema,
  pipelineSchema,
} from '../schemas/deals';

const idParams = z.object({ id: z.uuid() });

/** Pipelines, their stages and their reports. */
export const pipelineRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const tags = ['deals'];

  app.get(
    '/pipelines',
    {
      schema: {
        tags,
        summary: 'List pipelines with their stages',
        response: { 200: listOf(pipelineSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listPipelines(db, request.workspaceId) }),
  );

  app.post(
    '/pipelines',
    {
      schema: {
        tags,
        summary: 'Create a pipeline with its ordered stages',
        body: pipelineInputSchema,
        response: { 201: pipelineSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      const pipeline = await createPipeline(db, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'pipeline.create',
        objectType: 'pipeline',
        objectId: pipeline.id,
        change: { name: pipeline.name, stages: pipeline.stages.map((s) => s.name) },
      });
      return reply.code(201).send(pipeline);
    },
  );

  app.get(
    '/pipelines/:id',
    {
      schema: {
        tags,
        summary: 'Get a pipeline',
        params: idParams,
        response: { 200: pipelineSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getPipeline(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/pipelines/:id',
    {
      schema: {
        tags,
        summary: 'Rename a pipeline and replace its stages (a stage holding deals cannot be removed)',
        params: idParams,
        body: pipelineInputSchema,
        response: { 200: pipelineSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const pipeline = await updatePipeline(db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'pipeline.update',
        objectType: 'pipeline',
        objectId: pipeline.id,
        change: { name: pipeline.name, stages: pipeline.stages.map((s) => s.name) },
      });
      return pipeline;
    },
  );

  app.delete(
    '/pipelines/:id',
    {
      schema: {
        tags,
        summary: 'Delete a pipeline that holds no deals',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await deletePipeline(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'pipeline.delete',
        objectType: 'pipeline',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/pipelines/:id/reports',
    {
      schema: {
        tags,
        summary: 'Conversion funnel, time in stage, win rate, weighted forecast and owner performance',
        params: idParams,
        querystring: dealReportQuerySchema,
        response: { 200: dealReportsSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => dealReports(db, request.workspaceId, request.params.id, request.query),
  );
};

/** Deals: create, change, move between stages, notes and stage history. */
export const dealRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const tags = ['deals'];
  const actorOf = async (request: FastifyRequest) => ({ userId: (await callerOf(request, deps)).userId });
  // Deal events wait in the outbox; the dispatcher takes them now rather than on its next round.
  const dispatch = () => deps.dispatcher?.kick();

  app.get(
    '/deals',
    {
      schema: {
        tags,
        summary: 'List deals, most recently changed first',
        querystring: dealListQuerySchema,
        response: { 200: listOf(dealSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listDeals(db, request.workspaceId, request.query) }),
  );

  app.get(
    '/deals/owners',
    {
      schema: {
        tags,
        summary: 'Members a deal can be given to',
        response: { 200: listOf(dealOwnerSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listDealOwners(db, request.workspaceId) }),
  );

  app.post(
    '/deals',
    {
      schema: {
        tags,
        summary: 'Create a deal; each of its contacts gets a "Deal Created" event',
        body: dealInputSchema,
        response: { 201: dealSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const deal = await createDeal(db, request.workspaceId, request.body, await actorOf(request));
      dispatch();
      await audit(request, deps, {
        action: 'deal.create',
        objectType: 'deal',
        objectId: deal.id,
        change: { title: deal.title, stage: deal.stageName, value: deal.value, currency: deal.currency },
      });
      return reply.code(201).send(deal);
    },
  );

  app.get(
    '/deals/:id',
    {
      schema: {
        tags,
        summary: 'Get a deal',
        params: idParams,
        response: { 200: dealSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getDeal(db, request.workspaceId, request.params.id),
  );

  app.patch(
    '/deals/:id',
    {
      schema: {
        tags,
        summary: 'Change a deal; a new stageId moves it (a "Deal Stage Changed" event per contact)',
        params: idParams,
        body: dealPatchSchema,
        response: { 200: dealSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const deal = await updateDeal(
        db,
        request.workspaceId,
        request.params.id,
        request.body,
        await actorOf(request),
      );
      dispatch();
      await audit(request, deps, {
        action: 'deal.update',
        objectType: 'deal',
        objectId: deal.id,
        change: { ...request.body },
      });
      return deal;
    },
  );

  app.post(
    '/deals/:id/stage',
    {
      schema: {
        tags,
        summary: 'Move a deal to another stage of its pipeline',
        params: idParams,
        body: z.object({ stageId: z.uuid() }),
        response: { 200: dealSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const before = await getDeal(db, request.workspaceId, request.params.id);
      const deal = await moveDeal(
        db,
        request.workspaceId,
        request.params.id,
        request.body.stageId,
        await actorOf(request),
      );
      dispatch();
      if (before.stageId !== deal.stageId)
        await audit(request, deps, {
          action: 'deal.move',
          objectType: 'deal',
          objectId: deal.id,
          change: { from: before.stageName, to: deal.stageName },
        });
      return deal;
    },
  );

  app.delete(
    '/deals/:id',
    {
      schema: {
        tags,
        summary: 'Delete a deal with its notes and history',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteDeal(db, request.workspaceId, request.params.id);
      await audit(request, deps, { action: 'deal.delete', objectType: 'deal', objectId: request.params.id });
      return reply.code(204).send();
    },
  );

  app.get(
    '/deals/:id/notes',
    {
      schema: {
        tags,
        summary: "A deal's notes, newest first",
        params: idParams,
        response: { 200: listOf(dealNoteSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listDealNotes(db, request.workspaceId, request.params.id) }),
  );

  app.post(
    '/deals/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add a note to a deal',
        params: idParams,
        body: z.object({ body: z.string().trim().min(1).max(10_000) }),
        response: { 201: dealNoteSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      const note = await addDealNote(
        db,
        request.workspaceId,
        request.params.id,
        request.body.body,
        await actorOf(request),
      );
      await audit(request, deps, { action: 'deal.note', objectType: 'deal', objectId: request.params.id });
      return reply.code(201).send(note);
    },
  );

  app.get(
    '/deals/:id/history',
    {
      schema: {
        tags,
        summary: "The deal's stays in each stage, oldest first",
        params: idParams,
        response: { 200: listOf(dealStaySchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listStageHistory(db, request.workspaceId, request.params.id) }),
  );
};
