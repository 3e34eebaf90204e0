import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { previewStoredTemplate, previewTemplate } from '../../messaging/templates/preview';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  templateInput,
  updateTemplate,
} from '../../messaging/templates/templates';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import { renderedSchema, templateSchema } from '../schemas/messaging';

const idParams = z.object({ id: z.uuid() });
const tags = ['templates'];
const previewBody = z.object({
  contactId: z.uuid().describe('Render for this contact'),
  event: z
    .object({ name: z.string().optional(), properties: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .describe('A sample triggering event, readable as `event`'),
});

export const templateRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'List templates, layouts and snippets',
        response: { 200: listOf(templateSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listTemplates(db, request.workspaceId),
    }),
  );

  app.post(
    '/templates',
    {
      schema: {
        tags,
        summary: 'Create a template',
        body: templateInput,
        response: { 201: templateSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createTemplate(db, request.workspaceId, request.body)),
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
        summary: 'Replace a template',
        params: idParams,
        body: templateInput,
        response: { 200: templateSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => updateTemplate(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/templates/:id',
    {
      schema: {
        tags,
        summary: 'Delete a template',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await deleteTemplate(db, request.workspaceId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/templates/:id/preview',
    {
      schema: {
        tags,
        summary: 'Render a stored template for a contact',
        params: idParams,
        body: previewBody,
        response: { 200: renderedSchema, ...authedErrors, ...errors(404, 422) },
      },
    },
    async (request) => previewStoredTemplate(db, request.workspaceId, request.params.id, request.body),
  );

  app.post(
    '/templates/preview',
    {
      schema: {
        tags,
        summary: 'Render an unsaved template for a contact',
        body: previewBody.extend({ template: templateInput.omit({ channel: true }).partial({ name: true }) }),
        response: { 200: renderedSchema, ...authedErrors, ...errors(404, 422) },
      },
    },
    async (request) =>
      previewTemplate(
        db,
        request.workspaceId,
        {
          name: request.body.template.name ?? 'preview',
          subject: request.body.template.subject ?? null,
          preheader: request.body.template.preheader ?? null,
          body: request.body.template.body,
          html: request.body.template.html ?? null,
        },
        request.body,
      ),
  );
};
