import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db';
import { memberships, ROLES, type Role, users } from '../../../db/schema';
import { InvalidInput } from '../../errors';
import { ROLE_PERMISSIONS } from '../../identity/permissions';

/** Roles whose members work tickets (`tickets:write`): support and owner. */
export const AGENT_ROLES: Role[] = ROLES.filter((role) => ROLE_PERMISSIONS[role].includes('tickets:write'));

/**
 * A ticket goes only to someone who can work it: a member of the workspace whose role has
 * `tickets:write`. Anyone else is a 400 naming `field`.
 */
export async function checkAssignee(
  db: Db,
  workspaceId: string,
  userId: string,
  field = 'assigneeUserId',
): Promise<void> {
  const [member] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  if (!member) {
    throw new InvalidInput('assignee_not_member', `User ${userId} is not a member of this workspace`, field);
  }
  if (!AGENT_ROLES.includes(member.role)) {
    throw new InvalidInput(
      'assignee_not_agent',
      `A ${member.role} cannot work tickets; assign a member with the ${AGENT_ROLES.join(' or ')} role`,
      field,
      { role: member.role, allowed: AGENT_ROLES },
    );
  }
}

export interface Agent {
  userId: string;
  name: string;
  email: string;
  role: Role;
}

/** The members a ticket may be assigned to. */
export async function listAgents(db: Db, workspaceId: string): Promise<Agent[]> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), inArray(memberships.role, AGENT_ROLES)))
    .orderBy(users.email);
}
