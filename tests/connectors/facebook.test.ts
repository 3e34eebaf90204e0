import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facebookPublisher } from '../../connectors/facebook';
import { json, startHttpPeer } from './peers';

/** A local Graph API: `POST /v21.0/{page-id}/feed` and the post's fields, checking the Page token. */
async function graphPeer() {
  const posts = new Map<string, URLSearchParams>();
  const peer = await startHttpPeer((request, response) => {
    const url = new URL(request.path, 'http://graph.local');
    const form = request.method === 'POST' ? new URLSearchParams(request.body) : url.searchParams;
    if (form.get('access_token') !== 'EAAG-page-token')
      return json(response, 400, {
        error: {
          message: 'Invalid OAuth access token - Cannot parse access token',
          type: 'OAuthException',
          code: 190,
        },
      });
    if (request.method === 'POST' && url.pathname === '/v21.0/104857600/feed') {
      if (!form.get('message'))
        return json(response, 400, { error: { message: 'message required', code: 100 } });
      const id = `104857600_${posts.size + 1000}`;
      posts.set(id, form);
      return json(response, 200, { id });
    }
    const id = url.pathname.replace('/v21.0/', '');
    if (request.method === 'GET' && posts.has(id)) {
      if (
        url.searchParams.get('fields') !==
        'shares,likes.summary(true).limit(0),comments.summary(true).limit(0)'
      )
        return json(response, 400, { error: { message: 'bad fields' } });
      return json(response, 200, {
        id,
        shares: { count: 6 },
        likes: { data: [], summary: { total_count: 42, can_like: true, has_liked: false } },
        comments: { data: [], summary: { order: 'ranked', total_count: 9, can_comment: true } },
      });
    }
    json(response, 404, { error: { message: 'Unsupported get request', code: 100 } });
  });
  return { ...peer, posts };
}

describe('Facebook Page publisher (local Graph API peer)', () => {
  let graph: Awaited<ReturnType<typeof graphPeer>>;
  beforeAll(async () => {
    graph = await graphPeer();
  });
  afterAll(() => graph?.close());

  const ctx = (token = 'EAAG-page-token') => ({
    settings: facebookPublisher.settingsSchema.parse({ pageId: '104857600', graphUrl: graph.url }),
    credentials: { pageAccessToken: token },
  });

  it('posts to the Page feed and reads likes, shares and comments back', async () => {
    const published = await facebookPublisher.publish(
      { postId: 'p1', text: 'New arrivals', link: 'https://shop.test/new' },
      ctx(),
    );
    expect(published).toEqual({
      externalId: '104857600_1000',
      url: 'https://www.facebook.com/104857600_1000',
    });
    const form = graph.posts.get('104857600_1000')!;
    expect([form.get('message'), form.get('link')]).toEqual(['New arrivals', 'https://shop.test/new']);
    expect(await facebookPublisher.engagement!(published.externalId, ctx())).toEqual({
      likes: 42,
      shares: 6,
      comments: 9,
    });
  });

  it("shows Facebook's reason for a rejected token, without retry", async () => {
    await expect(
      facebookPublisher.publish({ postId: 'p2', text: 'x' }, ctx('expired')),
    ).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('Invalid OAuth access token'),
    });
  });
});
