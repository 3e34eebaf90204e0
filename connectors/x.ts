import { z } from 'zod';
import { ConnectorError } from './connector';
import { parseJson, request } from './http';
import { oauth1Header } from './oauth1';
import { defineSocialPublisher } from './social';

const settings = z.object({
  username: z
    .string()
    .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'must be the account handle, e.g. @acme')
    .transform((value) => value.replace(/^@/, ''))
    .describe('The account handle, for post links'),
  apiUrl: z.url().default('https://api.x.com').describe('X API base URL'),
});

const credentials = z.object({
  consumerKey: z.string().min(1).describe('API key of the X app'),
  consumerSecret: z.string().min(1).describe('API key secret'),
  accessToken: z.string().min(1).describe('Access token of the account (user context)'),
  accessTokenSecret: z.string().min(1),
});

/** X (Twitter) API v2: create a post with OAuth 1.0a user-context signing; public metrics back. */
export const xPublisher = defineSocialPublisher({
  id: 'x',
  title: 'X (Twitter)',
  settingsSchema: settings,
  credentialsSchema: credentials,
  async publish(post, ctx) {
    const url = `${ctx.settings.apiUrl.replace(/\/$/, '')}/2/tweets`;
    const text = post.link ? `${post.text} ${post.link}` : post.text;
    if ([...text].length > 280) throw new ConnectorError('X: a post holds at most 280 characters', false);
    const answer = await request('X', url, {
      method: 'POST',
      headers: {
        authorization: oauth1Header('POST', url, ctx.credentials),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ text }),
    });
    const id = (parseJson('X', answer.text).data as { id?: string } | undefined)?.id;
    if (!id) throw new ConnectorError('X answered without a post id', false);
    return { externalId: id, url: `https://x.com/${ctx.settings.username}/status/${id}` };
  },
  async engagement(externalId, ctx) {
    const url = `${ctx.settings.apiUrl.replace(/\/$/, '')}/2/tweets/${encodeURIComponent(externalId)}?tweet.fields=public_metrics`;
    const answer = await request('X', url, {
      method: 'GET',
      headers: { authorization: oauth1Header('GET', url, ctx.credentials) },
    });
    const metrics = (
      parseJson('X', answer.text).data as { public_metrics?: Record<string, number> } | undefined
    )?.public_metrics;
    if (!metrics) throw new ConnectorError('X answered without public_metrics', true);
    return {
      likes: metrics.like_count ?? 0,
      shares: (metrics.retweet_count ?? 0) + (metrics.quote_count ?? 0),
      comments: metrics.reply_count ?? 0,
    };
  },
});
