import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChannelDeps } from '../../messaging/channels/deps';
import { templateFields } from '../../messaging/templates/fields';
import { previewDraft, previewRequest, previewStoredTemplate } from '../../messaging/templates/preview';
import { sendTemplateTest } from '../../messaging/templates/send-test';
import {
  createTemplate,
  deleteTemplate,
  draftParts,
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  revertTemplate,
  type TemplateAuthor,
  templateFilters,
  templateInput,
  templateKinds,
  templateProblems,
  updateTemplate,
} from '../../messaging/templates/templates';
import { journeysUsingTemplate } from '../../messaging/templates/usage';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent, versionNumber } from '../schemas/common';
import { templateSchema } from '../schemas/messaging';
import {
  previewSchema,
  syntaxProblemSchema,
  templateFieldsSchema,
  templateVersionSchema,
  testSendSchema,
} from '../schemas/templates';

const idParams = z.object({ id: z.uuid() });
const versionParams = idParams.extend({ version: versionNumber });
const tags = ['templates'];
const draftTemplate = templateInput
  .omit({ channel: true, tags: true })
  .partial({ name: true })
  .extend({
    channel: z.enum(templateKinds).optional().describe('SMS previews count segments'),
  });

export const templateRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; channels?: ChannelDeps }> = async (
  app,
  { deps, channels },
) => {
  const { db } = deps;
  const authorOf = async (request: Parameters<typeof callerOf>[0]): Promise<TemplateAuthor> => {
    const caller = await callerOf(request, deps);
    return { label: caller.actor.label ?? caller.actor.type, userId: caller.userId };
  };

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'List templates, layouts and snippets',
        querystring: templateFilters,
        response: { 200: listOf(templateSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listTemplates(db, request.workspaceId, request.query),
    }),
  );

  app.post(
    '/templates',
    {
      schema: {
        tags,
        summary: 'Create a template (a Liquid syntax error is refused with its line and column)',
        body: templateInput,
        response: { 201: templateSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      const row = await createTemplate(db, request.workspaceId, request.body, await authorOf(request));
      await audit(request, deps, {
        action: 'template.create',
        objectType: 'template',
        objectId: row.id,
        change: { name: row.name, channel: row.channel, version: row.version },
      });
      return reply.code(201).send(row);
    },
  );

  app.get(
    '/templates/fields',
    {
      schema: {
        tags,
        summary: 'What templates can read: attributes, event properties, snippets (for autocompletion)',
        response: { 200: templateFieldsSchema, ...authedErrors },
      },
    },
    async (request) => templateFields(db, request.workspaceId),
  );

  app.post(
    '/templates/validate',
    {
      schema: {
        tags,
        summary: 'Liquid and MJML problems of a draft, each at its line and column',
        body: draftParts,
        response: { 200: z.object({ problems: z.array(syntaxProblemSchema) }), ...authedErrors },
      },
    },
    async (request) => ({ problems: await templateProblems(request.body) }),
  );

  app.get(
    '/templates/:id',
    {
      schema: {
        tags,
        summary: 'Get a template',
        params: idParams,
        response: { 200: templateSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getTemplate(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/templates/:id',
    {
      schema: {
        tags,
        summary: 'Save a template as its next version',
        params: idParams,
        body: templateInput,
        response: { 200: templateSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const row = await updateTemplate(
        db,
        request.workspaceId,
        request.params.id,
        request.body,
        await authorOf(request),
      );
      await audit(request, deps, {
        action: 'template.update',
        objectType: 'template',
        objectId: row.id,
        change: { name: row.name, version: row.version },
      });
      return row;
    },
  );

  app.delete(
    '/templates/:id',
    {
      schema: {
        tags,
        summary: 'Delete a template with its versions',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await deleteTemplate(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'template.delete',
        objectType: 'template',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/templates/:id/usage',
    {
      schema: {
        tags,
        summary:
          'The published journeys that send this template (it cannot be deleted or renamed under them)',
        params: idParams,
        response: {
          200: listOf(z.object({ id: z.string(), name: z.string(), status: z.string() })),
          ...authedErrors,
          ...errors(404),
        },
      },
    },
    async (request) => {
      const template = await getTemplate(db, request.workspaceId, request.params.id);
      return { data: await journeysUsingTemplate(db, request.workspaceId, template.name) };
    },
  );

  app.get(
    '/templates/:id/versions',
    {
      schema: {
        tags,
        summary: 'Every saved version of a template, newest first, with who saved it',
        params: idParams,
        response: { 200: listOf(templateVersionSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listTemplateVersions(db, request.workspaceId, request.params.id) }),
  );

  app.get(
    '/templates/:id/versions/:version',
    {
      schema: {
        tags,
        summary: 'One saved version of a template',
        params: versionParams,
        response: { 200: templateVersionSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getTemplateVersion(db, request.workspaceId, request.params.id, request.params.version),
  );

  app.post(
    '/templates/:id/versions/:version/revert',
    {
      schema: {
        tags,
        summary: "Save an earlier version's content as the newest version",
        params: versionParams,
        response: { 200: templateSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const row = await revertTemplate(
        db,
        request.workspaceId,
        request.params.id,
        request.params.version,
        await authorOf(request),
      );
      await audit(request, deps, {
        action: 'template.revert',
        objectType: 'template',
        objectId: row.id,
        change: { revertedTo: request.params.version, version: row.version },
      });
      return row;
    },
  );

  app.post(
    '/templates/:id/preview',
    {
      schema: {
        tags,
        summary: 'Render a stored template for a contact or sample JSON',
        params: idParams,
        body: previewRequest,
        response: { 200: previewSchema, ...authedErrors, ...errors(404, 422) },
      },
    },
    async (request) =>
      previewStoredTemplate(db, request.workspaceId, request.params.id, request.body, channels?.publicUrl),
  );

  app.post(
    '/templates/preview',
    {
      schema: {
        tags,
        summary: 'Render an unsaved template for a contact or sample JSON',
        body: previewRequest.extend({ template: draftTemplate }),
        response: { 200: previewSchema, ...authedErrors, ...errors(404, 422) },
      },
    },
    async (request) =>
      previewDraft(db, request.workspaceId, request.body.template, request.body, channels?.publicUrl),
  );

  app.post(
    '/templates/test',
    {
      schema: {
        tags,
        summary: "Send a template (as being edited) to an address through the channel's provider",
        body: previewRequest.extend({
          to: z.string().trim().min(1).max(2000).describe('Email address, phone number, URL, ...'),
          template: draftTemplate.extend({ channel: z.enum(templateKinds) }),
        }),
        response: { 200: testSendSchema, ...authedErrors, ...errors(404, 422) },
      },
    },
    async (request) => {
      const { to, template, ...sample } = request.body;
      const target = sample.contactId || sample.contact ? sample : { ...sample, contact: { email: to } };
      const outcome = await sendTemplateTest(channelsOf(channels), request.workspaceId, template, to, target);
      await audit(request, deps, {
        action: 'template.test-send',
        objectType: 'template',
        objectId: template.name ?? 'draft',
        change: { channel: template.channel, provider: outcome.provider },
      });
      return outcome;
    },
  );
};

function channelsOf(channels: ChannelDeps | undefined): ChannelDeps {
  if (!channels) throw new Error('channel dependencies are not configured');
  return channels;
}
