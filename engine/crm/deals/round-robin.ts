import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { dealOwnerRotations, events, memberships, type Role, users } from '../../../db/schema';
import { storeContactEvent } from '../../audience/ingest/contact-event';
import { Conflict } from '../../errors';
import { updateDeal } from './deals';

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

export const DEAL_OWNER_ASSIGNED = 'Deal Owner Assigned';

export interface TurnRequest {
  workspaceId: string;
  dealId: string;
  role: Role;
  /** The contact the assignment is recorded on (a `Deal Owner Assigned` event). */
  contactId: string;
  /** One assignment per key (a journey step's idempotency key): asking again returns the first answer. */
  key: string;
}

/**
 * Gives a deal to the next member with `role`, once per `key`: the turn, the new owner and a
 * `Deal Owner Assigned` event on the contact commit together, and a retry finds that event and
 * changes nothing, so a retried journey step never skips a member.
 */
export async function assignOwnerInTurn(db: Db, request: TurnRequest): Promise<string> {
  const messageId = `${request.key}:${DEAL_OWNER_ASSIGNED}`;
  const earlier = async (tx: Db) => {
    const [row] = await tx
      .select({ properties: events.properties })
      .from(events)
      .where(and(eq(events.workspaceId, request.workspaceId), eq(events.messageId, messageId)));
    return row ? String(row.properties.ownerUserId) : undefined;
  };
  const done = await earlier(db);
  if (done) return done;
  return db
    .transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const ownerUserId = await nextOwnerInTurn(tx, request.workspaceId, request.role);
      await updateDeal(tx, request.workspaceId, request.dealId, { ownerUserId }, { userId: null });
      const { stored } = await storeContactEvent(tx, {
        workspaceId: request.workspaceId,
        contactId: request.contactId,
        messageId,
        name: DEAL_OWNER_ASSIGNED,
        properties: { dealId: request.dealId, ownerUserId, role: request.role },
        context: { source: 'crm' },
      });
      // A concurrent attempt won: undo this turn and keep its answer.
      if (!stored) throw new AssignedMeanwhile();
      return ownerUserId;
    })
    .catch(async (error) => {
      if (!(error instanceof AssignedMeanwhile)) throw error;
      return (await earlier(db)) as string;
    });
}

class AssignedMeanwhile extends Error {}
