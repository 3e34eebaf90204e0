import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { abTestResult } from '../../campaigns/ab-test';
import { broadcastInputSchema } from '../../campaigns/broadcast-input';
import {
  createBroadcast,
  deleteBroadcast,
  getBroadcast,
  listBroadcasts,
  updateBroadcast,
} from '../../campaigns/broadcasts';
import { confirmAudience } from '../../campaigns/confirm';
import { broadcastProgress } from '../../campaigns/progress';
import { broadcastReport, reportCsv } from '../../campaigns/report';
import { controlBroadcast, launchBroadcast, pickBroadcastWinner } from '../../operations/launch-broadcast';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import {
  abTestResultSchema,
  broadcastSchema,
  confirmationSchema,
  progressSchema,
  reportSchema,
} from '../schemas/campaigns';
import { authedErrors, errors, listOf, mediaResponse, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const modelQuery = z.object({ model: z.enum(['last', 'first', 'linear']).default('last') });
const tags = ['broadcasts'];

export const broadcastRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get(
    '/broadcasts',
    {
      schema: {
        tags,
        summary: 'List broadcasts, newest first',
        querystring: z.object({ campaignId: z.uuid().optional() }),
        response: { 200: listOf(broadcastSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listBroadcasts(db, request.workspaceId, request.query) }),
  );

  app.post(
    '/broadcasts',
    {
      schema: {
        tags,
        summary: 'Create a draft broadcast',
        description: 'Its templates must exist and be of its channel; segments and lists must exist.',
        body: broadcastInputSchema,
        response: { 201: broadcastSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const caller = await callerOf(request, deps);
      const row = await createBroadcast(db, request.workspaceId, request.body, caller.userId);
      await audit(request, deps, { action: 'broadcast.create', objectType: 'broadcast', objectId: row.id });
      return reply.code(201).send(row);
    },
  );

  app.get(
    '/broadcasts/:id',
    {
      schema: {
        tags,
        summary: 'Get a broadcast',
        params: idParams,
        response: { 200: broadcastSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getBroadcast(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/broadcasts/:id',
    {
      schema: {
        tags,
        summary: 'Change a draft broadcast',
        params: idParams,
        body: broadcastInputSchema,
        response: { 200: broadcastSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => updateBroadcast(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/broadcasts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a draft broadcast',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await deleteBroadcast(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'broadcast.delete',
        objectType: 'broadcast',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/broadcasts/:id/confirm',
    {
      schema: {
        tags,
        summary: 'What launching now would do: audience size after consent, suppression and frequency caps',
        params: idParams,
        response: { 200: confirmationSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const row = await getBroadcast(db, request.workspaceId, request.params.id);
      return confirmAudience(db, request.workspaceId, { ...row, now: Date.now() });
    },
  );

  app.post(
    '/broadcasts/:id/launch',
    {
      schema: {
        tags,
        summary: 'Launch a draft: freeze its audience and start sending (or wait for its time)',
        description:
          'Refused with the reason (400) for no or an empty audience, a template of the wrong channel, a time in the past or a cost over the campaign budget. A second launch answers the broadcast as it is with `launched: false` and sends nothing more.',
        params: idParams,
        response: {
          200: z.object({ broadcast: broadcastSchema, launched: z.boolean() }),
          ...authedErrors,
          ...errors(404, 409),
        },
      },
    },
    async (request) => {
      const outcome = await launchBroadcast(temporalDeps, request.workspaceId, request.params.id);
      if (outcome.launched) {
        await audit(request, deps, {
          action: 'broadcast.launch',
          objectType: 'broadcast',
          objectId: request.params.id,
          change: { audience: outcome.broadcast.audienceSize },
        });
      }
      return outcome;
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(
      `/broadcasts/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0].toUpperCase()}${action.slice(1)} a running broadcast`,
          params: idParams,
          response: { 200: broadcastSchema, ...authedErrors, ...errors(404, 409) },
        },
      },
      async (request) => {
        const row = await controlBroadcast(temporalDeps, request.workspaceId, request.params.id, action);
        await audit(request, deps, {
          action: `broadcast.${action}`,
          objectType: 'broadcast',
          objectId: request.params.id,
        });
        return row;
      },
    );
  }

  app.get(
    '/broadcasts/:id/progress',
    {
      schema: {
        tags,
        summary: 'Live progress: queued, sent, skipped with reasons, failed',
        params: idParams,
        response: { 200: progressSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => broadcastProgress(db, request.workspaceId, request.params.id),
  );

  app.get(
    '/broadcasts/:id/ab-test',
    {
      schema: {
        tags,
        summary: "The A/B test's results per variant, the leader and its significance",
        params: idParams,
        response: { 200: abTestResultSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => abTestResult(db, request.workspaceId, request.params.id),
  );

  app.post(
    '/broadcasts/:id/winner',
    {
      schema: {
        tags,
        summary: 'Pick the A/B test winner by hand; the rest of the audience gets it',
        params: idParams,
        body: z.object({ variant: z.string().regex(/^[A-Z]$/) }),
        response: { 200: broadcastSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const row = await pickBroadcastWinner(
        temporalDeps,
        request.workspaceId,
        request.params.id,
        request.body.variant,
      );
      await audit(request, deps, {
        action: 'broadcast.winner',
        objectType: 'broadcast',
        objectId: request.params.id,
        change: { variant: request.body.variant },
      });
      return row;
    },
  );

  app.get(
    '/broadcasts/:id/report',
    {
      schema: {
        tags,
        summary: 'Outcomes, conversions, revenue, cost, ROI and ROAS of a broadcast',
        params: idParams,
        querystring: modelQuery,
        response: { 200: reportSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => broadcastReport(db, request.workspaceId, request.params.id, request.query.model),
  );

  app.get(
    '/broadcasts/:id/report.csv',
    {
      schema: {
        tags,
        summary: 'The broadcast report as CSV',
        params: idParams,
        querystring: modelQuery,
        response: {
          200: mediaResponse('text/csv', 'The report: total, per channel, variant, day'),
          ...authedErrors,
        },
      },
    },
    async (request, reply) => {
      const report = await broadcastReport(db, request.workspaceId, request.params.id, request.query.model);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="broadcast-report.csv"`)
        .send(reportCsv(report));
    },
  );
};
