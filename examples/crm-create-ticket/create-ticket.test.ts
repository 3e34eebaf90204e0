import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testNode } from 'wayline/testing';
import { crmCreateTicket, exampleTickets } from './create-ticket';

describe('crm.create-ticket (harness on PGlite)', () => {
  it('opens a ticket for the contact in its own table and announces it', async () => {
    const result = await testNode(crmCreateTicket, {
      config: { subject: 'Refund request', priority: 'high' },
      contact: { email: 'ada@example.com' },
    });

    expect(result.error).toBeUndefined();
    expect(result.port).toBe('next');
    expect(result.output).toMatchObject({ priority: 'high', queue: 'support' });
    const ticketId = result.output?.ticketId as string;
    const [ticket] = await result.db.select().from(exampleTickets).where(eq(exampleTickets.id, ticketId));
    expect(ticket).toMatchObject({
      workspaceId: result.workspaceId,
      contactId: result.contactId,
      subject: 'Refund request',
      priority: 'high',
      status: 'open',
    });
    expect(result.contactChanges.set).toEqual({ openTicketId: ticketId });
    expect(result.emittedEvents).toEqual([
      { name: 'Ticket Opened', properties: { ticketId, subject: 'Refund request', priority: 'high' } },
    ]);
  });

  it('applies the default queue and priority', async () => {
    const result = await testNode(crmCreateTicket, { config: { subject: 'Question' } });
    expect(result.output).toMatchObject({ priority: 'normal', queue: 'support' });
  });

  it('refuses a config without a subject', async () => {
    await expect(testNode(crmCreateTicket, { config: { subject: '' } })).rejects.toThrow(/subject/);
  });
});
