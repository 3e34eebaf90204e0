import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getContact } from '../../audience/contacts/contacts';
import {
  activityInputSchema,
  deleteActivity,
  logActivity,
  updateActivity,
} from '../../crm/timeline/activities';
import { contactStream, timelineStreamQuerySchema } from '../../crm/timeline/timeline';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, noContent } from '../schemas/common';
import { activitySchema, timelinePageSchema } from '../schemas/timeline';

const idParams = z.object({ id: z.uuid() });
const activityParams = idParams.extend({ activityId: z.uuid() });
const tags = ['timeline'];

/** A contact's interaction timeline, and the notes, calls and meetings people log on it. */
export const timelineRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/contacts/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Everything that happened with a contact, newest first',
        description:
          'Events (deal and ticket changes as kinds `deal` and `ticket`), messages with their engagement, journey steps, notes, calls and meetings; `kinds` filters.',
        params: idParams,
        querystring: timelineStreamQuerySchema,
        response: { 200: timelinePageSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getContact(db, request.workspaceId, request.params.id);
      return contactStream(db, request.workspaceId, request.params.id, request.query);
    },
  );

  app.post(
    '/contacts/:id/activities',
    {
      schema: {
        tags,
        summary: 'Log a note, call or meeting on the contact',
        params: idParams,
        body: activityInputSchema,
        response: { 201: activitySchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      const caller = await callerOf(request, deps);
      const row = await logActivity(db, request.workspaceId, request.params.id, request.body, {
        authorId: caller.userId,
      });
      await audit(request, deps, {
        action: 'activity.create',
        objectType: 'contact',
        objectId: request.params.id,
        change: { kind: row.kind, activityId: row.id },
      });
      return reply.code(201).send(row);
    },
  );

  app.put(
    '/contacts/:id/activities/:activityId',
    {
      schema: {
        tags,
        summary: 'Change a logged note, call or meeting',
        params: activityParams,
        body: activityInputSchema,
        response: { 200: activitySchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      updateActivity(db, request.workspaceId, request.params.id, request.params.activityId, request.body),
  );

  app.delete(
    '/contacts/:id/activities/:activityId',
    {
      schema: {
        tags,
        summary: 'Delete a logged note, call or meeting',
        params: activityParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteActivity(db, request.workspaceId, request.params.id, request.params.activityId);
      await audit(request, deps, {
        action: 'activity.delete',
        objectType: 'contact',
        objectId: request.params.id,
        change: { activityId: request.params.activityId },
      });
      return reply.code(204).send();
    },
  );
};
