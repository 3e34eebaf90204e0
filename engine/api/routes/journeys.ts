import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  checkJourney,
  createJourney,
  deleteJourney,
  getJourney,
  getVersion,
  listJourneys,
  listVersions,
  saveDraft,
} from '../../automation/journeys/journeys';
import { journeyGraphSchema } from '../../automation/journeys/model';
import { journeyTemplates } from '../../automation/journeys/templates';
import { diffVersions, parseVersionRef } from '../../automation/journeys/version-diff';
import { enrollContact } from '../../automation/runs/enroll';
import { journeyCounts, runsOfJourney } from '../../automation/runs/queries';
import {
  changeJourneyStatus,
  type EntryAudience,
  entryAudience,
  publishJourney,
} from '../../operations/journey-lifecycle';
import { createJourneyFromTemplate } from '../../operations/journey-templates';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent, versionNumber } from '../schemas/common';
import {
  enrollOutcomeSchema,
  journeyCountsSchema,
  journeySchema,
  journeyStatusChangeSchema,
  journeyTemplateSchema,
  journeyVersionSchema,
  runSchema,
  validationResultSchema,
  versionDiffSchema,
  withParsedGraph,
} from '../schemas/journeys';

const idParams = z.object({ id: z.uuid() });
const backfillSchema = z.enum(['enroll', 'skip']);
const publishedVersionSchema = journeyVersionSchema.extend({
  backfilled: z.number().describe('Current segment members enrolled by this publish'),
  backfilledHeldOut: z
    .number()
    .describe("Current segment members this publish placed in the journey's holdout (control group)"),
});
const entryAudienceSchema = z
  .object({
    segmentId: z.string().nullable().describe('The segment of a trigger.segment; null for other triggers'),
    members: z.number().describe('Contacts in the segment now'),
    enteredWhilePaused: z.number().describe('Contacts who entered it while the journey was paused'),
  })
  .meta({ id: 'EntryAudience' }) satisfies z.ZodType<EntryAudience>;
const tags = ['journeys'];

