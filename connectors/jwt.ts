import { createPrivateKey, sign } from 'node:crypto';
import { ConnectorError } from './connector';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A compact JWS (RFC 7515) signed with RS256 (Google service accounts) or ES256 (APNs p8 keys,
 * the signature in JOSE's raw r||s form, not DER).
 */
export function signJwt(
  provider: string,
  alg: 'RS256' | 'ES256',
  privateKeyPem: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(privateKeyPem.replace(/\\n/g, '\n'));
  } catch (error) {
    throw new ConnectorError(
      `${provider}: the private key cannot be read (${(error as Error).message})`,
      false,
    );
  }
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}
