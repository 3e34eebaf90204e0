import { z } from 'zod';
import { defineNode, type NodeContext, nextPort, type PortSpec } from '../sdk/define-node';

/**
 * Send nodes. Until the channel connectors land, every send is captured in the message ledger
 * with provider `dev-outbox` and status `captured`: nothing leaves the machine.
 */
const sendPorts: PortSpec[] = [
  nextPort,
  { id: 'skipped', label: 'Skipped by policy', whenUnconnected: 'next' },
  { id: 'error', label: 'Failed', whenUnconnected: 'next' },
];

const transactional = z
  .boolean()
  .default(false)
  .describe('Transactional sends ignore marketing subscriptions (never hard-bounce suppression)');

async function capture(
  ctx: NodeContext,
  channel: string,
  recipient: string | null,
  message: { subject?: string; body: string; payload?: Record<string, unknown>; transactional?: boolean },
) {
  const row = await ctx.recordMessage({
    channel,
    status: 'captured',
    provider: 'dev-outbox',
    reason: 'captured locally: no provider connector is configured',
    recipient,
    subject: message.subject ?? null,
    body: message.body,
    payload: message.payload,
    transactional: message.transactional,
  });
  return { output: { messageId: row.id, status: row.status } };
}

export const emailSend = defineNode({
  type: 'email.send',
  version: 1,
  kind: 'action',
  title: 'Send email',
  category: 'Messages',
  config: z.object({
    template: z.string().min(1).describe('Template name'),
    subject: z.string().optional().describe('Overrides the template subject'),
    transactional,
  }),
  ports: sendPorts,
  summary: (c) => `Email “${c.template}”`,
  execute: (config, ctx) =>
    capture(ctx, 'email', ctx.contact.email, {
      subject: config.subject ?? config.template,
      body: `template ${config.template}`,
      payload: { template: config.template },
      transactional: config.transactional,
    }),
});

export const smsSend = defineNode({
  type: 'sms.send',
  version: 1,
  kind: 'action',
  title: 'Send SMS',
  category: 'Messages',
  config: z.object({
    text: z.string().min(1).max(1600).describe('Message text (Liquid)'),
    transactional,
  }),
  ports: sendPorts,
  summary: (c) => `SMS “${c.text.slice(0, 24)}${c.text.length > 24 ? '…' : ''}”`,
  execute: (config, ctx) =>
    capture(ctx, 'sms', ctx.contact.phone, { body: config.text, transactional: config.transactional }),
});

export const pushSend = defineNode({
  type: 'push.send',
  version: 1,
  kind: 'action',
  title: 'Send push',
  category: 'Messages',
  config: z.object({
    title: z.string().min(1),
    body: z.string().min(1),
    url: z.string().url().optional(),
  }),
  ports: sendPorts,
  summary: (c) => `Push “${c.title}”`,
  execute: (config, ctx) =>
    capture(ctx, 'push', ctx.contact.id, {
      subject: config.title,
      body: config.body,
      payload: { url: config.url },
    }),
});

export const webhookCall = defineNode({
  type: 'webhook.call',
  version: 1,
  kind: 'action',
  title: 'Call webhook',
  category: 'Messages',
  config: z.object({
    url: z.string().url(),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    body: z.string().optional().describe('JSON body (Liquid); contact and event by default'),
  }),
  ports: sendPorts,
  summary: (c) => `${c.method} ${new URL(c.url).host}`,
  execute: (config, ctx) =>
    capture(ctx, 'webhook', config.url, { body: config.body ?? '', payload: { method: config.method } }),
});

export const slackPost = defineNode({
  type: 'slack.post',
  version: 1,
  kind: 'action',
  title: 'Post to Slack',
  category: 'Messages',
  config: z.object({ text: z.string().min(1).describe('Message text (Liquid)') }),
  ports: sendPorts,
  summary: (c) => `Slack “${c.text.slice(0, 24)}”`,
  execute: (config, ctx) => capture(ctx, 'slack', null, { body: config.text }),
});

export const wechatSend = defineNode({
  type: 'wechat.send',
  version: 1,
  kind: 'action',
  title: 'Send WeChat template message',
  category: 'Messages',
  config: z.object({
    templateId: z.string().min(1).describe('WeChat template id'),
    data: z.record(z.string(), z.string()).default({}).describe('Template fields (Liquid values)'),
    url: z.string().url().optional(),
  }),
  ports: sendPorts,
  summary: (c) => `WeChat ${c.templateId}`,
  execute: (config, ctx) =>
    capture(ctx, 'wechat', (ctx.contact.attributes.wechatOpenId as string | undefined) ?? null, {
      body: JSON.stringify(config.data),
      payload: { templateId: config.templateId, url: config.url },
    }),
});
