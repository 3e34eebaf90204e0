import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createHook,
  DEFAULT_ROTATION_GRACE_SECONDS,
  deleteHook,
  getHook,
  hookInputSchema,
  listHooks,
  rotateHookSecret,
  updateHook,
} from '../../audience/hooks/hooks';
import { receiveWebhook } from '../../audience/hooks/receive';
import { dispatchAfterCommit } from '../../dispatch/after-commit';
import type { SecretBox } from '../../identity/secret-box';
import { defaultSecretBox } from '../../sdk/secrets';
import type { AppDeps } from '../deps';

const idParams = z.object({ id: z.uuid() });
const tags = ['hooks'];
const MAX_WEBHOOK_BYTES = 1024 * 1024;

interface HookRouteOptions {
  deps: AppDeps;
  /** The box sealing hook secrets; the configured one by default. */
  secretBox?: SecretBox;
}

function boxOf(options: HookRouteOptions): () => SecretBox {
  let box = options.secretBox;
  return () => {
    box ??= defaultSecretBox();
    return box;
  };
}

/** Managing inbound webhooks (secret-key scope): create, list, read, change, delete, rotate the secret. */
export const hookRoutes: FastifyPluginAsyncZod<HookRouteOptions> = async (app, options) => {
  const { db } = options.deps;
  const box = boxOf(options);

  app.post(
    '/hooks',
    {
      schema: {
        tags,
        summary: 'Create an inbound webhook; the answer holds its signing secret, shown only here',
        body: hookInputSchema,
      },
    },
    async (request, reply) => {
      const { hook, secret } = await createHook(db, box(), request.workspaceId, request.body);
      return reply.code(201).send({ ...hook, secret });
    },
  );

  app.get('/hooks', { schema: { tags, summary: 'List inbound webhooks' } }, async (request) => ({
    data: await listHooks(db, request.workspaceId),
  }));

  app.get(
    '/hooks/:id',
    { schema: { tags, summary: 'Get an inbound webhook', params: idParams } },
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
      },
    },
    async (request) => updateHook(db, request.workspaceId, request.params.id, request.body),
  );

  app.delete(
    '/hooks/:id',
    { schema: { tags, summary: 'Delete an inbound webhook', params: idParams } },
    async (request, reply) => {
      await deleteHook(db, request.workspaceId, request.params.id);
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
      },
    },
    async (request) => {
      const { hook, secret } = await rotateHookSecret(
        db,
        box(),
        request.workspaceId,
        request.params.id,
        request.body.graceSeconds,
      );
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
  const box = boxOf(options);
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
          'Verified with webhook-id, webhook-timestamp and webhook-signature over the raw body; a repeated webhook-id is a 200 no-op.',
        params: idParams,
        security: [],
      },
    },
    async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value.join(' ') : value;
      };
      const outcome = await receiveWebhook(
        db,
        box(),
        request.params.id,
        {
          id: header('webhook-id'),
          timestamp: header('webhook-timestamp'),
          signature: header('webhook-signature'),
        },
        Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      );
      if (outcome.status === 'duplicate') return reply.code(200).send({ success: true, duplicate: true });
      const dispatched = await dispatchAfterCommit(db, [outcome.outboxId], options.dispatchBudgetMs);
      return reply.code(dispatched === 'pending' ? 202 : 200).send({ success: true, duplicate: false });
    },
  );
};
