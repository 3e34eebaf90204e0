import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contactSearchSchema, searchContacts } from '../../audience/contacts/search';
import {
  getList,
  getListWithSize,
  listInputSchema,
  listLists,
  listMembersInputSchema,
} from '../../audience/lists/lists';
import { addToList, createList, deleteList, removeFromList, updateList } from '../../operations/lists';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { contactPageSchema, listMembersChangeSchema, listWithSizeSchema } from '../schemas/audience';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const tags = ['lists'];

/** Static lists: groups of contacts a marketer manages by hand or by import. */
export const listRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  app.get(
    '/lists',
    {
      schema: {
        tags,
        summary: 'Lists with their sizes, by name',
        response: { 200: listOf(listWithSizeSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listLists(db, request.workspaceId) }),
  );

  app.post(
    '/lists',
    {
      schema: {
        tags,
        summary: 'Create a list',
        body: listInputSchema,
        response: { 201: listWithSizeSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      const list = await createList(db, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'list.create',
        objectType: 'list',
        objectId: list.id,
        change: { name: list.name },
      });
      return reply.code(201).send({ ...list, members: 0 });
    },
  );

  app.get(
    '/lists/:id',
    {
      schema: {
        tags,
        summary: 'Get a list',
        params: idParams,
        response: { 200: listWithSizeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getListWithSize(db, request.workspaceId, request.params.id),
  );

  app.patch(
    '/lists/:id',
    {
      schema: {
        tags,
        summary: 'Rename a list or change its description',
        params: idParams,
        body: listInputSchema.partial(),
        response: { 200: listWithSizeSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => updateList(temporalDeps, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/lists/:id',
    {
      schema: {
        tags,
        summary: 'Delete a list (its contacts stay); their segments are re-evaluated',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteList(temporalDeps, request.workspaceId, request.params.id);
      await audit(request, deps, { action: 'list.delete', objectType: 'list', objectId: request.params.id });
      return reply.code(204).send();
    },
  );

  app.get(
    '/lists/:id/members',
    {
      schema: {
        tags,
        summary: 'The contacts in a list, with the contacts table filters and sorts',
        params: idParams,
        querystring: contactSearchSchema.omit({ listId: true }),
        response: { 200: contactPageSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getList(db, request.workspaceId, request.params.id);
      return searchContacts(db, request.workspaceId, { ...request.query, listId: request.params.id });
    },
  );

  app.post(
    '/lists/:id/members',
    {
      schema: {
        tags,
        summary: 'Add contacts (up to 1,000 per call); all or nothing',
        description:
          'An id that is not a contact of this workspace answers 400 naming it, and nothing is added.',
        params: idParams,
        body: listMembersInputSchema,
        response: { 200: listMembersChangeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      addToList(temporalDeps, request.workspaceId, request.params.id, request.body.contactIds),
  );

  app.post(
    '/lists/:id/members/remove',
    {
      schema: {
        tags,
        summary: 'Remove contacts (up to 1,000 per call)',
        params: idParams,
        body: listMembersInputSchema,
        response: { 200: listMembersChangeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      removeFromList(temporalDeps, request.workspaceId, request.params.id, request.body.contactIds),
  );

  app.delete(
    '/lists/:id/members/:contactId',
    {
      schema: {
        tags,
        summary: 'Remove one contact',
        params: idParams.extend({ contactId: z.uuid() }),
        response: { 200: listMembersChangeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      removeFromList(temporalDeps, request.workspaceId, request.params.id, [request.params.contactId]),
  );
};
