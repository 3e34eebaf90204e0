import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ANALYTICS_MODELS } from '../../../db/schema';
import { listAffinityRules } from '../../analytics/affinity';
import { clusterSpreadOfSegment } from '../../analytics/clusters';
import { clvFormula, clvFormulaRequestSchema } from '../../analytics/clv-inputs';
import { cohortInputSchema, retentionCohorts } from '../../analytics/cohorts';
import { toCsv } from '../../analytics/csv';
import { funnelInputSchema, runFunnel } from '../../analytics/funnels';
import { journeyFunnel, journeyFunnelInputSchema } from '../../analytics/journey-funnel';
import { listClvScores } from '../../analytics/predictive-clv';
import { loadResult } from '../../analytics/results';
import { listRfmScores, refreshRfm, rfmGrid, rfmOptionsSchema, rfmSummary } from '../../analytics/rfm';
import {
  analyticsSettingsInputSchema,
  getPurchaseSettings,
  savePurchaseSettings,
} from '../../analytics/settings';
import { campaignFunnel } from '../../campaigns/report';
import { analyticsJobSchema } from '../../jobs/analytics-job';
import { startAnalyticsJob } from '../../jobs/start';
import { homeDashboard } from '../../operations/dashboard';
import type { AppDeps } from '../deps';
import {
  affinityRuleSchema,
  campaignFunnelSchema,
  clusterSpreadSchema,
  clvFormulaSchema,
  clvScoreSchema,
  cohortSchema,
  dashboardSchema,
  funnelResultSchema,
  journeyFunnelStepSchema,
  modelResultSchema,
  purchaseSettingsSchema,
  rfmGridSchema,
  rfmRefreshSchema,
  rfmScoreSchema,
} from '../schemas/analytics';
import { jobSchema } from '../schemas/audience';
import { authedErrors, errors, listOf, mediaResponse } from '../schemas/common';

const tags = ['analytics'];
const DAY = 86_400_000;
const csvResponse = (what: string) => ({ 200: mediaResponse('text/csv', what), ...authedErrors });
const segmentQuery = z.object({ segmentId: z.uuid().optional().describe('Only this segment’s members') });
const rangeQuery = z.object({
  from: z.coerce.date().optional().describe('Start; 90 days ago when absent'),
  to: z.coerce.date().optional().describe('End; now when absent'),
  ...segmentQuery.shape,
});

