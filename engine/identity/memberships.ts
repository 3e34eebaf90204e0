import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { memberships, type Role, users } from '../../db/schema';
import { Conflict, Forbidden, NotFound } from '../errors';
import { type AuditActor, recordAudit } from './audit';
import { leaveSessionWorkspace } from './sessions';

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

/** Who changes membership, with the role they hold in that workspace. */
export interface MemberActor {
  actor: AuditActor;
  /** The acting user's role; api keys act with admin rights. */
  role: Role | 'api-key';
  ip?: string;
  userAgent?: string;
}

export async function listMembers(db: Db, workspaceId: string): Promise<Member[]> {
  return db
    .select({
      userId: memberships.userId,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(memberships.createdAt);
}

export async function roleOf(db: Db, workspaceId: string, userId: string): Promise<Role | undefined> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row?.role;
}

/** Adds a user to a workspace; an existing member keeps the role they have. */
export async function addMember(db: Db, workspaceId: string, userId: string, role: Role): Promise<boolean> {
  const rows = await db
    .insert(memberships)
    .values({ workspaceId, userId, role })
    .onConflictDoNothing()
    .returning();
  return rows.length > 0;
}

/**
 * Only owners make or unmake owners; a workspace always keeps one owner, so the last owner can
 * neither be demoted nor leave.
 */
export async function changeRole(
  db: Db,
  by: MemberActor,
  input: { workspaceId: string; userId: string; role: Role },
): Promise<Member> {
  const before = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const current = await lockedMember(t, input.workspaceId, input.userId);
    if ((current === 'owner' || input.role === 'owner') && by.role !== 'owner')
      throw new Forbidden('owner_required', 'Only an owner can grant or change the owner role', {
        permission: 'members:manage',
      });
    if (current === 'owner' && input.role !== 'owner') await assertAnotherOwner(t, input.workspaceId);
    await t
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId)));
    return current;
  });
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: by.actor,
    action: 'member.role-change',
    objectType: 'user',
    objectId: input.userId,
    ip: by.ip,
    userAgent: by.userAgent,
    change: { before: { role: before }, after: { role: input.role } },
  });
  const member = (await listMembers(db, input.workspaceId)).find((m) => m.userId === input.userId);
  return member!;
}

/** Removes a member (or lets a member leave); their browsers stop acting in the workspace. */
export async function removeMember(
  db: Db,
  by: MemberActor,
  input: { workspaceId: string; userId: string },
): Promise<void> {
  const role = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const current = await lockedMember(t, input.workspaceId, input.userId);
    const self = by.actor.type === 'user' && by.actor.id === input.userId;
    if (current === 'owner' && by.role !== 'owner' && !self)
      throw new Forbidden('owner_required', 'Only an owner can remove an owner', {
        permission: 'members:manage',
      });
    if (current === 'owner') await assertAnotherOwner(t, input.workspaceId);
    await t
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId)));
    return current;
  });
  await leaveSessionWorkspace(db, input.userId, input.workspaceId);
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: by.actor,
    action: 'member.remove',
    objectType: 'user',
    objectId: input.userId,
    ip: by.ip,
    userAgent: by.userAgent,
    change: { before: { role } },
  });
}

/** The member's role, with the workspace's owner rows locked so two demotions cannot race past the last-owner rule. */
async function lockedMember(db: Db, workspaceId: string, userId: string): Promise<Role> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`members:${workspaceId}`}, 0))`);
  const role = await roleOf(db, workspaceId, userId);
  if (!role) throw new NotFound('Member', userId);
  return role;
}

async function assertAnotherOwner(db: Db, workspaceId: string): Promise<void> {
  const owners = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
  if (owners.length <= 1)
    throw new Conflict(
      'last_owner',
      'A workspace needs at least one owner: make someone else owner first',
      'userId',
    );
}
