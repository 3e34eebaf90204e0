import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listBroadcasts } from '../../campaigns/broadcasts';
import { marketingCalendar } from '../../campaigns/calendar';
import {
  addCampaignCost,
  campaignCostInputSchema,
  campaignInputSchema,
  campaignJourneyList,
  campaignSocialPosts,
  createCampaign,
  deleteCampaign,
  deleteCampaignCost,
  getCampaign,
  linkJourney,
  listCampaignCosts,
  listCampaigns,
  unlinkJourney,
  updateCampaign,
} from '../../campaigns/campaigns';
import { campaignReport, journeyReport, reportCsv } from '../../campaigns/report';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import {
  calendarSchema,
  campaignCostSchema,
  campaignOverviewSchema,
  campaignSchema,
  linkedJourneysSchema,
  reportSchema,
} from '../schemas/campaigns';
import { authedErrors, errors, listOf, mediaResponse, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const modelQuery = z.object({ model: z.enum(['last', 'first', 'linear']).default('last') });
const tags = ['campaigns'];

export const campaignRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'List campaigns, newest first',
        response: { 200: listOf(campaignSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listCampaigns(db, request.workspaceId) }),
  );

  app.post(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'Create a campaign',
        body: campaignInputSchema,
        response: { 201: campaignSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const row = await createCampaign(db, request.workspaceId, request.body);
      await audit(request, deps, { action: 'campaign.create', objectType: 'campaign', objectId: row.id });
      return reply.code(201).send(row);
    },
  );

  app.get(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'A campaign with its journeys, broadcasts and hand-entered costs',
        params: idParams,
        response: { 200: campaignOverviewSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const { workspaceId } = request;
      const campaign = await getCampaign(db, workspaceId, request.params.id);
      return {
        campaign,
        journeys: await campaignJourneyList(db, workspaceId, campaign.id),
        broadcasts: await listBroadcasts(db, workspaceId, { campaignId: campaign.id }),
        costs: await listCampaignCosts(db, workspaceId, campaign.id),
        socialPosts: await campaignSocialPosts(db, workspaceId, campaign.id),
      };
    },
  );

  app.put(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Change a campaign',
        params: idParams,
        body: campaignInputSchema,
        response: { 200: campaignSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const row = await updateCampaign(db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'campaign.update',
        objectType: 'campaign',
        objectId: row.id,
        change: { status: row.status, budget: row.budget },
      });
      return row;
    },
  );

  app.delete(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Delete a campaign; its broadcasts and journeys stay, unlinked',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteCampaign(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'campaign.delete',
        objectType: 'campaign',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/campaigns/:id/journeys',
    {
      schema: {
        tags,
        summary: 'Add a journey to the campaign',
        params: idParams,
        body: z.object({ journeyId: z.uuid() }),
        response: { 200: linkedJourneysSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({
      data: await linkJourney(db, request.workspaceId, request.params.id, request.body.journeyId),
    }),
  );

  app.delete(
    '/campaigns/:id/journeys/:journeyId',
    {
      schema: {
        tags,
        summary: 'Remove a journey from the campaign',
        params: z.object({ id: z.uuid(), journeyId: z.uuid() }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await unlinkJourney(db, request.workspaceId, request.params.id, request.params.journeyId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/campaigns/:id/costs',
    {
      schema: {
        tags,
        summary: 'Enter a fixed cost (ad spend, fees) in the campaign currency',
        params: idParams,
        body: campaignCostInputSchema,
        response: { 201: campaignCostSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      const row = await addCampaignCost(db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'campaign.cost',
        objectType: 'campaign',
        objectId: request.params.id,
        change: { label: row.label, amount: row.amount },
      });
      return reply.code(201).send(row);
    },
  );

  app.delete(
    '/campaigns/:id/costs/:costId',
    {
      schema: {
        tags,
        summary: 'Remove a fixed cost',
        params: z.object({ id: z.uuid(), costId: z.uuid() }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteCampaignCost(db, request.workspaceId, request.params.id, request.params.costId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/campaigns/:id/report',
    {
      schema: {
        tags,
        summary: 'Campaign report: outcomes, conversions, revenue, cost, ROI, ROAS and budget',
        params: idParams,
        querystring: modelQuery,
        response: { 200: reportSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => campaignReport(db, request.workspaceId, request.params.id, request.query.model),
  );

  app.get(
    '/campaigns/:id/report.csv',
    {
      schema: {
        tags,
        summary: 'The campaign report as CSV',
        params: idParams,
        querystring: modelQuery,
        response: {
          200: mediaResponse('text/csv', 'The report: total, per channel, variant, day and source'),
          ...authedErrors,
        },
      },
    },
    async (request, reply) => {
      const report = await campaignReport(db, request.workspaceId, request.params.id, request.query.model);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="campaign-report.csv"')
        .send(reportCsv(report));
    },
  );

  app.get(
    '/journeys/:id/campaign-report',
    {
      schema: {
        tags,
        summary: "A journey's outcomes, conversions, revenue, cost, ROI and ROAS",
        description:
          "Cost model and conversion event come from the journey's campaign; `event` overrides the event.",
        params: idParams,
        querystring: modelQuery.extend({ event: z.string().min(1).max(200).optional() }),
        response: { 200: reportSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      journeyReport(db, request.workspaceId, request.params.id, request.query.model, request.query.event),
  );

  app.get(
    '/calendar',
    {
      schema: {
        tags,
        summary:
          'Campaigns, broadcasts and social posts between two dates, with audience overlaps on the same day',
        querystring: z
          .object({ from: z.iso.date(), to: z.iso.date() })
          .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] }),
        response: { 200: calendarSchema, ...authedErrors },
      },
    },
    async (request) => ({ data: await marketingCalendar(db, request.workspaceId, request.query) }),
  );
};
