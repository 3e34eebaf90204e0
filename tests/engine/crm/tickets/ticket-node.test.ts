import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../../../db/schema';
import { ticketCreate } from '../../../../engine/automation/nodes/tickets';
import { createTicket } from '../../../../engine/crm/tickets/tickets';
import { testNode } from '../../../../engine/testing';

describe('the "create a ticket" node (wayline/testing harness, PGlite)', () => {
  it('opens a ticket for the contact from the entry event', async () => {
    const result = await testNode(ticketCreate, {
      config: { subject: 'Order {{ event.orderId }} is late', priority: 'high', tags: ['delivery'] },
      contact: { email: 'ines@example.com' },
      trigger: { name: 'Delivery Late', properties: { orderId: 'A-17' } },
    });
    expect(result.port).toBe('next');
    const [ticket] = await result.db
      .select()
      .from(tickets)
      .where(eq(tickets.workspaceId, result.workspaceId));
    expect(ticket).toMatchObject({
      id: result.output?.ticketId,
      contactId: result.contactId,
      subject: 'Order A-17 is late',
      priority: 'high',
      channel: 'journey',
      tags: ['delivery'],
      status: 'new',
    });

    // A retried activity passes the same id: the ticket it made is returned, not a second one.
    const again = await createTicket(
      { db: result.db },
      result.workspaceId,
      { subject: 'again', contactId: result.contactId },
      { userId: null },
      { id: ticket.id },
    );
    expect(again.subject).toBe('Order A-17 is late');
    expect(
      await result.db.select().from(tickets).where(eq(tickets.workspaceId, result.workspaceId)),
    ).toHaveLength(1);
  });
});
