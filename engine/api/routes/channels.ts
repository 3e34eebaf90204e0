import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { channels, connectors } from '../../../connectors';
import { NotFound } from '../../errors';
import {
  type ChannelSettingsView,
  channelSettingsInput,
  deleteChannelSettings,
  listChannelSettings,
  saveChannelSettings,
} from '../../messaging/channels/channel-settings';
import type { ChannelDeps } from '../../messaging/channels/deps';
import { channelCheckMessage, sendTestMessage } from '../../messaging/channels/test-send';
import { listMessages } from '../../messaging/messages/message-list';
import { listSuppressions, suppress, unsuppress } from '../../messaging/policy/suppression';
import { deleteTopic, listTopics, saveTopic, topicInput } from '../../messaging/policy/topics';
import { bounceIntakeUrl } from '../../messaging/tracking/bounces';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import {
  channelSettingsSchema,
  channelsAnswerSchema,
  messageSchema,
  topicSchema,
} from '../schemas/messaging';
import { suppressionSchema, testSendSchema } from '../schemas/templates';

const channelParams = z.object({ channel: z.enum(channels) });

/** Channel providers and policy, topics, the suppression list and the message ledger. */
export const channelRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; channels: ChannelDeps }> = async (
  app,
  { deps, channels: channelDeps },
) => {
  const { db } = deps;
  const { box } = channelDeps;
  const settingsOf = async (workspaceId: string, channel: string) =>
    (await listChannelSettings(db, box, workspaceId)).find((view) => view.channel === channel);

  app.get(
    '/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'Providers and policy per channel (secrets never shown)',
        response: { 200: channelsAnswerSchema, ...authedErrors },
      },
    },
    async (request) => ({
      data: await listChannelSettings(db, box, request.workspaceId),
      providers: connectors.map((c) => ({
        id: c.id,
        channel: c.channel,
        title: c.title,
        secretFields: c.secretFields,
        configSchema: z.toJSONSchema(c.configSchema, { io: 'input', unrepresentable: 'any' }),
      })),
    }),
  );

  app.put(
    '/channels/:channel',
    {
      schema: {
        tags: ['channels'],
        summary: 'Set the provider and policy of a channel',
        params: channelParams,
        body: channelSettingsInput,
        response: { 200: channelSettingsSchema, ...authedErrors },
      },
    },
    async (request) => {
      const before = await settingsOf(request.workspaceId, request.params.channel);
      const after = await saveChannelSettings(
        db,
        box,
        request.workspaceId,
        request.params.channel,
        request.body,
      );
      const secretFields = connectors.find((c) => c.id === request.body.provider)?.secretFields ?? [];
      const secretsChanged = [
        ...new Set([
          ...Object.keys(request.body.config ?? {}).filter((key) => secretFields.includes(key)),
          ...(before?.secretsSet ?? []).filter((key) => !after.secretsSet.includes(key)),
        ]),
      ];
      await audit(request, deps, {
        action: 'channel.update',
        objectType: 'channel',
        objectId: request.params.channel,
        change: { before: auditedSettings(before), after: auditedSettings(after), secretsChanged },
      });
      return after;
    },
  );

  app.delete(
    '/channels/:channel',
    {
      schema: {
        tags: ['channels'],
        summary: 'Remove a channel provider (back to the dev outbox)',
        params: channelParams,
        response: { 204: noContent('Removed'), ...authedErrors },
      },
    },
    async (request, reply) => {
      const before = await settingsOf(request.workspaceId, request.params.channel);
      await deleteChannelSettings(db, request.workspaceId, request.params.channel);
      await audit(request, deps, {
        action: 'channel.delete',
        objectType: 'channel',
        objectId: request.params.channel,
        change: { before: auditedSettings(before), after: null },
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/channels/:channel/test',
    {
      schema: {
        tags: ['channels'],
        summary: "Send a short check message to an address through the channel's provider",
        params: channelParams,
        body: z.object({ to: z.string().trim().min(1).max(2000).describe('Address on this channel') }),
        response: { 200: testSendSchema, ...authedErrors, ...errors(422) },
      },
    },
    async (request) => {
      const outcome = await sendTestMessage(
        channelDeps,
        request.workspaceId,
        request.params.channel,
        request.body.to,
        channelCheckMessage(request.params.channel),
      );
      await audit(request, deps, {
        action: 'channel.test-send',
        objectType: 'channel',
        objectId: request.params.channel,
        change: { provider: outcome.provider },
      });
      return outcome;
    },
  );

  app.get(
    '/channels/email/bounce-url',
    {
      schema: {
        tags: ['channels'],
        summary: "The workspace's secret URL for email bounce and complaint notifications",
        response: { 200: z.object({ url: z.string() }), ...authedErrors },
      },
    },
    async (request) => ({ url: bounceIntakeUrl(channelDeps, request.workspaceId) }),
  );

  app.get(
    '/topics',
    {
      schema: {
        tags: ['channels'],
        summary: 'Subscription topics',
        response: { 200: listOf(topicSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: await listTopics(db, request.workspaceId),
    }),
  );

  app.put(
    '/topics',
    {
      schema: {
        tags: ['channels'],
        summary: 'Create or replace a topic',
        body: topicInput,
        response: { 200: topicSchema, ...authedErrors },
      },
    },
    async (request) => saveTopic(db, request.workspaceId, request.body),
  );

  app.delete(
    '/topics/:name',
    {
      schema: {
        tags: ['channels'],
        summary: 'Delete a topic (contacts keep their recorded choice)',
        params: z.object({ name: z.string().min(1).max(200) }),
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      if (!(await deleteTopic(db, request.workspaceId, request.params.name))) {
        throw new NotFound('Topic', request.params.name);
      }
      await audit(request, deps, {
        action: 'topic.delete',
        objectType: 'topic',
        objectId: request.params.name,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/suppressions',
    {
      schema: {
        tags: ['channels'],
        summary: 'The suppression list, newest first',
        querystring: z.object({
          channel: z.enum(channels).optional(),
          search: z.string().trim().max(200).optional().describe('Part of the address'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: listOf(suppressionSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listSuppressions(db, request.workspaceId, request.query) }),
  );

  const suppressionBody = z.object({
    channel: z.enum(channels),
    address: z.string().min(1).max(500),
    reason: z.enum(['hard-bounce', 'complaint', 'manual', 'unsubscribed']).default('manual'),
  });

  app.put(
    '/suppressions',
    {
      schema: {
        tags: ['channels'],
        summary: 'Add an address to the suppression list',
        body: suppressionBody,
        response: { 204: noContent('Suppressed'), ...authedErrors },
      },
    },
    async (request, reply) => {
      const { channel, address, reason } = request.body;
      await suppress(db, request.workspaceId, channel, address, reason);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/suppressions/:channel/:address',
    {
      schema: {
        tags: ['channels'],
        summary: 'Remove an address from the suppression list',
        params: channelParams.extend({ address: z.string().min(1) }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      if (!(await unsuppress(db, request.workspaceId, request.params.channel, request.params.address))) {
        throw new NotFound('Suppression', request.params.address);
      }
      await audit(request, deps, {
        action: 'suppression.delete',
        objectType: 'suppression',
        objectId: `${request.params.channel}:${request.params.address}`,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The message ledger: every send with its status and reason',
        querystring: z.object({
          contactId: z.uuid().optional(),
          journeyId: z.uuid().optional(),
          status: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: listOf(messageSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listMessages(db, request.workspaceId, request.query) }),
  );
};

/** What the audit log keeps of a channel's settings: everything but secret values (their names only). */
function auditedSettings(view: ChannelSettingsView | undefined) {
  return view
    ? { provider: view.provider, config: view.config, policy: view.policy, secretsSet: view.secretsSet }
    : null;
}
