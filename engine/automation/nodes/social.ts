import { z } from 'zod';
import { ConnectorError } from '../../../connectors';
import { publishStepPost } from '../../content/social';
import { DomainError } from '../../errors';
import type { ChannelDeps } from '../../messaging/channels/deps';
import { contentLookup } from '../../messaging/templates/content-lookup';
import { renderParts } from '../../messaging/templates/render';
import { renderScope } from '../../messaging/templates/scope';
import { loadPartials } from '../../messaging/templates/templates';
import { defineNode, nextPort } from '../../sdk/define-node';
import { NodeError } from '../../sdk/node-error';

/**
 * `social.publish`: posts a content item or a text (Liquid, with the run's contact and event)
 * to a connected social account. One post per step visit: the idempotency key of the visit is
 * kept on the post, so a retried activity or a replayed run never posts twice.
 */
export function createSocialNodes(deps?: ChannelDeps) {
  const socialPublish = defineNode({
    type: 'social.publish',
    version: 1,
    kind: 'action',
    title: 'Publish to social',
    category: 'Messages',
    description: 'Posts a content item or a text to a connected X, Facebook Page or webhook account',
    config: z
      .object({
        socialAccountId: z.uuid().describe('The connected social account (Content › Social accounts)'),
        contentItemId: z
          .uuid()
          .optional()
          .describe(
            "A published content item: its title and link are the post's text unless a text is given",
          ),
        text: z
          .string()
          .max(5000)
          .optional()
          .describe(
            'The post (Liquid: contact, event, content filters); the item’s title and link by default',
          ),
        campaignId: z.uuid().optional().describe('The campaign the post serves; its page lists it'),
      })
      .refine((c) => c.contentItemId || c.text?.trim(), {
        message: 'give a content item or a text',
        path: ['text'],
      }),
    ports: [nextPort, { id: 'error', label: 'Failed', whenUnconnected: 'next' }],
    summary: (c) =>
      c.text ? `Post “${c.text.slice(0, 24)}${c.text.length > 24 ? '…' : ''}”` : 'Post a content item',
    async execute(config, ctx) {
      if (!deps) {
        throw NodeError.fatal(
          'social posts need channel dependencies: this registry was built for validation only',
        );
      }
      let text: string | undefined;
      try {
        if (config.text?.trim()) {
          const scope = renderScope({
            contact: ctx.contact,
            trigger: ctx.trigger,
            journey: { id: ctx.journeyId, version: ctx.journeyVersion },
            steps: ctx.steps,
            content: contentLookup(deps.db, ctx.workspaceId, deps.publicUrl),
          });
          const rendered = await renderParts({ text: config.text }, scope, {
            partials: await loadPartials(deps.db, ctx.workspaceId),
          });
          text = rendered.text;
        }
        const post = await publishStepPost(
          deps.db,
          deps.box,
          {
            workspaceId: ctx.workspaceId,
            accountId: config.socialAccountId,
            itemId: config.contentItemId,
            text,
            journeyId: ctx.journeyId,
            campaignId: config.campaignId,
            idempotencyKey: ctx.idempotencyKey,
          },
          deps.publicUrl,
        );
        const output = { postId: post.id, status: post.status, url: post.url, error: post.error };
        return post.status === 'failed' ? { port: 'error', output } : { output };
      } catch (error) {
        if (error instanceof ConnectorError && error.retryable) throw NodeError.retryable(error.message);
        if (error instanceof ConnectorError || error instanceof DomainError) {
          throw NodeError.fatal(error.message, { field: (error as DomainError).field });
        }
        throw error;
      }
    },
  });
  return { socialPublish };
}
