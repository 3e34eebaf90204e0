import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { channels } from '../../../connectors';
import { devOutbox } from '../../messaging/messages/dev-outbox';
import type { AppDeps } from '../deps';
import { authedErrors, listOf } from '../schemas/common';
import { outboxMessageSchema } from '../schemas/messaging';

export const devOutboxRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/dev/outbox',
    {
      schema: {
        tags: ['messages'],
        summary: 'Messages captured locally because no provider is configured for their channel',
        querystring: z.object({
          channel: z.enum(channels).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: listOf(outboxMessageSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await devOutbox(deps.db, request.workspaceId, request.query) }),
  );
};
