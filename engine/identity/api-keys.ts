import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db';
import { apiKeys } from '../../db/schema';

export type ApiKeyKind = 'secret' | 'write';

const prefixes: Record<ApiKeyKind, string> = { secret: 'wl_sk_', write: 'wl_wk_' };

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a key and returns it in clear text: the only time it is visible; only its hash is stored. */
export async function createApiKey(
  db: Db,
  workspaceId: string,
  kind: ApiKeyKind,
  name: string,
): Promise<{ id: string; key: string }> {
  const key = `${prefixes[kind]}${randomBytes(24).toString('base64url')}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ workspaceId, name, kind, prefix: key.slice(0, 10), keyHash: hashKey(key) })
    .returning({ id: apiKeys.id });
  return { id: row.id, key };
}

/** The workspace a key belongs to, if the key is valid, of the given kind and not revoked. */
export async function authenticateKey(db: Db, key: string, kind: ApiKeyKind): Promise<string | undefined> {
  if (!key.startsWith(prefixes[kind])) return undefined;
  const [row] = await db
    .select({ workspaceId: apiKeys.workspaceId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashKey(key)), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)));
  return row?.workspaceId;
}