export const analyticsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };
  const csv = (name: string, text: string) => (_: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`,
      )
      .send(text);

  app.get(
    '/analytics/settings',
    {
      schema: {
        tags,
        summary: 'Where purchases are found: event name, amount and line-item paths',
        response: { 200: purchaseSettingsSchema, ...authedErrors },
      },
    },
    async (request) => getPurchaseSettings(db, request.workspaceId),
  );

  app.put(
    '/analytics/settings',
    {
      schema: {
        tags,
        summary: 'Change where purchases are found; takes effect at the next refresh',
        body: analyticsSettingsInputSchema,
        response: { 200: purchaseSettingsSchema, ...authedErrors },
      },
    },
    async (request) => savePurchaseSettings(db, request.workspaceId, request.body),
  );

  app.get(
    '/analytics/dashboard',
    {
      schema: {
        tags,
        summary: 'Headline numbers and their weekly series',
        querystring: rangeQuery,
        response: { 200: dashboardSchema, ...authedErrors },
      },
    },
    async (request) => {
      const to = request.query.to ?? new Date();
      const from = request.query.from ?? new Date(to.getTime() - 90 * DAY);
      return homeDashboard(db, request.workspaceId, from, to, request.query.segmentId);
    },
  );

  app.get(
    '/analytics/rfm',
    {
      schema: {
        tags,
        summary: 'The RFM grid (R × FM) and the contacts and revenue per class',
        querystring: z.object({ segmentId: z.uuid().optional().describe('Only this segment’s members') }),
        response: { 200: rfmGridSchema, ...authedErrors },
      },
    },
    async (request) => {
      const { segmentId } = request.query;
      const [grid, summary] = await Promise.all([
        rfmGrid(db, request.workspaceId, segmentId),
        rfmSummary(db, request.workspaceId, segmentId),
      ]);
      return { ...grid, segments: summary.segments, valueClasses: summary.valueClasses };
    },
  );

  app.post(
    '/analytics/rfm/refresh',
    {
      schema: {
        tags,
        summary: 'Recompute RFM now (one set-based SQL statement)',
        body: rfmOptionsSchema.prefault({}),
        response: { 200: rfmRefreshSchema, ...authedErrors },
      },
    },
    async (request) => refreshRfm(db, request.workspaceId, request.body),
  );

  app.get(
    '/analytics/rfm/scores',
    {
      schema: {
        tags,
        summary: 'RFM scores per contact',
        response: { 200: listOf(rfmScoreSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listRfmScores(db, request.workspaceId) }),
  );

  app.get(
    '/analytics/rfm/scores.csv',
    {
      schema: {
        tags,
        summary: 'RFM scores per contact as CSV',
        response: csvResponse('One line per scored contact'),
      },
    },
    async (request, reply) =>
      csv('rfm-scores', toCsv(await listRfmScores(db, request.workspaceId)))(request, reply),
  );

  app.post(
    '/analytics/jobs',
    {
      schema: {
        tags,
        summary:
          'Refresh a model (RFM, predictive CLV, clusters, affinity rules, forecast) as a background job',
        description: 'Answers 202 with the job; follow it at GET /v1/jobs/:id.',
        body: analyticsJobSchema,
        response: { 202: jobSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const job = await startAnalyticsJob(temporalDeps, request.workspaceId, request.body);
      return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
    },
  );

  app.get(
    '/analytics/results/:model',
    {
      schema: {
        tags,
        summary: 'The latest computation of a model: parameters, fitted values or summary, and when',
        params: z.object({ model: z.enum(ANALYTICS_MODELS) }),
        response: { 200: modelResultSchema, ...authedErrors },
      },
    },
    async (request) => {
      const row = await loadResult(db, request.workspaceId, request.params.model);
      return {
        model: request.params.model,
        params: row?.params ?? {},
        result: row?.result ?? {},
        jobId: row?.jobId ?? null,
        computedAt: row?.computedAt ?? null,
      };
    },
  );

  app.post(
    '/analytics/clv/formula',
    {
      schema: {
        tags,
        summary: 'CLTV = Σ M_t/(1+r)^t for given inputs, a contact or a segment, in either convention',
        body: clvFormulaRequestSchema,
        response: { 200: clvFormulaSchema, ...authedErrors },
      },
    },
    async (request) => clvFormula(db, request.workspaceId, request.body),
  );

  app.get(
    '/analytics/clv/scores',
    {
      schema: {
        tags,
        summary: 'Predicted CLV per contact, highest first',
        querystring: segmentQuery,
        response: { 200: listOf(clvScoreSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listClvScores(db, request.workspaceId, request.query.segmentId) }),
  );

  app.get(
    '/analytics/clv/scores.csv',
    {
      schema: {
        tags,
        summary: 'Predicted CLV per contact as CSV',
        querystring: segmentQuery,
        response: csvResponse('One line per buyer'),
      },
    },
    async (request, reply) =>
      csv('clv-scores', toCsv(await listClvScores(db, request.workspaceId, request.query.segmentId)))(
        request,
        reply,
      ),
  );

  app.get(
    '/analytics/clusters/segment-spread',
    {
      schema: {
        tags,
        summary: 'How a segment’s members spread over the stored clusters: members and revenue per cluster',
        querystring: z.object({ segmentId: z.uuid() }),
        response: { 200: listOf(clusterSpreadSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await clusterSpreadOfSegment(db, request.workspaceId, request.query.segmentId),
    }),
  );

  app.get(
    '/analytics/clusters.csv',
    { schema: { tags, summary: 'Cluster profiles as CSV', response: csvResponse('One line per cluster') } },
    async (request, reply) => {
      const row = await loadResult(db, request.workspaceId, 'clusters');
      const profiles = (row?.result.profiles ?? []) as {
        cluster: number;
        size: number;
        revenue: number;
        means: Record<string, number>;
      }[];
      const features = (row?.result.features ?? []) as string[];
      const flat = profiles.map((p) => ({
        cluster: p.cluster,
        size: p.size,
        revenue: p.revenue,
        ...p.means,
      }));
      return csv('clusters', toCsv(flat, ['cluster', 'size', 'revenue', ...features]))(request, reply);
    },
  );

  app.get(
    '/analytics/affinity/rules',
    {
      schema: {
        tags,
        summary: 'Association rules, strongest lift first',
        response: { 200: listOf(affinityRuleSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listAffinityRules(db, request.workspaceId) }),
  );

  app.get(
    '/analytics/affinity/rules.csv',
    { schema: { tags, summary: 'Association rules as CSV', response: csvResponse('One line per rule') } },
    async (request, reply) =>
      csv('affinity-rules', toCsv(await listAffinityRules(db, request.workspaceId)))(request, reply),
  );

  app.get(
    '/analytics/forecast.csv',
    {
      schema: {
        tags,
        summary: 'The last forecast as CSV: history, fit and forecast with its interval',
        response: csvResponse('One line per period'),
      },
    },
    async (request, reply) => {
      const row = await loadResult(db, request.workspaceId, 'forecast');
      const result = (row?.result ?? {}) as {
        history?: { period: string; revenue: number; orders: number }[];
        fitted?: number[];
        forecast?: { index: number; value: number; lower: number; upper: number }[];
      };
      const lines = [
        ...(result.history ?? []).map((h, i) => ({ ...h, fitted: result.fitted?.[i] })),
        ...(result.forecast ?? []).map((f) => ({
          period: `+${f.index - (result.history?.length ?? 0) + 1}`,
          forecast: f.value,
          lower: f.lower,
          upper: f.upper,
        })),
      ];
      return csv(
        'forecast',
        toCsv(lines, ['period', 'revenue', 'orders', 'fitted', 'forecast', 'lower', 'upper']),
      )(request, reply);
    },
  );

  app.post(
    '/analytics/funnels',
    {
      schema: {
        tags,
        summary: 'An ordered event funnel with conversion, drop-off and median time per step',
        body: funnelInputSchema,
        response: { 200: funnelResultSchema, ...authedErrors },
      },
    },
    async (request) => runFunnel(db, request.workspaceId, request.body),
  );

  app.post(
    '/analytics/funnels.csv',
    {
      schema: {
        tags,
        summary: 'A funnel as CSV, one line per step (and per breakdown value)',
        body: funnelInputSchema,
        response: csvResponse('One line per step'),
      },
    },
    async (request, reply) => {
      const result = await runFunnel(db, request.workspaceId, request.body);
      const lines = [
        ...result.steps.map((s, i) => ({ group: 'all', step: i + 1, ...s })),
        ...result.breakdown.flatMap((b) => b.steps.map((s, i) => ({ group: b.value, step: i + 1, ...s }))),
      ];
      return csv('funnel', toCsv(lines))(request, reply);
    },
  );

  app.post(
    '/analytics/journey-funnel',
    {
      schema: {
        tags,
        summary: 'A journey’s funnel from its node visits: runs per node, conversion, drop-off, median time',
        body: journeyFunnelInputSchema,
        response: { 200: listOf(journeyFunnelStepSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await journeyFunnel(db, request.workspaceId, request.body) }),
  );

  app.get(
    '/analytics/campaigns/:campaignId/funnel',
    {
      schema: {
        tags,
        summary:
          'A campaign’s funnel in contacts: audience, sent, delivered, opened, clicked, converted (by its attribution)',
        params: z.object({ campaignId: z.uuid() }),
        querystring: z.object({
          model: z.enum(['last', 'first', 'linear']).default('last').describe('Attribution model'),
        }),
        response: { 200: campaignFunnelSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      campaignFunnel(db, request.workspaceId, request.params.campaignId, request.query.model),
  );

  app.post(
    '/analytics/cohorts',
    {
      schema: {
        tags,
        summary: 'Retention by week of first event',
        body: cohortInputSchema,
        response: { 200: listOf(cohortSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await retentionCohorts(db, request.workspaceId, request.body) }),
  );

  app.post(
    '/analytics/cohorts.csv',
    {
      schema: {
        tags,
        summary: 'Retention cohorts as CSV',
        body: cohortInputSchema,
        response: csvResponse('One line per cohort'),
      },
    },
    async (request, reply) => {
      const cohorts = await retentionCohorts(db, request.workspaceId, request.body);
      const weeks = cohorts[0]?.active.length ?? 0;
      const rows = cohorts.map((c) => ({
        cohort: c.cohort,
        size: c.size,
        ...Object.fromEntries(c.active.map((a, i) => [`week_${i}`, a])),
      }));
      return csv(
        'cohorts',
        toCsv(rows, ['cohort', 'size', ...Array.from({ length: weeks }, (_, i) => `week_${i}`)]),
      )(request, reply);
    },
  );
};
