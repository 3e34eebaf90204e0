import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Channel } from '../../../connectors';
import { pushRecipient } from '../../content/devices';
import type { ChannelDeps } from '../../messaging/channels/deps';
import type { MessageLinks } from '../../messaging/links/links';
import { type RenderedMessage, type SendOutcome, sendMessage } from '../../messaging/messages/send-message';
import { loadTemplateAnalytics } from '../../messaging/templates/analytics-scope';
import { contentLookup } from '../../messaging/templates/content-lookup';
import { renderParts } from '../../messaging/templates/render';
import { renderScope } from '../../messaging/templates/scope';
import { findTemplateWithPartials, loadPartials } from '../../messaging/templates/templates';
import {
  defineNode,
  type NodeContext,
  type NodeResult,
  nextPort,
  type PortSpec,
} from '../../sdk/define-node';
import { NodeError } from '../../sdk/node-error';

/**
 * The send nodes. Each one resolves its recipient and content and hands them to
 * `sendMessage`, which applies the policy, renders, calls the connector and keeps the ledger.
 * Built over their dependencies; without them (validation-only registries) execute fails clearly.
 */
const sendPorts: PortSpec[] = [
  nextPort,
  { id: 'skipped', label: 'Skipped by policy', whenUnconnected: 'next' },
  { id: 'error', label: 'Failed', whenUnconnected: 'next' },
];

const policyFields = {
  transactional: z
    .boolean()
    .default(false)
    .describe('Transactional sends ignore subscriptions, quiet hours and caps (never the suppression list)'),
  topic: z.string().min(1).optional().describe('Subscription topic; contacts who opted out are skipped'),
  onCap: z
    .enum(['defer', 'skip'])
    .optional()
    .describe('When the frequency cap is reached: wait for a free slot (default), or skip this send'),
};

/** Where a send node takes its recipient from, when not the contact's own address. */
const recipientField = z
  .object({
    from: z
      .enum(['attribute', 'event'])
      .describe("A contact attribute, or a property of the run's entry event"),
    path: z.string().min(1).describe('Dotted path, e.g. "accountManager.email" or "properties.notify"'),
  })
  .optional()
  .describe(
    "Send to another address (e.g. the account manager's); a missing one skips the send with its reason",
  );

type RecipientSource = z.infer<typeof recipientField>;

