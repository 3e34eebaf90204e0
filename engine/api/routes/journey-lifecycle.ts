import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getMigration,
  listMigrations,
  previewMigration,
  runsOfMigration,
} from '../../automation/runs/migration';
import { journeyTiming } from '../../automation/runs/timing';
import { migrateJourneyRuns } from '../../operations/journey-lifecycle';
import { promoteSplitBranch, splitReport } from '../../operations/journey-split-report';
import { codeBundleSchema, exportCode, pushCode } from '../../operations/journeys-as-code';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf } from '../schemas/common';
import {
  journeyTimingSchema,
  migrationPreviewSchema,
  migrationRequestSchema,
  migrationSchema,
  pushReportSchema,
  runMigrationSchema,
  splitReportSchema,
} from '../schemas/journey-lifecycle';

const tags = ['journey lifecycle'];
const idParams = z.object({ id: z.uuid() });

/** Journeys as code (the CLI's pull and push, the builder's import and export). */
export const journeyLifecycleRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db, registry } = deps;
  const codeDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue, registry };

  app.get(
    '/journeys-code',
    {
      schema: {
        tags,
        summary:
          "The workspace's journeys (drafts), message templates and segments as code; journeys name segments `segment:<name>`",
        response: { 200: codeBundleSchema, ...authedErrors },
      },
    },
    async (request) => exportCode(codeDeps, request.workspaceId),
  );

  app.post(
    '/journeys-code',
    {
      schema: {
        tags,
        summary:
          'Apply journeys, templates and segments by name; everything is validated and linted first and nothing changes on an error (422) or a dry run',
        body: z.object({
          bundle: codeBundleSchema,
          dryRun: z
            .boolean()
            .default(false)
            .describe('Report what would change and the problems; change nothing'),
          publish: z
            .boolean()
            .default(false)
            .describe('Publish the journeys that changed (or were never published)'),
        }),
        response: { 200: pushReportSchema, ...authedErrors, ...errors(422) },
      },
    },
    async (request) => {
      const report = await pushCode(codeDeps, request.workspaceId, request.body.bundle, {
        dryRun: request.body.dryRun,
        publish: request.body.publish,
      });
      if (report.applied) {
        await audit(request, deps, {
          action: 'journeys.code.push',
          objectType: 'workspace',
          objectId: request.workspaceId,
          change: {
            journeys: report.journeys.filter((j) => j.action !== 'unchanged'),
            templates: report.templates.filter((t) => t.action !== 'unchanged'),
            segments: report.segments.filter((s) => s.action !== 'unchanged'),
          },
        });
      }
      return report;
    },
  );

  app.post(
    '/journeys/:id/migrations/preview',
    {
      schema: {
        tags,
        summary:
          'Dry run of moving running runs of earlier versions to a newer one: per old node, where its runs land, sends they would skip or get again, timers already due',
        params: idParams,
        body: migrationRequestSchema.nullish(),
        response: { 200: migrationPreviewSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => previewMigration(db, request.workspaceId, request.params.id, request.body ?? {}),
  );

  app.post(
    '/journeys/:id/migrations',
    {
      schema: {
        tags,
        summary:
          'Move running runs of earlier versions to a newer one as mapped; runs are signalled in batches in the background (poll the migration for progress)',
        params: idParams,
        body: migrationRequestSchema.nullish(),
        response: {
          202: z.object({ migration: migrationSchema, preview: migrationPreviewSchema }),
          ...authedErrors,
          ...errors(404, 409),
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const { migration, preview } = await migrateJourneyRuns(
        { db, temporal: deps.temporal, taskQueue: deps.taskQueue },
        request.workspaceId,
        request.params.id,
        body,
        (await callerOf(request, deps)).actor.label ?? null,
      );
      await audit(request, deps, {
        action: 'journey.migrate',
        objectType: 'journey',
        objectId: request.params.id,
        change: {
          migrationId: migration.id,
          toVersion: migration.toVersion,
          mapping: body.mapping ?? {},
          keepAll: body.keepAll ?? false,
          pastTimers: migration.pastTimers,
          runs: preview.total,
          moving: preview.moving,
        },
      });
      return reply.code(202).send({ migration, preview });
    },
  );

  app.get(
    '/journeys/:id/migrations',
    {
      schema: {
        tags,
        summary: "The journey's migrations, newest first, with their progress",
        params: idParams,
        response: { 200: listOf(migrationSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listMigrations(db, request.workspaceId, request.params.id) }),
  );

  app.get(
    '/journeys/:id/migrations/:migrationId',
    {
      schema: {
        tags,
        summary: 'One migration and its progress (runs moved, kept, failed)',
        params: idParams.extend({ migrationId: z.uuid() }),
        response: { 200: migrationSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getMigration(db, request.workspaceId, request.params.id, request.params.migrationId),
  );

  app.get(
    '/journeys/:id/migrations/:migrationId/runs',
    {
      schema: {
        tags,
        summary:
          "A migration's per-run history: each run's old version and node, the node it went to (null: it stays), and whether the signal reached it",
        params: idParams.extend({ migrationId: z.uuid() }),
        response: { 200: listOf(runMigrationSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({
      data: await runsOfMigration(db, request.workspaceId, request.params.id, request.params.migrationId),
    }),
  );

  app.get(
    '/journeys/:id/timing',
    {
      schema: {
        tags,
        summary:
          'Per node of a version (the active one by default): median and p95 time spent in it; for sends, due → sent with deferred sends apart',
        params: idParams,
        querystring: z.object({ version: z.coerce.number().int().positive().max(2_147_483_647).optional() }),
        response: { 200: journeyTimingSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => journeyTiming(db, request.workspaceId, request.params.id, request.query.version),
  );

  const splitParams = idParams.extend({ nodeId: z.string().min(1).max(200) });

  app.get(
    '/journeys/:id/splits/:nodeId/report',
    {
      schema: {
        tags,
        summary:
          "A random split's A/B report: per branch runs, sends, opens, clicks and conversions with their rates; the winner on the metric and its significance",
        params: splitParams,
        querystring: z.object({
          metric: z
            .enum(['open', 'click', 'conversion'])
            .default('conversion')
            .describe('What picks the winner'),
        }),
        response: { 200: splitReportSchema, ...authedErrors, ...errors(400, 404) },
      },
    },
    async (request) =>
      splitReport(db, request.workspaceId, request.params.id, request.params.nodeId, request.query.metric),
  );

  app.post(
    '/journeys/:id/splits/:nodeId/promote',
    {
      schema: {
        tags,
        summary:
          'Promote a branch of a random split: publishes the draft with the split resolved to that branch (everyone takes it), optionally moving waiting runs to the new version',
        params: splitParams,
        body: z.object({
          branch: z.string().min(1).max(200),
          migrate: z.boolean().default(false).describe('Also move runs waiting on earlier versions'),
        }),
        response: {
          201: z.object({
            version: z.number(),
            branch: z.string(),
            migration: migrationSchema.nullable(),
          }),
          ...authedErrors,
          ...errors(400, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await promoteSplitBranch(
        codeDeps,
        request.workspaceId,
        request.params.id,
        request.params.nodeId,
        request.body.branch,
        { migrate: request.body.migrate, createdBy: (await callerOf(request, deps)).actor.label ?? null },
      );
      await audit(request, deps, {
        action: 'journey.split.promote',
        objectType: 'journey',
        objectId: request.params.id,
        change: {
          nodeId: request.params.nodeId,
          branch: result.branch,
          version: result.version,
          migrationId: result.migration?.id ?? null,
        },
      });
      return reply.code(201).send(result);
    },
  );
};
