import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_SCOPES } from '../../../db/schema';
import {
  assertCanGrant,
  issueApiKey,
  listApiKeys,
  normalizeScopes,
  revokeApiKey,
} from '../../identity/api-keys';
import { audit, callerOf, requireKeyPermission } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';

const tags = ['api-keys'];
const scopeSchema = z.enum(API_KEY_SCOPES);

const apiKeySummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['secret', 'write']).describe('`write` keys (wl_wk_…) are ingest-only tracking keys'),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    scopes: z.array(scopeSchema),
    createdAt: z.date(),
    createdBy: z
      .object({ id: z.uuid(), email: z.string() })
      .nullable()
      .describe('Null for keys made by `wayline admin`'),
    lastUsedAt: z.date().nullable().describe('Updated at most once a minute'),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

const createdKeySchema = apiKeySummarySchema
  .pick({ id: true, name: true, kind: true, prefix: true, scopes: true, createdAt: true })
  .extend({ key: z.string().describe('The key itself: shown in this answer only, never again') })
  .meta({ id: 'CreatedApiKey' });

const keyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(scopeSchema)
    .min(1)
    .describe('`ingest` alone makes a tracking write key (wl_wk_…); anything else a secret key (wl_sk_…)'),
});

/** API keys of the workspace: list, create (the key is shown once), revoke. */
export const apiKeyRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: "The workspace's API keys, revoked ones included (never the keys themselves)",
        response: { 200: listOf(apiKeySummarySchema), ...authedErrors },
      },
    },
    async (request) => {
      await requireKeyPermission(request, deps, 'keys:manage');
      return { data: await listApiKeys(db, request.workspaceId) };
    },
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key; the answer holds the key, shown only here',
        description: 'A key can do no more than its creator: scopes beyond your own permissions answer 403.',
        body: keyInput,
        response: { 201: createdKeySchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      await requireKeyPermission(request, deps, 'keys:manage', {
        action: 'api-key.create',
        objectType: 'api-key',
      });
      const caller = await callerOf(request, deps);
      try {
        assertCanGrant(caller.permissions, normalizeScopes(request.body.scopes, 'body.scopes'));
      } catch (error) {
        await audit(request, deps, {
          action: 'api-key.create',
          objectType: 'api-key',
          outcome: 'denied',
          change: { name: request.body.name, scopes: request.body.scopes },
        });
        throw error;
      }
      const created = await issueApiKey(db, {
        workspaceId: request.workspaceId,
        name: request.body.name,
        scopes: request.body.scopes,
        createdBy: caller.userId,
      });
      await audit(request, deps, {
        action: 'api-key.create',
        objectType: 'api-key',
        objectId: created.id,
        change: { name: created.name, prefix: created.prefix, scopes: created.scopes },
      });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key at once; it stays listed as revoked',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent('Revoked'), ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await requireKeyPermission(request, deps, 'keys:manage', {
        action: 'api-key.revoke',
        objectType: 'api-key',
        objectId: request.params.id,
      });
      const revoked = await revokeApiKey(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'api-key.revoke',
        objectType: 'api-key',
        objectId: revoked.id,
        change: { name: revoked.name, prefix: revoked.prefix, scopes: revoked.scopes },
      });
      return reply.code(204).send();
    },
  );
};
