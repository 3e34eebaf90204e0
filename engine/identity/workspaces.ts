import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { memberships, type Role, workspaces } from '../../db/schema';
import { InvalidInput, NotFound } from '../errors';
import { isValidTimeZone } from '../time/zoned';
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

export interface WorkspaceOfUser {
  id: string;
  name: string;
  role: Role;
}

/** The workspaces a user belongs to, with their role in each, oldest membership first. */
export async function listUserWorkspaces(db: Db, userId: string): Promise<WorkspaceOfUser[]> {
  return db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt);
}

/**
 * A workspace a signed-in user creates; they are its owner. Unlike the demo and CLI
 * workspaces it starts without keys: the owner creates the ones they need.
 */
export async function createOwnedWorkspace(
  db: Db,
  input: { userId: string; name: string; defaultTimezone?: string },
): Promise<WorkspaceOfUser> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workspaces)
      .values({ name: input.name, defaultTimezone: input.defaultTimezone ?? 'UTC' })
      .returning();
    await tx.insert(memberships).values({ workspaceId: row.id, userId: input.userId, role: 'owner' });
    return { id: row.id, name: row.name, role: 'owner' as const };
  });
}

/** A workspace's id and name, or undefined. */
export async function findWorkspace(db: Db, id: string): Promise<{ id: string; name: string } | undefined> {
  const [row] = await db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, id));
  return row;
}

export interface WorkspaceSettings {
  id: string;
  name: string;
  /** The time zone of contacts with none and of journeys with no fallback of their own (IANA). */
  defaultTimezone: string;
}

export async function getWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings> {
  const [row] = await db
    .select({ id: workspaces.id, name: workspaces.name, defaultTimezone: workspaces.defaultTimezone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw new NotFound('Workspace', workspaceId);
  return row;
}

/** Changes the workspace's name or default time zone; a zone that is not IANA is refused, naming the field. */
export async function updateWorkspaceSettings(
  db: Db,
  workspaceId: string,
  changes: { name?: string; defaultTimezone?: string },
): Promise<WorkspaceSettings> {
  if (changes.defaultTimezone !== undefined && !isValidTimeZone(changes.defaultTimezone)) {
    throw new InvalidInput(
      'timezone_invalid',
      `"${changes.defaultTimezone}" is not an IANA time zone (for example "Europe/Paris")`,
      'defaultTimezone',
    );
  }
  // An empty change is a read: drizzle refuses an UPDATE that sets nothing.
  if (changes.name === undefined && changes.defaultTimezone === undefined)
    return getWorkspaceSettings(db, workspaceId);
  const [row] = await db
    .update(workspaces)
    .set({ name: changes.name, defaultTimezone: changes.defaultTimezone })
    .where(eq(workspaces.id, workspaceId))
    .returning({ id: workspaces.id, name: workspaces.name, defaultTimezone: workspaces.defaultTimezone });
  if (!row) throw new NotFound('Workspace', workspaceId);
  return row;
}
