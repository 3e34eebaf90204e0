import { z } from 'zod';
import { parseJson, request } from './http';
import { defineSocialPublisher } from './social';
import { signStandardWebhook } from './webhook';

const settings = z.object({
  url: z.url().describe('Receives each post as signed JSON (Standard Webhooks)'),
});

const credentials = z.object({
  signingSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>')
    .describe('Standard Webhooks signing secret'),
});

/**
 * Any other network, through a service of your own: each post is POSTed as signed JSON; an
 * answer `{ "id": ..., "url": ... }` becomes the post's id and link.
 */
export const webhookPublisher = defineSocialPublisher({
  id: 'webhook',
  title: 'Webhook (any network)',
  settingsSchema: settings,
  credentialsSchema: credentials,
  async publish(post, ctx) {
    const body = JSON.stringify({
      type: 'social.post',
      postId: post.postId,
      text: post.text,
      link: post.link,
      imageUrl: post.imageUrl,
    });
    const id = `post_${post.postId}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const answer = await request('Webhook', ctx.settings.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(ctx.credentials.signingSecret, id, timestamp, body),
      },
      body,
    });
    let parsed: Record<string, unknown> = {};
    try {
      parsed = answer.text ? parseJson('Webhook', answer.text) : {};
    } catch {
      parsed = {};
    }
    return {
      externalId: typeof parsed.id === 'string' ? parsed.id : id,
      url: typeof parsed.url === 'string' && /^https?:\/\//.test(parsed.url) ? parsed.url : null,
    };
  },
});
