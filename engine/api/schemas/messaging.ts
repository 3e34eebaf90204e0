import { z } from 'zod';
import { channels } from '../../../connectors';
import { messages, templates, topics } from '../../../db/schema';
import type { listSecrets } from '../../identity/workspace-secrets';
import { type ChannelSettingsView, channelPolicySchema } from '../../messaging/channels/channel-settings';
import type { devOutbox } from '../../messaging/messages/dev-outbox';
import type { listMessages } from '../../messaging/messages/message-list';
import type { listTopics } from '../../messaging/policy/topics';
import type { RenderedParts } from '../../messaging/templates/render';
import type { recordBounce } from '../../messaging/tracking/bounces';
import { describes, type Json, rowSchema } from './common';

export const templateSchema = rowSchema(templates).meta({ id: 'Template' });

export const renderedSchema = describes<RenderedParts>()(
  z
    .object({
      subject: z.string().optional(),
      preheader: z.string().optional(),
      text: z.string().optional(),
      html: z.string().optional(),
    })
    .meta({ id: 'RenderedTemplate' }),
);

export const channelSettingsSchema = describes<ChannelSettingsView>()(
  z
    .object({
      channel: z.string(),
      provider: z.string().nullable().describe('null: the dev outbox'),
      config: z.record(z.string(), z.unknown()),
      secretsSet: z.array(z.string()).describe('Names of the secret fields that are set; never their values'),
      policy: channelPolicySchema,
      updatedAt: z.date(),
    })
    .meta({ id: 'ChannelSettings' }),
);

export const channelsAnswerSchema = z
  .object({
    data: z.array(channelSettingsSchema),
    providers: z.array(
      z.object({
        id: z.string(),
        channel: z.enum(channels),
        title: z.string(),
        secretFields: z.array(z.string()),
        configSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the provider config'),
      }),
    ),
  })
  .meta({ id: 'ChannelsAndProviders' });

export const topicSchema = describes<Awaited<ReturnType<typeof listTopics>>[number]>()(
  rowSchema(topics).meta({ id: 'Topic' }),
);

const messageRow = rowSchema(messages);

/** A ledger entry: the send with its status and the reason it was or was not sent. */
export const messageSchema = describes<Awaited<ReturnType<typeof listMessages>>[number]>()(
  messageRow
    .pick({
      id: true,
      channel: true,
      status: true,
      reason: true,
      provider: true,
      providerId: true,
      recipient: true,
      subject: true,
      contactId: true,
      journeyId: true,
      nodeId: true,
      transactional: true,
      createdAt: true,
      updatedAt: true,
    })
    .meta({ id: 'Message' }),
);

export const outboxMessageSchema = describes<Awaited<ReturnType<typeof devOutbox>>[number]>()(
  messageRow
    .pick({
      id: true,
      channel: true,
      status: true,
      recipient: true,
      subject: true,
      contactId: true,
      journeyId: true,
      nodeId: true,
      createdAt: true,
    })
    .extend({
      text: z.string().nullable(),
      html: z.string().nullable(),
      headers: z.record(z.string(), z.string()),
    })
    .meta({ id: 'OutboxMessage' }),
);

export const bounceOutcomeSchema = describes<Awaited<ReturnType<typeof recordBounce>>>()(
  z
    .object({
      suppressed: z.string().nullable().describe('The address now suppressed, if any'),
      messageId: z.string().nullable(),
      contacts: z.number(),
    })
    .meta({ id: 'BounceOutcome' }),
);

export const secretInfoSchema = describes<Awaited<ReturnType<typeof listSecrets>>[number]>()(
  z
    .object({
      name: z.string(),
      createdAt: z.date(),
      updatedAt: z.date(),
    })
    .meta({ id: 'Secret' }),
);

/** The answers as the builder receives them (JSON: dates are ISO strings). */
export type Template = Json<z.output<typeof templateSchema>>;
export type Message = Json<z.output<typeof messageSchema>>;
export type OutboxMessage = Json<z.output<typeof outboxMessageSchema>>;
export type ChannelSettings = Json<z.output<typeof channelSettingsSchema>>;
export type Topic = Json<z.output<typeof topicSchema>>;
