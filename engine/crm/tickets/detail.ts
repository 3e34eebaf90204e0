import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, ticketRatings } from '../../../db/schema';
import { type EscalationRow, listEscalations } from './escalate';
import type { TicketRatingRow } from './ratings';
import { getTicket, listComments, type TicketCommentRow, type TicketRow } from './tickets';

export type TicketDetail = TicketRow & {
  contact: { id: string; email: string | null; externalId: string | null };
  comments: TicketCommentRow[];
  escalations: EscalationRow[];
  rating: TicketRatingRow | null;
};

/** A ticket with what its page shows: the contact, the comments, escalations and the rating. */
export async function getTicketDetail(db: Db, workspaceId: string, ticketId: string): Promise<TicketDetail> {
  const ticket = await getTicket(db, workspaceId, ticketId);
  const [contact] = await db
    .select({ id: contacts.id, email: contacts.email, externalId: contacts.externalId })
    .from(contacts)
    .where(eq(contacts.id, ticket.contactId));
  const [rating] = await db
    .select()
    .from(ticketRatings)
    .where(and(eq(ticketRatings.workspaceId, workspaceId), eq(ticketRatings.ticketId, ticketId)));
  return {
    ...ticket,
    contact,
    comments: await listComments(db, workspaceId, ticketId),
    escalations: await listEscalations(db, workspaceId, ticketId),
    rating: rating ?? null,
  };
}
