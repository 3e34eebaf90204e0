import type { Db } from '../../../db';
import { DomainError } from '../../errors';
import { authenticateKeyCached } from '../../identity/api-keys';
import { IngestUnavailable, WriteKeyInvalid } from './errors';

/**
 * The workspace of a tracking request. Segment clients send the write key as the Basic
 * username or as `writeKey` in the body; both may be present but must then agree. A valid key
 * is remembered for a few seconds (`authenticateKeyCached`); revoking it forgets it at once.
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
  let workspaceId: string | undefined;
  try {
    workspaceId = await authenticateKeyCached(db, key, 'write');
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // The database is away or busy: the client retries the same events (503 + Retry-After).
    throw Object.assign(new IngestUnavailable(), { cause: error });
  }
  if (!workspaceId) throw new WriteKeyInvalid('The write key is not valid');
  return workspaceId;
}
