import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import {
  type SlaTarget,
  TICKET_PRIORITIES,
  type TicketPriority,
  ticketEscalations,
  tickets,
  users,
} from '../../../db/schema';
import { policyFor } from './sla-policies';
import { storeTicketEvent, TICKET_ESCALATED } from './ticket-events';

export type EscalationRow = typeof ticketEscalations.$inferSelect;

export type EscalationOutcome =
  | { escalated: false; reason: string }
  | {
      escalated: true;
      escalation: EscalationRow;
      subject: string;
      /** Who to tell: the policy's address, else the agent the ticket now belongs to. */
      notify: string | null;
    };

const raise = (priority: TicketPriority): TicketPriority =>
  TICKET_PRIORITIES[Math.min(TICKET_PRIORITIES.indexOf(priority) + 1, TICKET_PRIORITIES.length - 1)];

/**
 * Acts on a breached SLA target once: the escalation row's unique (ticket, target) makes a
 * repeated call (a retried activity) change nothing. A target met in the meantime (a reply, a
 * resolution that raced the timer) is not a breach. The policy of the ticket's priority says
 * what to do: reassign to a user or queue, raise the priority one step, whom to notify.
 */
export async function escalateTicket(
  db: Db,
  workspaceId: string,
  ticketId: string,
  target: SlaTarget,
): Promise<EscalationOutcome> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    const [ticket] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)))
      .for('update');
    if (!ticket) return { escalated: false, reason: 'ticket not found' };
    if (ticket.status === 'resolved' || ticket.status === 'closed') {
      return { escalated: false, reason: `ticket is ${ticket.status}` };
    }
    if (target === 'first_response' && ticket.firstResponseAt) {
      return { escalated: false, reason: 'first response given' };
    }
    const dueAt = target === 'first_response' ? ticket.firstResponseDueAt : ticket.resolutionDueAt;
    if (!dueAt) return { escalated: false, reason: 'no target' };
    const policy = await policyFor(tx, workspaceId, ticket.priority);
    const toPriority = policy?.raisePriority ? raise(ticket.priority) : ticket.priority;
    const reassign = policy?.escalateToUserId
      ? { assigneeUserId: policy.escalateToUserId, queue: null }
      : policy?.escalateToQueue
        ? { assigneeUserId: null, queue: policy.escalateToQueue }
        : { assigneeUserId: ticket.assigneeUserId, queue: ticket.queue };
    const [escalation] = await tx
      .insert(ticketEscalations)
      .values({
        workspaceId,
        ticketId,
        target,
        dueAt,
        fromAssigneeUserId: ticket.assigneeUserId,
        toAssigneeUserId: reassign.assigneeUserId,
        toQueue: reassign.queue,
        fromPriority: ticket.priority,
        toPriority,
      })
      .onConflictDoNothing()
      .returning();
    if (!escalation) return { escalated: false, reason: 'already escalated' };
    let notify = policy?.notifyEmail ?? null;
    if (!notify && reassign.assigneeUserId) {
      const [agent] = await tx
        .select({ email: users.email })
        .from(users)
        .where(eq(users.id, reassign.assigneeUserId));
      notify = agent?.email ?? null;
    }
    const [updated] = await tx
      .update(tickets)
      .set({ ...reassign, priority: toPriority, updatedAt: escalation.createdAt })
      .where(eq(tickets.id, ticketId))
      .returning();
    if (notify) {
      await tx
        .update(ticketEscalations)
        .set({ notified: notify })
        .where(eq(ticketEscalations.id, escalation.id));
    }
    await storeTicketEvent(tx, updated, TICKET_ESCALATED, `escalated:${target}`, {
      target,
      previousPriority: ticket.priority,
      previousAssignee: ticket.assigneeUserId,
    });
    return {
      escalated: true,
      escalation: { ...escalation, notified: notify },
      subject: ticket.subject,
      notify,
    };
  });
}

export async function listEscalations(
  db: Db,
  workspaceId: string,
  ticketId: string,
): Promise<EscalationRow[]> {
  return db
    .select()
    .from(ticketEscalations)
    .where(and(eq(ticketEscalations.workspaceId, workspaceId), eq(ticketEscalations.ticketId, ticketId)))
    .orderBy(ticketEscalations.createdAt);
}
