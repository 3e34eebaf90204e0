import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { memberships, type Role, workspaces } from '../../db/schema';
import { NotFound } from '../errors';
import { type CreatedApiKey, issueApiKey } from './api-keys';
import { type AuditActor, recordAudit } from './audit';
import { addMember, roleOf } from './memberships';
import { createUser, findUserByEmail, setPassword } from './users';

/**
 * What `wayline admin` does on a server with no one signed in yet: make workspaces, their first
 * users and keys. Each step is in the workspace's audit log, done by the system actor.
 */
export const ADMIN_ACTOR: AuditActor = { type: 'system', id: 'wayline-admin', label: 'wayline admin' };

export interface WorkspaceSummary {
  id: string;
  name: string;
  defaultTimezone: string;
  createdAt: Date;
  members: number;
}

/** A workspace with no members and no keys: `create-user` and `create-key` add them. */
export async function provisionWorkspace(
  db: Db,
  input: { name: string; defaultTimezone?: string },
): Promise<WorkspaceSummary> {
  const [row] = await db
    .insert(workspaces)
    .values({ name: input.name, defaultTimezone: input.defaultTimezone ?? 'UTC' })
    .returning();
  await recordAudit(db, {
    workspaceId: row.id,
    actor: ADMIN_ACTOR,
    action: 'workspace.create',
    objectType: 'workspace',
    objectId: row.id,
    change: { name: row.name, defaultTimezone: row.defaultTimezone },
  });
  return {
    id: row.id,
    name: row.name,
    defaultTimezone: row.defaultTimezone,
    createdAt: row.createdAt,
    members: 0,
  };
}

export async function listWorkspaces(db: Db): Promise<WorkspaceSummary[]> {
  return db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      defaultTimezone: workspaces.defaultTimezone,
      createdAt: workspaces.createdAt,
      members: count(memberships.userId),
    })
    .from(workspaces)
    .leftJoin(memberships, eq(memberships.workspaceId, workspaces.id))
    .groupBy(workspaces.id)
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
}

async function requireWorkspace(db: Db, workspaceId: string): Promise<void> {
  const [row] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!row) throw new NotFound('Workspace', workspaceId);
}

export interface ProvisionedUser {
  userId: string;
  email: string;
  /** False when the email already had an account: it joins the workspace. */
  created: boolean;
  /** The role the user now holds; an existing member keeps theirs. */
  role: Role;
}

/**
 * Makes (or finds) the account for `email` and gives it `role` in the workspace, with the given
 * password when there is one (checked by the same strength rules as sign-up).
 */
export async function provisionUser(
  db: Db,
  input: { email: string; workspaceId: string; role: Role; password?: string },
): Promise<ProvisionedUser> {
  await requireWorkspace(db, input.workspaceId);
  const existing = await findUserByEmail(db, input.email);
  const user = existing ?? (await createUser(db, { email: input.email, password: input.password }));
  if (existing && input.password !== undefined) await setPassword(db, existing.id, input.password);
  const added = await addMember(db, input.workspaceId, user.id, input.role);
  const role = (await roleOf(db, input.workspaceId, user.id)) ?? input.role;
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: ADMIN_ACTOR,
    action: added ? 'member.add' : 'member.exists',
    objectType: 'user',
    objectId: user.id,
    change: {
      email: user.email,
      role,
      accountCreated: !existing,
      passwordSet: input.password !== undefined,
    },
  });
  return { userId: user.id, email: user.email, created: !existing, role };
}

/** A key of the workspace made by the administrator (no creating user). */
export async function provisionApiKey(
  db: Db,
  input: { workspaceId: string; scopes: string[]; name?: string },
): Promise<CreatedApiKey> {
  await requireWorkspace(db, input.workspaceId);
  const created = await issueApiKey(db, {
    workspaceId: input.workspaceId,
    name: input.name ?? `Key created by wayline admin ${new Date().toISOString().slice(0, 10)}`,
    scopes: input.scopes,
  });
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: ADMIN_ACTOR,
    action: 'api-key.create',
    objectType: 'api-key',
    objectId: created.id,
    change: { name: created.name, prefix: created.prefix, scopes: created.scopes },
  });
  return created;
}
