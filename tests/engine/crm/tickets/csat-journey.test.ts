import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, journeyRuns, messages } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { bearer } from '../../../helpers/app';
import { channelStack } from '../../../helpers/channel-stack';
import { eventually } from '../../audience/ingest/ingest-harness';

describe('the "CSAT request" journey template (API, real Temporal dev server, dispatcher, PGlite)', () => {
  const stack = channelStack('dev-server');
  let dispatcher: Dispatcher | undefined;
  let workspace: NewWorkspace;
  beforeAll(async () => {
    dispatcher = startDispatcher(
      { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
      { pollMs: 100, maxBackoffMs: 1000 },
    );
    workspace = await createWorkspace(stack.db, 'Help desk');
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });

  it('emails a rating link when a ticket is resolved; the rating comes back as CSAT Received', async () => {
    const created = await call('POST', '/v1/journeys/from-template', { template: 'csat-request' });
    expect(created.statusCode, created.body).toBe(201);
    const journeyId = created.json().id as string;
    expect((await call('POST', `/v1/journeys/${journeyId}/validate`)).json().errors).toEqual([]);
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`)).statusCode).toBe(201);

    const contact = await createContact(stack.db, workspace.id, { email: 'lin@example.com' });
    const ticket = (
      await call('POST', '/v1/tickets', { subject: 'Refund please', contactId: contact.id })
    ).json();
    // Moving to pending does not match the trigger's filter; resolving does.
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'pending' })).statusCode).toBe(200);
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'resolved' })).statusCode).toBe(200);

    const message = await eventually(async () => {
      const [run] = await stack.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journeyId));
      if (!run) return undefined;
      const [row] = await stack.db.select().from(messages).where(eq(messages.workflowId, run.workflowId));
      return row?.status === 'sent' ? row : undefined;
    }, 20_000);
    expect(message).toMatchObject({ recipient: 'lin@example.com', subject: 'How did we do?' });
    expect(
      await stack.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journeyId)),
    ).toHaveLength(1);

    const link = /https?:\/\/\S+\/t\/r\/[\w.-]+/.exec(message.body ?? '')?.[0];
    expect(link).toBeDefined();
    const path = new URL(link as string).pathname;
    const rated = await stack.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'rating=4&comment=Quick',
    });
    expect(rated.statusCode).toBe(200);
    const [csat] = await stack.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, workspace.id), eq(events.name, 'CSAT Received')));
    expect(csat).toMatchObject({
      contactId: contact.id,
      properties: { ticketId: ticket.id, rating: 4, comment: 'Quick' },
    });
  });
});
