import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, tickets } from '../../../../db/schema';
import { ticketSlaWorkflowId } from '../../../../engine/crm/tickets/sla-signals';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { bearer } from '../../../helpers/app';
import { channelStack } from '../../../helpers/channel-stack';
import { eventually } from '../../audience/ingest/ingest-harness';

describe('tickets from an inbound webhook through the "create a ticket" node (API, dev server, dispatcher, PGlite)', () => {
  const stack = channelStack('dev-server');
  let dispatcher: Dispatcher | undefined;
  let workspace: NewWorkspace;
  beforeAll(async () => {
    dispatcher = startDispatcher(
      { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
      { pollMs: 100, maxBackoffMs: 1000 },
    );
    workspace = await createWorkspace(stack.db, 'Shop');
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });

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

    const hook = await call('POST', '/v1/hooks', {
      name: 'Contact form',
      mapping: { eventName: 'Support Request Submitted', emailPath: 'email' },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const { id: hookId, secret } = hook.json();
    const body = JSON.stringify({
      email: 'noor@example.com',
      subject: 'Wrong size',
      message: 'I need a medium.',
    });
    const webhookId = `msg_${randomUUID()}`;
    const deliver = () => {
      const timestamp = new Date();
      return stack.app.inject({
        method: 'POST',
        url: `/v1/hooks/${hookId}`,
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(webhookId, timestamp, body),
        },
        payload: body,
      });
    };
    expect([200, 202]).toContain((await deliver()).statusCode);
    expect((await deliver()).json()).toMatchObject({ duplicate: true });

    const ticket = await eventually(async () => {
      const [row] = await stack.db.select().from(tickets).where(eq(tickets.workspaceId, workspace.id));
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
      .getHandle(ticketSlaWorkflowId(workspace.id, ticket.id))
      .describe();
    expect(sla.status.name).toBe('RUNNING');
    await stack.temporal.client.workflow
      .getHandle(ticketSlaWorkflowId(workspace.id, ticket.id))
      .terminate('test done');

    const created = await stack.db.select().from(events).where(eq(events.name, 'Ticket Created'));
    expect(created.filter((e) => e.workspaceId === workspace.id)).toHaveLength(1);
    expect(await stack.db.select().from(tickets).where(eq(tickets.workspaceId, workspace.id))).toHaveLength(
      1,
    );
  });
});
