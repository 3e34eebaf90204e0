import { z } from 'zod';
import { ConnectorError } from './connector';
import { parseJson, request } from './http';
import { defineSocialPublisher } from './social';

const settings = z.object({
  pageId: z.string().regex(/^\d+$/, 'must be the numeric page id').describe('The Facebook Page to post to'),
  graphUrl: z.url().default('https://graph.facebook.com').describe('Graph API base URL'),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
});

const credentials = z.object({
  pageAccessToken: z.string().min(1).describe('A Page access token with pages_manage_posts'),
});

/** Facebook Page posts through the Graph API (`/{page-id}/feed`), engagement from the post's fields. */
export const facebookPublisher = defineSocialPublisher({
  id: 'facebook',
  title: 'Facebook Page',
  settingsSchema: settings,
  credentialsSchema: credentials,
  async publish(post, ctx) {
    const base = `${ctx.settings.graphUrl.replace(/\/$/, '')}/${ctx.settings.apiVersion}`;
    const form = new URLSearchParams({ message: post.text, access_token: ctx.credentials.pageAccessToken });
    if (post.link) form.set('link', post.link);
    const answer = await request('Facebook', `${base}/${ctx.settings.pageId}/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const id = parseJson('Facebook', answer.text).id;
    if (typeof id !== 'string') throw new ConnectorError('Facebook answered without a post id', false);
    return { externalId: id, url: `https://www.facebook.com/${id}` };
  },
  async engagement(externalId, ctx) {
    const base = `${ctx.settings.graphUrl.replace(/\/$/, '')}/${ctx.settings.apiVersion}`;
    const query = new URLSearchParams({
      fields: 'shares,likes.summary(true).limit(0),comments.summary(true).limit(0)',
      access_token: ctx.credentials.pageAccessToken,
    });
    const answer = await request('Facebook', `${base}/${encodeURIComponent(externalId)}?${query}`, {
      method: 'GET',
    });
    const body = parseJson('Facebook', answer.text) as {
      shares?: { count?: number };
      likes?: { summary?: { total_count?: number } };
      comments?: { summary?: { total_count?: number } };
    };
    return {
      likes: body.likes?.summary?.total_count ?? 0,
      shares: body.shares?.count ?? 0,
      comments: body.comments?.summary?.total_count ?? 0,
    };
  },
});
