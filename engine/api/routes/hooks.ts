import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  deleteHook,
  getHook,
  hookInputSchema,
  listHooks,
  rotateHookSecret,
} from '../../audience/hooks/hooks';
import { createCrmHook, receiveHookDelivery, updateCrmHook } from '../../crm/inbound/hook-delivery';
import { dispatchAfterCommit } from '../../dispatch/after-commit';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { hookDeliverySchema, hookSchema, hookWithSecretSchema } from '../schemas/audience';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const idParams = z.object({ id: z.uuid() });
const tags = ['hooks'];
const MAX_WEBHOOK_BYTES = 1024 * 1024;

interface HookRouteOptions {
  deps: AppDeps;
}

/** Managing inbound webhooks (secret-key scope): create, list, read, change, delete, rotate the secret. */
export const hookRoutes: FastifyPluginAsyncZod<HookRouteOptions> = async (app, options) => {
  const { db } = options.deps;

  app.post(
    '/hooks',
    {
      schema: {
        tags,
        summary: 'Create an inbound webhook; the answer holds its signing secret, shown only here',
        body: hookInputSchema,
        response: { 201: hookWithSecretSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const { hook, secret } = await createCrmHook(
        db,
        options.deps.secretBox,
        request.workspaceId,
        request.body,
      );
      await audit(request, options.deps, {
        action: 'hook.create',
        objectType: 'hook',
        objectId: hook.id,
        change: { name: hook.name },
      });
      return reply.code(201).send({ ...hook, secret });
    },
  );

  app.get(
    '/hooks',
    {
      schema: {
        tags,
        summary: 'List inbound webhooks',
        response: { 200: listOf(hookSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listHooks(db, request.workspaceId),
    }),
  );

  app.get(
    '/hooks/:id',
    {
      schema: {
        tags,
        summary: 'Get an inbound webhook',
        params: idParams,
        response: { 200: hookSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getHook(db, request.workspaceId, request.params.id),
  );

  app.put(
    '/hooks/:id',
    {
      schema: {
        tags,
        summary: 'Rename or re-map an inbound webhook',
        params: idParams,
        body: hookInputSchema,
        response: { 200: hookSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => updateCrmHook(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/hooks/:id',
    {
      schema: {
        tags,
        summary: 'Delete an inbound webhook',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteHook(db, request.workspaceId, request.params.id);
      await audit(request, options.deps, {
        action: 'hook.delete',
        objectType: 'hook',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/hooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Issue a new signing secret; the old ones stay valid for the grace period',
        params: idParams,
        body: z
          .object({
            graceSeconds: z
              .number()
              .int()
              .min(0)
              .max(30 * 24 * 3600)
              .default(DEFAULT_ROTATION_GRACE_SECONDS)
              .describe('How long the previous secrets stay valid (default 24 h)'),
          })
          .default({ graceSeconds: DEFAULT_ROTATION_GRACE_SECONDS }),
        response: { 200: hookWithSecretSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const { hook, secret } = await rotateHookSecret(
        db,
        options.deps.secretBox,
        request.workspaceId,
        request.params.id,
        request.body.graceSeconds,
      );
      await audit(request, options.deps, {
        action: 'hook.rotate-secret',
        objectType: 'hook',
        objectId: hook.id,
        change: { graceSeconds: request.body.graceSeconds },
      });
      return { ...hook, secret };
    },
  );
};

/**
 * The receiving endpoint, outside the secret-key scope: the signature is the authentication, so
 * the body is kept as raw bytes until it has been verified.
 */
export const hookReceiverRoutes: FastifyPluginAsyncZod<
  HookRouteOptions & { dispatchBudgetMs?: number }
> = async (app, options) => {
  const { db } = options.deps;
  app.addHook('onRequest', async (request) => {
    request.headers['content-type'] = 'application/octet-stream';
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES }, (_request, raw, done) =>
    done(null, raw),
  );

  app.post(
    '/v1/hooks/:id',
    {
      schema: {
        tags,
        summary: 'Deliver a signed webhook (Standard Webhooks)',
        description:
          "Verified with webhook-id, webhook-timestamp and webhook-signature over the raw body; a repeated webhook-id is a 200 no-op. The mapping's actions open or update deals and open tickets for the sender.",
        params: idParams,
        security: [],
        response: {
          200: hookDeliverySchema,
          202: hookDeliverySchema.describe('Stored; delivery to journeys is pending'),
          ...errors(400, 401, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value.join(' ') : value;
      };
      const { outcome, actions } = await receiveHookDelivery(
        {
          db,
          box: options.deps.secretBox,
          sla: { temporal: options.deps.temporal, taskQueue: options.deps.taskQueue },
        },
        request.params.id,
        {
          id: header('webhook-id'),
          timestamp: header('webhook-timestamp'),
          signature: header('webhook-signature'),
        },
        Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      );
      if (outcome.status === 'duplicate')
        return reply.code(200).send({ success: true, duplicate: true, ...actions });
      const dispatched = await dispatchAfterCommit(
        options.deps.dispatcher,
        [outcome.outboxId],
        options.dispatchBudgetMs,
        [outcome.event],
      );
      return reply
        .code(dispatched === 'pending' ? 202 : 200)
        .send({ success: true, duplicate: false, ...actions });
    },
  );
};