function valueAt(source: unknown, path: string): unknown {
  let value = source;
  for (const part of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/** The recipient a send node names: the contact's own address, or one from an attribute or the entry event. */
function recipientOf(ctx: NodeContext, to: RecipientSource, own: string | null): string | null {
  if (!to) return own;
  const value =
    to.from === 'attribute'
      ? valueAt(ctx.contact.attributes, to.path)
      : valueAt(ctx.trigger ?? {}, to.path.startsWith('properties.') ? to.path : `properties.${to.path}`);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The policy's clock: the activity attempt's scheduled time when it is later than the wall
 * clock, so a run on the time-skipping test server is judged at its own (skipped) time.
 */
function sendTime(): number {
  try {
    return Math.max(Date.now(), Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return Date.now();
  }
}

type Content = (links: MessageLinks, ctx: NodeContext) => Promise<RenderedMessage>;

async function send(
  deps: ChannelDeps | undefined,
  ctx: NodeContext,
  channel: Channel,
  recipient: string | null,
  policy: { transactional: boolean; topic?: string; onCap?: 'defer' | 'skip' },
  content: Content,
): Promise<NodeResult> {
  if (!deps) {
    throw NodeError.fatal(
      `${channel} sends need channel dependencies: this registry was built for validation only`,
    );
  }
  const outcome: SendOutcome = await sendMessage(deps, {
    workspaceId: ctx.workspaceId,
    journeyId: ctx.journeyId,
    journeyVersion: ctx.journeyVersion,
    runId: ctx.runId,
    nodeId: ctx.nodeId,
    idempotencyKey: ctx.idempotencyKey,
    contact: ctx.contact,
    channel,
    recipient,
    transactional: policy.transactional,
    topic: policy.topic,
    onCap: policy.onCap ?? 'defer',
    now: sendTime(),
    render: (links) => content(links, ctx),
  });
  if (outcome.result === 'deferred')
    return { deferUntil: outcome.until, output: { messageId: outcome.messageId, reason: outcome.reason } };
  if (outcome.result === 'skipped') {
    return {
      port: 'skipped',
      output: { messageId: outcome.messageId, status: 'suppressed', reason: outcome.reason },
    };
  }
  return {
    output: {
      messageId: outcome.messageId,
      status: outcome.status,
      provider: outcome.provider,
      providerId: outcome.providerId,
    },
  };
}

/** Names through which a message reads the analytics results (`renderScope`, the `bought_with` filter). */
const READS_ANALYTICS = /\b(rfm|clv|cluster|recommendations|bought_together|bought_with)\b/;

/**
 * The scope and the workspace's layouts and snippets a send renders with. The analytics results
 * (two queries, one over the contact's purchases) are read only when the message's Liquid
 * (`sources`) or a layout or snippet names them, or when `analytics` asks for them anyway.
 */
async function renderContext(
  deps: ChannelDeps,
  ctx: NodeContext,
  links: MessageLinks,
  sources: (string | null | undefined)[],
  analytics: 'when-named' | 'always' = 'when-named',
  /** The workspace's layouts and snippets, when already read with the template. */
  known?: Record<string, string>,
) {
  const partials = known ?? (await loadPartials(deps.db, ctx.workspaceId));
  const readsAnalytics =
    analytics === 'always' ||
    [...sources, ...Object.values(partials)].some((s) => !!s && READS_ANALYTICS.test(s));
  const scope = renderScope({
    contact: ctx.contact,
    trigger: ctx.trigger,
    journey: { id: ctx.journeyId, version: ctx.journeyVersion },
    steps: ctx.steps,
    links,
    analytics: readsAnalytics
      ? await loadTemplateAnalytics(deps.db, ctx.workspaceId, ctx.contact.id)
      : undefined,
    content: contentLookup(deps.db, ctx.workspaceId, deps.publicUrl),
  });
  return { scope, partials };
}

/** Renders inline Liquid fields (SMS text, push title, ...) with the workspace's snippets. */
async function renderInline(
  deps: ChannelDeps,
  ctx: NodeContext,
  links: MessageLinks,
  parts: { subject?: string; text?: string },
) {
  const { scope, partials } = await renderContext(deps, ctx, links, [parts.subject, parts.text]);
  return renderParts(parts, scope, { partials });
}

/** The contact's web push subscription and app installations (device tokens). */
async function pushRecipientOf(deps: ChannelDeps | undefined, ctx: NodeContext): Promise<string | null> {
  if (!deps) return pushSubscription(ctx.contact.attributes);
  return pushRecipient(deps.db, ctx.workspaceId, ctx.contact.id, ctx.contact.attributes);
}

function pushSubscription(attributes: Record<string, unknown>): string | null {
  const value = attributes.pushSubscription;
  if (!value) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function createSendNodes(deps?: ChannelDeps) {
  const emailSend = defineNode({
    type: 'email.send',
    version: 1,
    kind: 'action',
    title: 'Send email',
    category: 'Messages',
    config: z.object({
      template: z.string().min(1).describe('Template name'),
      subject: z.string().optional().describe('Overrides the template subject (Liquid)'),
      to: recipientField,
      ...policyFields,
    }),
    ports: sendPorts,
    summary: (c) => `Email “${c.template}”${c.to ? ` to ${c.to.path}` : ''}`,
    execute: (config, ctx) =>
      send(deps, ctx, 'email', recipientOf(ctx, config.to, ctx.contact.email), config, async (links) => {
        const { template, partials: known } = await findTemplateWithPartials(
          deps!.db,
          ctx.workspaceId,
          config.template,
        );
        if (!template) throw new Error(`template “${config.template}” does not exist`);
        const parts = {
          subject: config.subject ?? template.subject,
          preheader: template.preheader,
          text: template.body,
          html: template.html,
        };
        const { scope, partials } = await renderContext(
          deps!,
          ctx,
          links,
          Object.values(parts),
          'when-named',
          known,
        );
        const rendered = await renderParts(parts, scope, { partials, templateName: template.name });
        return { ...rendered, template: template.name };
      }),
  });

  const smsSend = defineNode({
    type: 'sms.send',
    version: 1,
    kind: 'action',
    title: 'Send SMS',
    category: 'Messages',
    config: z.object({
      text: z.string().min(1).max(1600).describe('Message text (Liquid)'),
      to: recipientField,
      ...policyFields,
    }),
    ports: sendPorts,
    summary: (c) =>
      `SMS “${c.text.slice(0, 24)}${c.text.length > 24 ? '…' : ''}”${c.to ? ` to ${c.to.path}` : ''}`,
    execute: (config, ctx) =>
      send(deps, ctx, 'sms', recipientOf(ctx, config.to, ctx.contact.phone), config, (links) =>
        renderInline(deps!, ctx, links, { text: config.text }),
      ),
  });

  const pushSend = defineNode({
    type: 'push.send',
    version: 1,
    kind: 'action',
    title: 'Send push',
    category: 'Messages',
    config: z.object({
      title: z.string().min(1).describe('Title (Liquid)'),
      body: z.string().min(1).describe('Body (Liquid)'),
      url: z.string().url().optional(),
      ...policyFields,
    }),
    ports: sendPorts,
    summary: (c) => `Push “${c.title}”`,
    execute: async (config, ctx) =>
      send(deps, ctx, 'push', await pushRecipientOf(deps, ctx), config, async (links) => {
        const rendered = await renderInline(deps!, ctx, links, { subject: config.title, text: config.body });
        return { ...rendered, data: { url: config.url } };
      }),
  });

  const webhookCall = defineNode({
    type: 'webhook.call',
    version: 1,
    kind: 'action',
    title: 'Call webhook',
    category: 'Messages',
    config: z.object({
      url: z.string().url(),
      method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
      body: z.string().optional().describe('JSON body (Liquid); contact and event by default'),
      ...policyFields,
      transactional: z
        .boolean()
        .default(true)
        .describe('Integration calls skip subscriptions, quiet hours and caps by default'),
    }),
    ports: sendPorts,
    summary: (c) => `${c.method} ${new URL(c.url).host}`,
    execute: (config, ctx) =>
      send(deps, ctx, 'webhook', config.url, config, async (links) => {
        // The default body is the whole contact, its analytics results included.
        const { scope, partials } = await renderContext(
          deps!,
          ctx,
          links,
          [config.body],
          config.body ? 'when-named' : 'always',
        );
        const text = config.body
          ? (await renderParts({ text: config.body }, scope, { partials })).text!
          : JSON.stringify({ contact: scope.contact, event: scope.event, journey: scope.journey });
        try {
          JSON.parse(text);
        } catch {
          throw new Error('the webhook body did not render to valid JSON (use the `json` filter for values)');
        }
        return { text, data: { method: config.method } };
      }),
  });

  const slackPost = defineNode({
    type: 'slack.post',
    version: 1,
    kind: 'action',
    title: 'Post to Slack',
    category: 'Messages',
    config: z.object({
      text: z.string().min(1).describe('Message text (Liquid)'),
      ...policyFields,
      transactional: z
        .boolean()
        .default(true)
        .describe('Integration calls skip subscriptions, quiet hours and caps by default'),
    }),
    ports: sendPorts,
    summary: (c) => `Slack “${c.text.slice(0, 24)}”`,
    // A Slack post goes to the workspace's own channel, not to the contact.
    execute: (config, ctx) =>
      send(deps, ctx, 'slack', 'slack-webhook', config, (links) =>
        renderInline(deps!, ctx, links, { text: config.text }),
      ),
  });

  const wechatSend = defineNode({
    type: 'wechat.send',
    version: 1,
    kind: 'action',
    title: 'Send WeChat template message',
    category: 'Messages',
    config: z.object({
      templateId: z.string().min(1).describe('WeChat template id'),
      data: z.record(z.string(), z.string()).default({}).describe('Template fields (Liquid values)'),
      url: z.string().url().optional(),
      ...policyFields,
    }),
    ports: sendPorts,
    summary: (c) => `WeChat ${c.templateId}`,
    execute: (config, ctx) => {
      const openId = ctx.contact.attributes.wechatOpenId;
      return send(deps, ctx, 'wechat', typeof openId === 'string' ? openId : null, config, async (links) => {
        const { scope, partials } = await renderContext(deps!, ctx, links, Object.values(config.data));
        const fields: Record<string, string> = {};
        for (const [key, source] of Object.entries(config.data)) {
          fields[key] = (await renderParts({ text: source }, scope, { partials })).text ?? '';
        }
        return {
          text: JSON.stringify(fields),
          data: { templateId: config.templateId, url: config.url, fields },
        };
      });
    },
  });

  return { emailSend, smsSend, pushSend, webhookCall, slackPost, wechatSend };
}