export const journeyRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db, registry } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get(
    '/journey-templates',
    {
      schema: {
        tags,
        summary: 'Shipped journey templates',
        response: { 200: listOf(journeyTemplateSchema), ...authedErrors },
      },
    },
    async () => ({
      data: journeyTemplates.map(withParsedGraph),
    }),
  );

  app.get(
    '/journeys',
    { schema: { tags, summary: 'List journeys', response: { 200: listOf(journeySchema), ...authedErrors } } },
    async (request) => ({
      data: await listJourneys(db, request.workspaceId),
    }),
  );

  app.post(
    '/journeys',
    {
      schema: {
        tags,
        summary: 'Create a journey draft',
        body: journeyGraphSchema,
        response: { 201: journeySchema, ...authedErrors },
      },
    },
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
        response: { 201: journeySchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createJourneyFromTemplate(db, request.workspaceId, request.body.template, request.body.name),
        ),
  );

  app.get(
    '/journeys/:id',
    {
      schema: {
        tags,
        summary: 'Get a journey',
        params: idParams,
        response: { 200: journeySchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getJourney(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/journeys/:id',
    {
      schema: {
        tags,
        summary: 'Save the draft',
        params: idParams,
        body: journeyGraphSchema,
        response: { 200: journeySchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => saveDraft(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/journeys/:id',
    {
      schema: {
        tags,
        summary: 'Delete an unpublished journey',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
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
        summary:
          'Validate the draft, or the graph in the body, and lint it against the workspace (templates, segments, caps, overlapping journeys); errors block publishing, warnings do not',
        params: idParams,
        body: z.object({ graph: z.unknown().optional() }).nullish(),
        response: { 200: validationResultSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const journey = await getJourney(db, request.workspaceId, request.params.id);
      return checkJourney(
        db,
        registry,
        request.workspaceId,
        request.body?.graph ?? journey.draft,
        journey.id,
      );
    },
  );

  app.post(
    '/journeys/:id/publish',
    {
      schema: {
        tags,
        summary: 'Compile the draft into a new immutable version and activate it',
        params: idParams,
        body: z
          .object({
            note: z.string().max(1000).optional(),
            backfill: backfillSchema
              .optional()
              .describe("A segment trigger's current members: enroll them now, or only new entries (skip)"),
          })
          .nullish(),
        response: { 201: publishedVersionSchema, ...authedErrors, ...errors(404, 409, 422) },
      },
    },
    async (request, reply) => {
      const version = await publishJourney(
        { ...temporalDeps, registry },
        request.workspaceId,
        request.params.id,
        request.body?.note,
        request.body?.backfill,
      );
      await audit(request, deps, {
        action: 'journey.publish',
        objectType: 'journey',
        objectId: request.params.id,
        change: {
          version: version.version,
          note: request.body?.note ?? null,
          backfill: version.backfill,
          backfilled: version.backfilled,
          holdoutShare:
            (version.graph as { settings?: { holdoutShare?: number } }).settings?.holdoutShare ?? 0,
        },
      });
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
          body:
            action === 'resume'
              ? z
                  .object({
                    missed: backfillSchema
                      .default('enroll')
                      .describe('Contacts who entered the entry segment during the pause: enroll or skip'),
                  })
                  .nullish()
              : z.unknown().optional(),
          response: {
            200: journeyStatusChangeSchema.extend({
              missedEnrolled: z
                .number()
                .describe('Segment entries made during the pause, enrolled on resume'),
              missedHeldOut: z
                .number()
                .describe("Segment entries made during the pause placed in the journey's holdout on resume"),
            }),
            ...authedErrors,
            ...errors(404, 409),
          },
        },
      },
      async (request) => {
        const body = request.body as { missed?: 'enroll' | 'skip' } | null | undefined;
        const journey = await changeJourneyStatus(
          temporalDeps,
          request.workspaceId,
          request.params.id,
          action,
          { missed: body?.missed },
        );
        await audit(request, deps, {
          action: `journey.${action}`,
          objectType: 'journey',
          objectId: journey.id,
          change: {
            version: journey.activeVersion,
            status: journey.status,
            runsSignalled: journey.runsSignalled,
            ...(action === 'resume'
              ? { missed: body?.missed ?? 'enroll', missedEnrolled: journey.missedEnrolled }
              : {}),
          },
        });
        return journey;
      },
    );
  lifecycle('pause');
  lifecycle('resume');
  lifecycle('archive');

  app.get(
    '/journeys/:id/entry-audience',
    {
      schema: {
        tags,
        summary:
          "How many contacts a publish (backfill) or a resume would enroll from the segment trigger's segment",
        params: idParams,
        response: { 200: entryAudienceSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => entryAudience(temporalDeps, request.workspaceId, request.params.id),
  );

  app.get(
    '/journeys/:id/versions',
    {
      schema: {
        tags,
        summary: 'Published versions, newest first',
        params: idParams,
        response: { 200: listOf(journeyVersionSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listVersions(db, request.workspaceId, request.params.id) }),
  );

  app.get(
    '/journeys/:id/versions/:version',
    {
      schema: {
        tags,
        summary: 'One published version with its graph and plan',
        params: idParams.extend({ version: versionNumber }),
        response: { 200: journeyVersionSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getVersion(db, request.workspaceId, request.params.id, request.params.version),
  );

  app.get(
    '/journeys/:id/diff',
    {
      schema: {
        tags,
        summary:
          'What changed between two versions (or a version and the draft): nodes added, removed and changed by field, edges added, removed and rewired',
        params: idParams,
        querystring: z.object({
          from: z
            .string()
            .max(20)
            .optional()
            .describe('A version number or "draft"; the active version when absent'),
          to: z.string().max(20).optional().describe('A version number or "draft"; the draft when absent'),
        }),
        response: { 200: versionDiffSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      diffVersions(db, request.workspaceId, request.params.id, {
        from: request.query.from === undefined ? undefined : parseVersionRef(request.query.from, 'from'),
        to: request.query.to === undefined ? undefined : parseVersionRef(request.query.to, 'to'),
      }),
  );

  app.post(
    '/journeys/:id/enroll',
    {
      schema: {
        tags,
        summary:
          'Enroll contacts by id under the re-entry rule; a segment-triggered journey skips non-members unless `force`',
        params: idParams,
        body: z.object({
          contactIds: z.array(z.uuid()).min(1).max(1000),
          force: z
            .boolean()
            .default(false)
            .describe("Enroll contacts outside a segment-triggered journey's entry segment too"),
        }),
        response: { 200: listOf(enrollOutcomeSchema), ...authedErrors, ...errors(404, 409) },
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
            force: request.body.force,
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
          entryKey: z.string().max(500).optional().describe("A keyed trigger's key: that key's runs only"),
        }),
        response: { 200: listOf(runSchema), ...authedErrors, ...errors(404) },
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
        querystring: z.object({
          version: versionNumber.optional(),
          entryKey: z
            .string()
            .max(200)
            .optional()
            .describe("Only the runs of this entry key (a keyed trigger's key)"),
        }),
        response: { 200: journeyCountsSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const journey = await getJourney(db, request.workspaceId, request.params.id);
      const version = request.query.version ?? journey.activeVersion ?? undefined;
      return journeyCounts(db, request.workspaceId, journey.id, version, request.query.entryKey);
    },
  );
};
