import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createSavedView,
  deleteSavedView,
  listSavedViews,
  savedViewInputSchema,
  updateSavedView,
} from '../../audience/contacts/views';
import type { AppDeps } from '../deps';
import { savedViewSchema } from '../schemas/audience';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const tags = ['contacts'];

/** Saved views of the contacts table: named filters and sorts, shared by the workspace. */
export const viewRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/contact-views',
    {
      schema: {
        tags,
        summary: 'Saved contact views, by name',
        response: { 200: listOf(savedViewSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listSavedViews(db, request.workspaceId) }),
  );

  app.post(
    '/contact-views',
    {
      schema: {
        tags,
        summary: 'Save a view of the contacts table',
        body: savedViewInputSchema,
        response: { 201: savedViewSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createSavedView(db, request.workspaceId, request.body)),
  );

  app.put(
    '/contact-views/:id',
    {
      schema: {
        tags,
        summary: 'Change a saved view',
        params: idParams,
        body: savedViewInputSchema,
        response: { 200: savedViewSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => updateSavedView(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/contact-views/:id',
    {
      schema: {
        tags,
        summary: 'Delete a saved view',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteSavedView(db, request.workspaceId, request.params.id);
      return reply.code(204).send();
    },
  );
};
