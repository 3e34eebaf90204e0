import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, dealStageHistory, deals, events, tickets } from '../../../../db/schema';
import { ticketSlaWorkflowId } from '../../../../engine/crm/tickets/sla-signals';
import { member } from '../../identity/identity-app';
import { hookStack } from './hook-stack';

/**
 * Inbound webhooks whose mapping opens deals and tickets directly, no journey in between:
 * real signed HTTP requests to the hook endpoint (app.inject), PGlite, the Temporal dev server
 * for the tickets' SLA timers.
 */
describe('inbound webhook actions: deals and tickets from a delivery (API, PGlite, Temporal dev server)', () => {
  const fixture = hookStack('Hook actions shop');
  const { stack, call } = fixture;

  async function pipeline() {
    const response = await call('POST', '/v1/pipelines', {
      name: `Leads ${Math.random().toString(36).slice(2, 7)}`,
      stages: [
        { name: 'New', winProbability: 10 },
        { name: 'Qualified', winProbability: 40 },
        { name: 'Won', closedWon: true },
      ],
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; stages: { id: string; name: string }[] };
  }

  const dealsOfWorkspace = () =>
    stack.db.select().from(deals).where(eq(deals.workspaceId, fixture.workspace.id));
  const ticketsOfWorkspace = () =>
    stack.db.select().from(tickets).where(eq(tickets.workspaceId, fixture.workspace.id));

  it('refuses a mapping whose actions cannot work, naming the field, and saves nothing', async () => {
    const { id: pipelineId } = await pipeline();
    const other = await pipeline();
    const marketer = await member(stack.database, fixture.workspace.id, 'marketer');
    const refusals: [unknown, string][] = [
      [{ type: 'deal', pipelineId }, 'body.mapping.actions.0.title'],
      [
        { type: 'deal', pipelineId: '00000000-0000-4000-8000-000000000000', title: 'Lead' },
        'mapping.actions.0.pipelineId',
      ],
      [{ type: 'deal', pipelineId, stageId: other.stages[1].id, title: 'Lead' }, 'mapping.actions.0.stageId'],
      [{ type: 'ticket', subjectPath: 'subject', priority: 'someday' }, 'body.mapping.actions.0.priority'],
      [{ type: 'ticket', subject: 'Help', assigneeUserId: marketer.id }, 'mapping.actions.0.assigneeUserId'],
    ];
    for (const [action, field] of refusals) {
      const response = await call('POST', '/v1/hooks', {
        name: 'Broken',
        mapping: { eventName: 'Lead Submitted', emailPath: 'email', actions: [action] },
      });
      expect(response.statusCode, response.body).toBe(400);
      const error = response.json().error;
      expect([error.field, ...(error.issues ?? []).map((i: { field: string }) => i.field)]).toContain(field);
    }
    expect((await call('GET', '/v1/hooks')).json().data).toEqual([]);
  });

  it('opens a deal and a ticket for the sender of a delivery, once even when redelivered', async () => {
    const leads = await pipeline();
    const agent = await member(stack.database, fixture.workspace.id, 'support');
    const policy = await call('PUT', '/v1/sla-policies/high', {
      firstResponseMinutes: 30,
      resolutionMinutes: 480,
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const hook = await fixture.createHook('Shop form', {
      eventName: 'Quote Requested',
      emailPath: 'customer.email',
      actions: [
        {
          type: 'deal',
          pipelineId: leads.id,
          titlePath: 'customer.company',
          valuePath: 'budget',
          currency: 'USD',
        },
        {
          type: 'ticket',
          subjectPath: 'subject',
          descriptionPath: 'message',
          priorityPath: 'urgency',
          assigneeUserId: agent.id,
          tags: ['quote'],
        },
      ],
    });
    const body = {
      customer: { email: 'Ines@Example.com', company: 'Ines & Co' },
      budget: '1250.50',
      subject: 'Quote for 40 chairs',
      message: 'Delivery in May.',
      urgency: 'High',
    };
    const first = await fixture.deliver(hook, body, 'msg_quote_1');
    expect([200, 202], first.body).toContain(first.statusCode);
    const again = await fixture.deliver(hook, body, 'msg_quote_1');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      duplicate: true,
      deals: first.json().deals,
      tickets: first.json().tickets,
    });

    const [sender] = await stack.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, fixture.workspace.id), eq(contacts.email, 'ines@example.com')));
    const [deal] = await dealsOfWorkspace();
    expect(first.json().deals).toEqual([deal.id]);
    expect(deal).toMatchObject({
      title: 'Ines & Co',
      value: 1250.5,
      currency: 'USD',
      stageId: leads.stages[0].id,
      status: 'open',
    });
    expect(
      (await call('GET', `/v1/deals/${deal.id}`)).json().contacts.map((c: { id: string }) => c.id),
    ).toEqual([sender.id]);
    const [ticket] = await ticketsOfWorkspace();
    expect(first.json().tickets).toEqual([ticket.id]);
    expect(ticket).toMatchObject({
      subject: 'Quote for 40 chairs',
      description: 'Delivery in May.',
      priority: 'high',
      channel: 'webhook',
      assigneeUserId: agent.id,
      contactId: sender.id,
      tags: ['quote'],
    });
    expect(ticket.firstResponseDueAt!.getTime() - ticket.createdAt.getTime()).toBe(30 * 60_000);
    const sla = stack.temporal.client.workflow.getHandle(
      ticketSlaWorkflowId(fixture.workspace.id, ticket.id),
    );
    expect((await sla.describe()).status.name).toBe('RUNNING');
    await sla.terminate('test done');
    const stored = await stack.db.select().from(events).where(eq(events.workspaceId, fixture.workspace.id));
    expect(stored.filter((e) => e.name === 'Quote Requested')).toHaveLength(1);
    expect(stored.filter((e) => e.name === 'Ticket Created')).toHaveLength(1);
  });

  it("updates the sender's open deal on a later lead: new value, moved stage, history kept", async () => {
    const leads = await pipeline();
    const hook = await fixture.createHook('Lead form', {
      eventName: 'Lead Updated',
      emailPath: 'email',
      actions: [
        {
          type: 'deal',
          pipelineId: leads.id,
          stageId: leads.stages[0].id,
          title: 'Web lead',
          valuePath: 'budget',
          updateOpenDeal: true,
        },
      ],
    });
    const opened = await fixture.deliver(hook, { email: 'omar@example.com', budget: 100 });
    const [dealId] = opened.json().deals;
    // Re-mapped to move leads on: the same sender's open deal moves, it is not duplicated.
    const remapped = await call('PUT', `/v1/hooks/${hook.id}`, {
      name: 'Lead form',
      mapping: {
        eventName: 'Lead Updated',
        emailPath: 'email',
        actions: [
          {
            type: 'deal',
            pipelineId: leads.id,
            stageId: leads.stages[1].id,
            title: 'Web lead',
            valuePath: 'budget',
            updateOpenDeal: true,
          },
        ],
      },
    });
    expect(remapped.statusCode, remapped.body).toBe(200);
    const updated = await fixture.deliver(hook, { email: 'omar@example.com', budget: 900 });
    expect(updated.json().deals).toEqual([dealId]);
    const [deal] = await stack.db.select().from(deals).where(eq(deals.id, dealId));
    expect(deal).toMatchObject({ value: 900, stageId: leads.stages[1].id });
    const history = await stack.db.select().from(dealStageHistory).where(eq(dealStageHistory.dealId, dealId));
    expect(history.map((h) => h.stageId).sort()).toEqual([leads.stages[0].id, leads.stages[1].id].sort());
    expect(await stack.db.select().from(deals).where(eq(deals.pipelineId, leads.id))).toHaveLength(1);
  });

  it('refuses a payload the actions cannot use, naming the field, and stores nothing', async () => {
    const leads = await pipeline();
    const hook = await fixture.createHook('Budget form', {
      eventName: 'Budget Sent',
      emailPath: 'email',
      actions: [
        { type: 'deal', pipelineId: leads.id, titlePath: 'company', valuePath: 'budget' },
        { type: 'ticket', subject: 'Budget question', priorityPath: 'urgency' },
      ],
    });
    const cases: [unknown, string][] = [
      [{ email: 'kai@example.com', company: 'Kai', budget: 'lots' }, 'mapping.actions.0.valuePath'],
      [{ email: 'kai@example.com', budget: 10 }, 'mapping.actions.0.titlePath'],
      [
        { email: 'kai@example.com', company: 'Kai', budget: 10, urgency: 'yesterday' },
        'mapping.actions.1.priorityPath',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await fixture.deliver(hook, body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.field).toBe(field);
    }
    const stored = await stack.db.select().from(events).where(eq(events.name, 'Budget Sent'));
    expect(stored).toHaveLength(0);
    expect(await stack.db.select().from(deals).where(eq(deals.pipelineId, leads.id))).toHaveLength(0);
  });
});
