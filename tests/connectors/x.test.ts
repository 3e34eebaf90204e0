import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacSha1Signature, signatureBaseString } from '../../connectors/oauth1';
import { xPublisher } from '../../connectors/x';
import { startXPeer, xCredentials } from './social-peers';

describe('X API v2 publisher (local X peer verifying OAuth 1.0a)', () => {
  let x: Awaited<ReturnType<typeof startXPeer>>;
  beforeAll(async () => {
    x = await startXPeer();
  });
  afterAll(() => x?.close());

  const ctx = () => ({
    settings: xPublisher.settingsSchema.parse({ username: '@acme', apiUrl: x.url }),
    credentials: xCredentials,
  });

  it('signs like the OAuth 1.0a reference example (RFC 5849 / X developer docs)', () => {
    // X's documented example: "Hello Ladies + Gentlemen, a signed OAuth request!" → hCtSmYh+iHYCEqBWrE7C7hYmtUk=
    const base = signatureBaseString(
      'POST',
      'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
      {
        status: 'Hello Ladies + Gentlemen, a signed OAuth request!',
        oauth_consumer_key: 'xvz1evFS4wEEPTGEFPHBog',
        oauth_nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '1318622958',
        oauth_token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        oauth_version: '1.0',
      },
    );
    expect(hmacSha1Signature(base, xCredentials.consumerSecret, xCredentials.accessTokenSecret)).toBe(
      'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
    );
  });

  it('creates a post and links to it on x.com', async () => {
    const published = await xPublisher.publish({ postId: 'p1', text: 'Spring sale starts now' }, ctx());
    expect(published.url).toBe(`https://x.com/acme/status/${published.externalId}`);
    expect(x.posts.get(published.externalId)).toBe('Spring sale starts now');
    const request = x.requests.at(-1)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ text: 'Spring sale starts now' });
  });

  it('reads public metrics back as likes, shares (reposts and quotes) and comments', async () => {
    const { externalId } = await xPublisher.publish({ postId: 'p2', text: 'Metrics please' }, ctx());
    // like_count 17; retweet_count 4 + quote_count 1 = 5 shares; reply_count 3 comments.
    expect(await xPublisher.engagement!(externalId, ctx())).toEqual({ likes: 17, shares: 5, comments: 3 });
  });

  it("fails without retry on X's refusal, with X's reason, and on a wrong secret", async () => {
    await expect(xPublisher.publish({ postId: 'p3', text: 'duplicate text' }, ctx())).rejects.toMatchObject({
      retryable: false,
      status: 403,
      message: expect.stringContaining('duplicate content'),
    });
    await expect(
      xPublisher.publish(
        { postId: 'p4', text: 'wrong key' },
        { ...ctx(), credentials: { ...xCredentials, consumerSecret: 'not-the-secret' } },
      ),
    ).rejects.toMatchObject({ retryable: false, status: 401 });
    await expect(xPublisher.publish({ postId: 'p5', text: 'x'.repeat(281) }, ctx())).rejects.toMatchObject({
      retryable: false,
    });
  });
});
