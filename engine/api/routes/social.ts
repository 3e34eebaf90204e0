import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { socialPublishers } from '../../../connectors';
import {
  createSocialAccount,
  deleteSocialAccount,
  listSocialAccounts,
  listSocialPosts,
  publishInput,
  socialAccountInput,
} from '../../content/social';
import { cancelPublication, publishContentItem } from '../../content/social-schedule';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import { socialAccountSchema, socialPostSchema, socialPostViewSchema } from '../schemas/content';

const tags = ['social'];
const idParams = z.object({ id: z.uuid() });

const providerSchema = z.object({
  id: z.string(),
  title: z.string(),
  settingsSchema: z.record(z.string(), z.unknown()),
  credentialsSchema: z.record(z.string(), z.unknown()),
  engagement: z.boolean().describe('Whether likes, shares and comments are fetched back'),
});

/** Social accounts per workspace and publishing content items to them, at once or on a schedule. */
export const socialRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; publicUrl: string }> = async (
  app,
  { deps, publicUrl },
) => {
  app.get(
    '/social/accounts',
    {
      schema: {
        tags,
        summary: 'Connected social accounts (credentials never shown) and the networks on offer',
        response: {
          200: listOf(socialAccountSchema).extend({ providers: z.array(providerSchema) }),
          ...authedErrors,
        },
      },
    },
    async (request) => ({
      data: await listSocialAccounts(deps.db, request.workspaceId),
      providers: socialPublishers.map((p) => ({
        id: p.id,
        title: p.title,
        settingsSchema: z.toJSONSchema(p.settingsSchema, { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >,
        credentialsSchema: z.toJSONSchema(p.credentialsSchema, {
          io: 'input',
          unrepresentable: 'any',
        }) as Record<string, unknown>,
        engagement: typeof p.engagement === 'function',
      })),
    }),
  );

  app.post(
    '/social/accounts',
    {
      schema: {
        tags,
        summary: 'Connect a social account (X, Facebook Page or a webhook)',
        body: socialAccountInput,
        response: { 201: socialAccountSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      const account = await createSocialAccount(deps.db, deps.secretBox, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'social_account.create',
        objectType: 'social_account',
        objectId: account.id,
        change: { provider: account.provider, name: account.name, settings: account.settings },
      });
      return reply.code(201).send(account);
    },
  );

  app.delete(
    '/social/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Disconnect a social account (its posts go with it)',
        params: idParams,
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteSocialAccount(deps.db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'social_account.delete',
        objectType: 'social_account',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/content/:id/publish',
    {
      schema: {
        tags,
        summary: 'Post a published item to social accounts, at once or at a time (a Temporal Schedule)',
        params: idParams,
        body: publishInput,
        response: { 201: listOf(socialPostSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      const posts = await publishContentItem(
        deps.db,
        { client: deps.temporal, taskQueue: deps.taskQueue },
        request.workspaceId,
        request.params.id,
        request.body,
        publicUrl,
      );
      await audit(request, deps, {
        action: 'content.publish',
        objectType: 'content',
        objectId: request.params.id,
        change: { accounts: request.body.accountIds, at: request.body.at ?? 'now' },
      });
      return reply.code(201).send({ data: posts });
    },
  );

  app.get(
    '/social/posts',
    {
      schema: {
        tags,
        summary: 'Social posts, newest first, with status, link and engagement',
        querystring: z.object({ itemId: z.uuid().optional() }),
        response: { 200: listOf(socialPostViewSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listSocialPosts(deps.db, request.workspaceId, request.query.itemId) }),
  );

  app.post(
    '/social/posts/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a scheduled post',
        params: idParams,
        response: { 200: socialPostSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const post = await cancelPublication(deps.db, deps.temporal, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'social_post.cancel',
        objectType: 'social_post',
        objectId: post.id,
      });
      return post;
    },
  );
};
