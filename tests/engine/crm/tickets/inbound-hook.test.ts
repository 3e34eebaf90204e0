import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, events, tickets } from '../../../../db/schema';
import { ticketSlaWorkflowId } from '../../../../engine/crm/tickets/sla-signals';
import { eventually } from '../../audience/ingest/ingest-harness';
import { hookStack } from '../inbound/hook-stack';

describe('tickets from an inbound webhook through the "create a ticket" node (API, dev server, dispatcher, PGlite)', () => {
  const fixture = hookStack('Shop', { dispatcher: true });
  const { stack, call } = fixture;

  it('a signed form post becomes one ticket for its sender, with SLA timers, even when redelivered', async () => {
    expect(
      (await call('PUT', '/v1/sla-policies/normal', { firstResponseMinutes: 60, resolutionMinutes: 600 }))
        .statusCode,
    ).toBe(200);
    const journey = await call('POST', '/v1/journeys/from-template', { template: 'support-request-ticket' });
    expect(journey.statusCode, journey.body).toBe(201);
    const journeyId = journey.json().id as string;
    expect((await call('POST', `/v1/journeys/${journeyId}/validate`)).json().errors).toEqual([]);
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`)).statusCode).toBe(201);

    const hook = await fixture.createHook('Contact form', {
      eventName: 'Support Request Submitted',
      emailPath: 'email',
    });
    const body = { email: 'noor@example.com', subject: 'Wrong size', message: 'I need a medium.' };
    const webhookId = `msg_${randomUUID()}`;
    const deliver = () => fixture.deliver(hook, body, webhookId);
    expect([200, 202]).toContain((await deliver()).statusCode);
    expect((await deliver()).json()).toMatchObject({ duplicate: true });

    const ticket = await eventually(async () => {
      const [row] = await stack.db
        .select()
        .from(tickets)
        .where(eq(tickets.workspaceId, fixture.workspace.id));
      return row;
    }, 20_000);
    const [sender] = await stack.db.select().from(contacts).where(eq(contacts.id, ticket.contactId));
    expect(sender.email).toBe('noor@example.com');
    expect(ticket).toMatchObject({
      subject: 'Wrong size',
      description: 'I need a medium.',
      channel: 'journey',
      priority: 'normal',
      queue: 'Inbox',
      tags: ['web-form'],
    });
    expect(ticket.firstResponseDueAt!.getTime() - ticket.createdAt.getTime()).toBe(60 * 60_000);
    const sla = await stack.temporal.client.workflow
      .getHandle(ticketSlaWorkflowId(fixture.workspace.id, ticket.id))
      .describe();
    expect(sla.status.name).toBe('RUNNING');
    await stack.temporal.client.workflow
      .getHandle(ticketSlaWorkflowId(fixture.workspace.id, ticket.id))
      .terminate('test done');

    const created = await stack.db.select().from(events).where(eq(events.name, 'Ticket Created'));
    expect(created.filter((e) => e.workspaceId === fixture.workspace.id)).toHaveLength(1);
    expect(
      await stack.db.select().from(tickets).where(eq(tickets.workspaceId, fixture.workspace.id)),
    ).toHaveLength(1);
  });
});
