import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { auditLog, events, messages, tickets } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { type ApiStack, apiStack } from '../../../helpers/app';
import { databaseKinds } from '../../../helpers/databases';
import { type Browser, identityApp, member, signIn } from '../../identity/identity-app';

describe.each(databaseKinds())('tickets API (%s, real Temporal dev server)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let agent: Browser;
  let marketer: Browser;
  let workspaceId: string;
  let contactId: string;
  let agentId: string;
  let marketerId: string;

  beforeAll(async () => {
    stack = await apiStack({ kind, app: identityApp });
    ({ database, app } = stack);
    const workspace = await createWorkspace(database.db, 'Support desk');
    workspaceId = workspace.id;
    const agentUser = await member(database, workspaceId, 'support');
    const marketerUser = await member(database, workspaceId, 'marketer');
    agentId = agentUser.id;
    marketerId = marketerUser.id;
    agent = await signIn(app, agentUser.email);
    marketer = await signIn(app, marketerUser.email);
    contactId = (await createContact(database.db, workspaceId, { email: 'grace@example.com' })).id;
  });
  afterAll(() => stack?.close());

  const eventsNamed = (name: string) =>
    database.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, workspaceId), eq(events.name, name)))
      .orderBy(events.receivedAt);

  async function openTicket(body: Record<string, unknown> = {}) {
    const response = await agent.call('POST', '/v1/tickets', {
      subject: 'Order never arrived',
      description: 'Ordered two weeks ago',
      contactId,
      priority: 'high',
      ...body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it('opens a ticket with the due times of its priority and a Ticket Created event on the contact', async () => {
    const policy = await agent.call('PUT', '/v1/sla-policies/high', {
      firstResponseMinutes: 60,
      resolutionMinutes: 480,
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const ticket = await openTicket({ assigneeUserId: agentId, tags: ['shipping', 'shipping', 'eu'] });
    expect(ticket).toMatchObject({
      status: 'new',
      priority: 'high',
      assigneeUserId: agentId,
      tags: ['eu', 'shipping'],
    });
    expect(Date.parse(ticket.firstResponseDueAt) - Date.parse(ticket.createdAt)).toBe(60 * 60_000);
    expect(Date.parse(ticket.resolutionDueAt) - Date.parse(ticket.createdAt)).toBe(480 * 60_000);
    const created = (await eventsNamed('Ticket Created')).find((e) => e.properties.ticketId === ticket.id);
    expect(created).toMatchObject({
      contactId,
      properties: { ticketId: ticket.id, status: 'new', priority: 'high', assignee: agentId },
    });
    const [entry] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.objectId, ticket.id)));
    expect(entry).toMatchObject({ action: 'ticket.create', actorId: agentId });
  });

  it('finds or creates the contact by e-mail', async () => {
    const ticket = await openTicket({ contactId: undefined, email: 'Grace@Example.com' });
    expect(ticket.contactId).toBe(contactId);
  });

  it('refuses an assignee without a support role, naming the field, and changes nothing', async () => {
    const before = await database.db.select().from(tickets).where(eq(tickets.workspaceId, workspaceId));
    const refused = await agent.call('POST', '/v1/tickets', {
      subject: 'x',
      contactId,
      assigneeUserId: marketerId,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'assignee_not_agent', field: 'assigneeUserId' });
    expect(await database.db.select().from(tickets).where(eq(tickets.workspaceId, workspaceId))).toHaveLength(
      before.length,
    );

    const ticket = await openTicket();
    const patch = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { assigneeUserId: marketerId });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.field).toBe('assigneeUserId');
    expect((await agent.call('GET', `/v1/tickets/${ticket.id}`)).json().assigneeUserId).toBeNull();
  });

  it('names the field of a bad priority, status or contact', async () => {
    const priority = await agent.call('POST', '/v1/tickets', { subject: 'x', contactId, priority: 'asap' });
    expect(priority.statusCode).toBe(400);
    expect(priority.json().error.field).toBe('body.priority');
    const contact = await agent.call('POST', '/v1/tickets', {
      subject: 'x',
      contactId: '00000000-0000-4000-8000-000000000000',
    });
    expect(contact.statusCode).toBe(400);
    expect(contact.json().error.field).toBe('contactId');
    const ticket = await openTicket();
    const status = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'done' });
    expect(status.statusCode).toBe(400);
    expect(status.json().error.field).toBe('body.status');
    const both = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, {
      assigneeUserId: agentId,
      queue: 'Billing',
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.field).toBe('queue');
  });

  it('follows the status rules, emits Ticket Status Changed and refuses to reopen a closed ticket', async () => {
    const ticket = await openTicket({ queue: 'Tier 1' });
    const open = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, {
      status: 'open',
      assigneeUserId: agentId,
    });
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json()).toMatchObject({ status: 'open', assigneeUserId: agentId, queue: null });
    const backToNew = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'new' });
    expect(backToNew.statusCode).toBe(409);
    expect(backToNew.json().error).toMatchObject({ code: 'ticket_transition_invalid', field: 'status' });

    const resolved = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'resolved' });
    expect(resolved.json().resolvedAt).not.toBeNull();
    const closed = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'closed' });
    expect(closed.json().closedAt).not.toBeNull();
    const reopen = await agent.call('PATCH', `/v1/tickets/${ticket.id}`, {
      status: 'open',
      priority: 'urgent',
    });
    expect(reopen.statusCode).toBe(409);
    expect((await agent.call('GET', `/v1/tickets/${ticket.id}`)).json()).toMatchObject({
      status: 'closed',
      priority: 'high',
    });

    const changes = (await eventsNamed('Ticket Status Changed')).filter(
      (e) => e.properties.ticketId === ticket.id,
    );
    expect(changes.map((e) => [e.properties.previous, e.properties.status])).toEqual([
      ['new', 'open'],
      ['open', 'resolved'],
      ['resolved', 'closed'],
    ]);
    expect(changes[1].properties).toMatchObject({ priority: 'high', assignee: agentId });
    expect(changes[1].properties.ratingUrl).toMatch(/\/t\/r\/[\w-]+\.[\w-]+$/);
  });

  it('keeps internal notes and replies; the first agent reply is the first response', async () => {
    const ticket = await openTicket();
    const note = await agent.call('POST', `/v1/tickets/${ticket.id}/comments`, {
      kind: 'internal',
      body: 'Carrier?',
    });
    expect(note.statusCode).toBe(201);
    expect((await agent.call('GET', `/v1/tickets/${ticket.id}`)).json().firstResponseAt).toBeNull();
    const reply = await agent.call('POST', `/v1/tickets/${ticket.id}/comments`, {
      kind: 'reply',
      body: 'On its way',
    });
    expect(reply.json()).toMatchObject({ kind: 'reply', authorUserId: agentId });
    const detail = (await agent.call('GET', `/v1/tickets/${ticket.id}`)).json();
    expect(detail.firstResponseAt).toBe(reply.json().createdAt);
    // The reply, not the note, went to the contact by e-mail (the dev outbox here).
    const mails = await database.db
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, workspaceId),
          eq(messages.idempotencyKey, `ticket-reply:${reply.json().id}`),
        ),
      );
    expect(mails.map((m) => [m.recipient, m.subject, m.body])).toEqual([
      ['grace@example.com', 'Re: Order never arrived', 'On its way'],
    ]);
    expect(
      await database.db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.workspaceId, workspaceId),
            eq(messages.idempotencyKey, `ticket-reply:${note.json().id}`),
          ),
        ),
    ).toEqual([]);
    expect(detail.comments.map((c: { kind: string }) => c.kind)).toEqual(['internal', 'reply']);
    expect(detail.contact.email).toBe('grace@example.com');
    const empty = await agent.call('POST', `/v1/tickets/${ticket.id}/comments`, {
      kind: 'reply',
      body: '  ',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.field).toBe('body.body');
  });

  it('records a CSAT rating through the signed public link and emits CSAT Received', async () => {
    const ticket = await openTicket({ assigneeUserId: agentId });
    await agent.call('PATCH', `/v1/tickets/${ticket.id}`, { status: 'resolved' });
    const [change] = (await eventsNamed('Ticket Status Changed')).filter(
      (e) => e.properties.ticketId === ticket.id,
    );
    const path = new URL(change.properties.ratingUrl as string).pathname;

    const page = await app.inject({ method: 'GET', url: `${path}?rating=4` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Order never arrived');
    expect(page.body).toContain('value="4" checked');

    const tooHigh = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'rating=6',
    });
    expect(tooHigh.statusCode).toBe(400);
    const tampered = await app.inject({ method: 'GET', url: `${path.slice(0, -3)}abc` });
    expect(tampered.statusCode).toBe(400);

    const rated = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'rating=5&comment=Fast+and+kind',
    });
    expect(rated.statusCode).toBe(200);
    expect(rated.body).toContain('Thank you');
    const csat = (await eventsNamed('CSAT Received')).filter((e) => e.properties.ticketId === ticket.id);
    expect(csat.map((e) => e.properties)).toMatchObject([
      { ticketId: ticket.id, rating: 5, comment: 'Fast and kind' },
    ]);
    expect((await agent.call('GET', `/v1/tickets/${ticket.id}`)).json().rating).toMatchObject({
      rating: 5,
      agentUserId: agentId,
    });
  });

  it('refuses a rating for a ticket that is not resolved', async () => {
    const { ratingUrl } = await import('../../../../engine/crm/tickets/ratings');
    const { testSecretBox } = await import('../../../helpers/channels');
    const ticket = await openTicket();
    const path = new URL(ratingUrl(testSecretBox, 'http://x', workspaceId, ticket.id)).pathname;
    const early = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'rating=1',
    });
    expect(early.statusCode).toBe(409);
  });

  it('lets only roles with tickets permissions in', async () => {
    expect((await marketer.call('GET', '/v1/tickets')).statusCode).toBe(403);
    const list = await agent.call('GET', '/v1/tickets?status=new&priority=high&q=arrived');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.length).toBeGreaterThan(0);
    const agents = await agent.call('GET', '/v1/ticket-agents');
    expect(agents.json().data.map((a: { userId: string }) => a.userId)).toEqual([agentId]);
  });

  it('pages the inbox newest first by cursor, without skipping tickets opened in the same instant', async () => {
    // Five tickets in the "Paging" queue; two share a creation time, so only the id orders them.
    const base = Date.parse('2026-03-01T10:00:00Z');
    const times = [0, 1000, 1000, 2000, 3000].map((ms) => new Date(base + ms));
    const rows = await database.db
      .insert(tickets)
      .values(
        times.map((createdAt, i) => ({
          workspaceId,
          contactId,
          subject: `Paged ${i}`,
          queue: 'Paging',
          createdAt,
        })),
      )
      .returning();
    const expected = [...rows]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((t) => t.id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await agent.call(
        'GET',
        `/v1/tickets?queue=Paging&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json();
      seen.push(...body.data.map((t: { id: string }) => t.id));
      sizes.push(body.data.length);
      cursor = body.nextCursor;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(expected);
    const bad = await agent.call('GET', '/v1/tickets?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'cursor_invalid', field: 'cursor' });
  });
});
