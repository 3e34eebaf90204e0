import { hmacSha1Signature, percentEncode, signatureBaseString } from '../../connectors/oauth1';
import { json, type ReceivedRequest, startHttpPeer } from './peers';

export const xCredentials = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  accessToken: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  accessTokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
};

/** Checks an OAuth 1.0a `Authorization` header the way X does: recompute the HMAC-SHA1 signature. */
export function oauth1Valid(request: ReceivedRequest, baseUrl: string): boolean {
  const header = String(request.headers.authorization ?? '');
  if (!header.startsWith('OAuth ')) return false;
  const fields = Object.fromEntries(
    [...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, k, v]) => [k, decodeURIComponent(v)]),
  );
  const { oauth_signature: signature, ...params } = fields;
  if (
    params.oauth_consumer_key !== xCredentials.consumerKey ||
    params.oauth_token !== xCredentials.accessToken
  )
    return false;
  if (params.oauth_signature_method !== 'HMAC-SHA1' || params.oauth_version !== '1.0') return false;
  if (Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000) > 300) return false;
  const expected = hmacSha1Signature(
    signatureBaseString(request.method, `${baseUrl}${request.path}`, params),
    xCredentials.consumerSecret,
    xCredentials.accessTokenSecret,
  );
  return signature === expected;
}

/** A local X API v2: `POST /2/tweets` and `GET /2/tweets/:id?tweet.fields=public_metrics`, OAuth 1.0a checked. */
export async function startXPeer() {
  let next = 1850000000000000000n;
  const posts = new Map<string, string>();
  const peer = await startHttpPeer((request, response) => {
    if (!oauth1Valid(request, url)) {
      return json(response, 401, {
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      });
    }
    if (request.method === 'POST' && request.path === '/2/tweets') {
      const { text } = JSON.parse(request.body);
      if (typeof text !== 'string' || text === '')
        return json(response, 400, { errors: [{ message: 'text required' }] });
      if (text.includes('duplicate'))
        return json(response, 403, {
          detail: 'You are not allowed to create a Tweet with duplicate content.',
        });
      const id = String(next++);
      posts.set(id, text);
      return json(response, 201, { data: { id, text, edit_history_tweet_ids: [id] } });
    }
    const match = /^\/2\/tweets\/(\d+)\?tweet\.fields=public_metrics$/.exec(request.path);
    if (request.method === 'GET' && match && posts.has(match[1])) {
      return json(response, 200, {
        data: {
          id: match[1],
          text: posts.get(match[1]),
          public_metrics: {
            retweet_count: 4,
            reply_count: 3,
            like_count: 17,
            quote_count: 1,
            impression_count: 900,
          },
        },
      });
    }
    json(response, 404, { title: 'Not Found Error' });
  });
  const url = peer.url;
  return { ...peer, posts };
}

export { percentEncode };
