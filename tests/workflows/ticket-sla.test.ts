import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { messages, ticketEscalations } from '../../db/schema';
import { createTicketActivities } from '../../engine/activities/tickets';
import { saveSlaPolicy } from '../../engine/crm/tickets/sla-policies';
import { ticketSlaWorkflowId } from '../../engine/crm/tickets/sla-signals';
import {
  addComment,
  createTicket,
  getTicket,
  type TicketDeps,
  updateTicket,
} from '../../engine/crm/tickets/tickets';
import { addMember } from '../../engine/identity/memberships';
import { createUser } from '../../engine/identity/users';
import { testSecretBox } from '../helpers/channels';
import { workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

const HOUR = 3_600_000;

describe('ticket SLA timers (real time-skipping test server, PGlite, the ticket activities)', () => {
  const stack = journeyStack('time-skipping');
  const deps = (): TicketDeps => ({
    db: stack.db,
    sla: { temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
  });

  /** A workspace whose normal tickets must be answered in 4 hours and resolved in 24. */
  async function supportDesk() {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { email: `c-${randomUUID()}@example.com` });
    const agent = await createUser(db, { email: `agent-${randomUUID()}@example.com`, name: 'Agent' });
    const lead = await createUser(db, { email: `lead-${randomUUID()}@example.com`, name: 'Lead' });
    await addMember(db, workspace.id, agent.id, 'support');
    await addMember(db, workspace.id, lead.id, 'support');
    await saveSlaPolicy(db, workspace.id, {
      priority: 'normal',
      firstResponseMinutes: 4 * 60,
      resolutionMinutes: 24 * 60,
      escalateToUserId: lead.id,
      notifyEmail: 'support-leads@example.com',
      raisePriority: true,
    });
    return { workspace, contact, agent, lead };
  }

  const escalationsOf = (ticketId: string) =>
    stack.db.select().from(ticketEscalations).where(eq(ticketEscalations.ticketId, ticketId));

  it('escalates exactly once when the 4-hour first-response target is missed', async () => {
    const { db } = stack;
    const { workspace, contact, agent, lead } = await supportDesk();
    const ticket = await createTicket(
      deps(),
      workspace.id,
      { subject: 'Cannot sign in', contactId: contact.id, assigneeUserId: agent.id },
      { userId: agent.id },
    );
    expect(ticket.firstResponseDueAt!.getTime() - ticket.createdAt.getTime()).toBe(4 * HOUR);
    const handle = stack.temporal.client.workflow.getHandle(ticketSlaWorkflowId(workspace.id, ticket.id));

    // Five hours pass without a reply: the first-response timer fires at 4 h.
    await stack.temporal.env!.sleep(5 * HOUR);
    for (let i = 0; i < 100 && (await escalationsOf(ticket.id)).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [escalation, ...more] = await escalationsOf(ticket.id);
    expect(more).toEqual([]);
    expect(escalation).toMatchObject({
      target: 'first_response',
      fromAssigneeUserId: agent.id,
      toAssigneeUserId: lead.id,
      fromPriority: 'normal',
      toPriority: 'high',
      notified: 'support-leads@example.com',
    });
    const escalated = await getTicket(db, workspace.id, ticket.id);
    expect(escalated).toMatchObject({ priority: 'high', assigneeUserId: lead.id });

    // A retried activity changes nothing and sends no second notice.
    const retry = await createTicketActivities({ db, secretBox: testSecretBox }).escalateTicket({
      workspaceId: workspace.id,
      ticketId: ticket.id,
      target: 'first_response',
    });
    expect(retry).toEqual({ escalated: false, reason: 'already escalated' });
    expect(await escalationsOf(ticket.id)).toHaveLength(1);
    const notices = await db
      .select()
      .from(messages)
      .where(
        and(eq(messages.workspaceId, workspace.id), eq(messages.recipient, 'support-leads@example.com')),
      );
    expect(notices).toHaveLength(1);
    expect(notices[0].subject).toBe('SLA breached: Cannot sign in');

    // Resolving settles the resolution timer: the workflow ends with one breach.
    await updateTicket(deps(), workspace.id, ticket.id, { status: 'resolved' });
    expect(await handle.result()).toEqual({ first_response: 'breached', resolution: 'met' });
    expect(await escalationsOf(ticket.id)).toHaveLength(1);
  });

  it('never escalates when an agent replies before the 4 hours are up', async () => {
    const { db } = stack;
    const { workspace, contact, agent } = await supportDesk();
    const ticket = await createTicket(
      deps(),
      workspace.id,
      { subject: 'Invoice question', contactId: contact.id, assigneeUserId: agent.id },
      { userId: null, label: 'api' },
    );
    const handle = stack.temporal.client.workflow.getHandle(ticketSlaWorkflowId(workspace.id, ticket.id));
    await stack.temporal.env!.sleep(3 * HOUR);
    // An internal note is not a response; the reply is.
    await addComment(
      deps(),
      workspace.id,
      ticket.id,
      { kind: 'internal', body: 'Checking billing' },
      { userId: agent.id },
    );
    await addComment(
      deps(),
      workspace.id,
      ticket.id,
      { kind: 'reply', body: 'Here is your invoice' },
      { userId: agent.id },
    );
    expect((await getTicket(db, workspace.id, ticket.id)).firstResponseAt).not.toBeNull();
    // Well past the 4-hour target, but before the 24-hour one.
    await stack.temporal.env!.sleep(10 * HOUR);
    expect(await escalationsOf(ticket.id)).toEqual([]);
    await updateTicket(deps(), workspace.id, ticket.id, { status: 'resolved' });
    expect(await handle.result()).toEqual({ first_response: 'met', resolution: 'met' });
    expect(await escalationsOf(ticket.id)).toEqual([]);
    expect((await getTicket(db, workspace.id, ticket.id)).priority).toBe('normal');
  });
});
