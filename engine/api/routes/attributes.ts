import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  attributeDefinitionInputSchema,
  createAttributeDefinition,
  deleteAttributeDefinition,
  listAttributeDefinitions,
  updateAttributeDefinition,
} from '../../audience/attributes/definitions';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { attributeDefinitionSchema } from '../schemas/audience';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const tags = ['contacts'];

/** Custom attribute definitions: typed contact fields shown in forms and filters, checked on write. */
export const attributeRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/attributes',
    {
      schema: {
        tags,
        summary: "The workspace's custom attribute definitions",
        response: { 200: listOf(attributeDefinitionSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listAttributeDefinitions(db, request.workspaceId) }),
  );

  app.post(
    '/attributes',
    {
      schema: {
        tags,
        summary: 'Define a custom attribute (text, number, boolean, date or enum)',
        description:
          'From then on, contact writes (API, UI, imports) must fit the type; existing values stay.',
        body: attributeDefinitionInputSchema,
        response: { 201: attributeDefinitionSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      const row = await createAttributeDefinition(db, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'attribute.create',
        objectType: 'attribute',
        objectId: row.id,
        change: { ...request.body },
      });
      return reply.code(201).send(row);
    },
  );

  app.put(
    '/attributes/:id',
    {
      schema: {
        tags,
        summary: 'Change a custom attribute definition',
        params: idParams,
        body: attributeDefinitionInputSchema,
        response: { 200: attributeDefinitionSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const row = await updateAttributeDefinition(db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'attribute.update',
        objectType: 'attribute',
        objectId: row.id,
        change: { ...request.body },
      });
      return row;
    },
  );

  app.delete(
    '/attributes/:id',
    {
      schema: {
        tags,
        summary: 'Remove a definition (the values stay on the contacts, unchecked)',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteAttributeDefinition(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'attribute.delete',
        objectType: 'attribute',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );
};
