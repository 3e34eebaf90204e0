import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { codeBundleSchema, exportCode, pushCode } from '../../operations/journeys-as-code';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors } from '../schemas/common';
import { pushReportSchema } from '../schemas/journey-lifecycle';

const tags = ['journey lifecycle'];

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
};
