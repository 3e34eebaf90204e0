import type { Db } from '../../../db';
import { authenticateKey } from '../../identity/api-keys';
import { WriteKeyInvalid } from './errors';

/** The username of an HTTP Basic header (`key:` or just `key`, base64); undefined without one. */
export function basicUsername(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon === -1 ? decoded : decoded.slice(0, colon);
  return username || undefined;
}

/**
 * The workspace of a tracking request. Segment clients send the write key as the Basic
 * username or as `writeKey` in the body; both may be present but must then agree.
 */
export async function workspaceOfWriteKey(
  db: Db,
  authorization: string | undefined,
  bodyKey: unknown,
): Promise<string> {
  const headerKey = basicUsername(authorization);
  const fromBody = typeof bodyKey === 'string' && bodyKey !== '' ? bodyKey : undefined;
  if (headerKey && fromBody && headerKey !== fromBody) {
    throw new WriteKeyInvalid('The write key in the Authorization header and the body differ');
  }
  const key = headerKey ?? fromBody;
  if (!key) {
    throw new WriteKeyInvalid('A write key is required: HTTP Basic username or `writeKey` in the body');
  }
  const workspaceId = await authenticateKey(db, key, 'write');
  if (!workspaceId) throw new WriteKeyInvalid('The write key is not valid');
  return workspaceId;
}
