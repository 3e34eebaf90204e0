import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { workspaceSecrets } from '../../db/schema';
import { NotFound } from '../errors';
import type { SecretBox } from './secret-box';

export interface SecretInfo {
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Creates or replaces a secret; only the sealed value is stored. */
export async function setSecret(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  name: string,
  value: string,
): Promise<SecretInfo> {
  const sealedValue = box.encrypt(value);
  const [row] = await db
    .insert(workspaceSecrets)
    .values({ workspaceId, name, sealedValue })
    .onConflictDoUpdate({
      target: [workspaceSecrets.workspaceId, workspaceSecrets.name],
      set: { sealedValue, updatedAt: new Date() },
    })
    .returning({
      name: workspaceSecrets.name,
      createdAt: workspaceSecrets.createdAt,
      updatedAt: workspaceSecrets.updatedAt,
    });
  return row;
}

/** Names and dates of the workspace's secrets; never their values. */
export async function listSecrets(db: Db, workspaceId: string): Promise<SecretInfo[]> {
  return db
    .select({
      name: workspaceSecrets.name,
      createdAt: workspaceSecrets.createdAt,
      updatedAt: workspaceSecrets.updatedAt,
    })
    .from(workspaceSecrets)
    .where(eq(workspaceSecrets.workspaceId, workspaceId))
    .orderBy(asc(workspaceSecrets.name));
}

export async function deleteSecret(db: Db, workspaceId: string, name: string): Promise<void> {
  const deleted = await db
    .delete(workspaceSecrets)
    .where(and(eq(workspaceSecrets.workspaceId, workspaceId), eq(workspaceSecrets.name, name)))
    .returning({ name: workspaceSecrets.name });
  if (deleted.length === 0) throw new NotFound('Secret', name);
}

/** The plain value, for the node context only (server-side, at execution time). */
export async function readSecret(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  name: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ sealedValue: workspaceSecrets.sealedValue })
    .from(workspaceSecrets)
    .where(and(eq(workspaceSecrets.workspaceId, workspaceId), eq(workspaceSecrets.name, name)));
  return row ? box.decrypt(row.sealedValue) : undefined;
}
