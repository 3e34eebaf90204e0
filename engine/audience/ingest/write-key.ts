import type { Db } from '../../../db';
import { authenticateKey } from '../../identity/api-keys';
import { WriteKeyInvalid } from './errors';

/**
 * The workspace of a tracking request. Segment clients send the write key as the Basic
 * username or as `writeKey` in the body; both may be present but must then agree.
 */
export async function workspaceOfWriteKey(
  db: Db,
  headerKey: string | undefined,
  bodyKey: unknown,
): Promise<string> {
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
