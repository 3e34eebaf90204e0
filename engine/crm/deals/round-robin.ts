import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { dealOwnerRotations, memberships, type Role, users } from '../../../db/schema';
import { Conflict } from '../../errors';

/**
 * The next owner among the workspace's members with `role`, in turn: members are ordered by
 * when they joined, and a per-role counter (advanced atomically) says whose turn it is.
 */
export async function nextOwnerInTurn(db: Db, workspaceId: string, role: Role): Promise<string> {
  const members = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, role), isNull(users.disabledAt)),
    )
    .orderBy(asc(memberships.createdAt), asc(memberships.userId));
  if (members.length === 0)
    throw new Conflict('no_member_with_role', `No member of this workspace has the role ${role}`, 'role');
  const [turn] = await db
    .insert(dealOwnerRotations)
    .values({ workspaceId, role, assigned: 1 })
    .onConflictDoUpdate({
      target: [dealOwnerRotations.workspaceId, dealOwnerRotations.role],
      set: { assigned: sql`${dealOwnerRotations.assigned} + 1`, updatedAt: new Date() },
    })
    .returning({ assigned: dealOwnerRotations.assigned });
  return members[(turn.assigned - 1) % members.length].userId;
}
