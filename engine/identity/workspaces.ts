import type { Db } from '../../db';
import { workspaces } from '../../db/schema';
import { createApiKey } from './api-keys';

export interface NewWorkspace {
  id: string;
  name: string;
  secretKey: string;
  writeKey: string;
}

/** A workspace with one secret API key and one tracking write key. */
export async function createWorkspace(db: Db, name: string, defaultTimezone = 'UTC'): Promise<NewWorkspace> {
  const [row] = await db.insert(workspaces).values({ name, defaultTimezone }).returning();
  const secret = await createApiKey(db, row.id, 'secret', 'Default secret key');
  const write = await createApiKey(db, row.id, 'write', 'Default write key');
  return { id: row.id, name: row.name, secretKey: secret.key, writeKey: write.key };
}
