import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contactInputSchema, createContact, getContact } from '../../contacts/contacts';
import { runsOfContact } from '../../runs/queries';
import type { AppDeps } from '../deps';

const idParams = z.object({ id: z.uuid() });
const tags = ['contacts'];

export const contactRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.post(
    '/contacts',
    { schema: { tags, summary: 'Create a contact', body: contactInputSchema } },
    async (request, reply) =>
      reply.code(201).send(await createContact(db, request.workspaceId, request.body)),
  );

  app.get(
    '/contacts/:id',
    { schema: { tags, summary: 'Get a contact', params: idParams } },
    async (request) => getContact(db, request.workspaceId, request.params.id),
  );

  app.get(
    '/contacts/:id/runs',
    { schema: { tags, summary: "The contact's journey runs with their paths", params: idParams } },
    async (request) => {
      await getContact(db, request.workspaceId, request.params.id);
      return { data: await runsOfContact(db, request.workspaceId, request.params.id) };
    },
  );
};
