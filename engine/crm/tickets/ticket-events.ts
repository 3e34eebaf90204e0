import type { Db } from '../../../db';
import type { tickets } from '../../../db/schema';
import { storeContactEvent } from '../../audience/ingest/contact-event';

export const TICKET_CREATED = 'Ticket Created';
export const TICKET_STATUS_CHANGED = 'Ticket Status Changed';
export const TICKET_ESCALATED = 'Ticket Escalated';
export const CSAT_RECEIVED = 'CSAT Received';

type Ticket = typeof tickets.$inferSelect;

/**
 * Stores a ticket event on its contact in the caller's transaction, so the change and the event
 * journeys react to commit together. Every event carries the ticket's state after the change
 * (`ticketId`, `status`, `priority`, `assignee`, `queue`) for trigger filters; `changeKey` makes
 * the message id deterministic, so the same change stored twice is one event.
 */
export async function storeTicketEvent(
  tx: Db,
  ticket: Ticket,
  name: string,
  changeKey: string,
  extra: Record<string, unknown> = {},
  at: Date = ticket.updatedAt,
): Promise<void> {
  await storeContactEvent(tx, {
    workspaceId: ticket.workspaceId,
    contactId: ticket.contactId,
    messageId: `ticket:${ticket.id}:${changeKey}`,
    name,
    properties: {
      ticketId: ticket.id,
      status: ticket.status,
      priority: ticket.priority,
      assignee: ticket.assigneeUserId,
      queue: ticket.queue,
      ...extra,
    },
    context: { source: 'crm' },
    timestamp: at,
  });
}
