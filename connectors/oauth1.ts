import { createHmac, randomBytes } from 'node:crypto';

/** RFC 3986 percent-encoding, as OAuth 1.0a requires (stricter than encodeURIComponent). */
export const percentEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

/**
 * The signature base string of RFC 5849 §3.4.1: method, base URL and the sorted, encoded
 * parameters (OAuth ones and the query; a JSON body is not part of it).
 */
export function signatureBaseString(method: string, url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  const all: [string, string][] = [...Object.entries(params)];
  for (const [key, value] of parsed.searchParams) all.push([key, value]);
  const normalized = all
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  return [method.toUpperCase(), percentEncode(base), percentEncode(normalized)].join('&');
}

export function hmacSha1Signature(base: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

/** The `Authorization: OAuth ...` header of a user-context request (HMAC-SHA1). */
export function oauth1Header(
  method: string,
  url: string,
  credentials: OAuth1Credentials,
  now = Date.now(),
  nonce = randomBytes(16).toString('hex'),
): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(now / 1000)),
    oauth_token: credentials.accessToken,
    oauth_version: '1.0',
  };
  const signature = hmacSha1Signature(
    signatureBaseString(method, url, oauth),
    credentials.consumerSecret,
    credentials.accessTokenSecret,
  );
  const fields = { ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(fields)
    .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
    .join(', ')}`;
}
