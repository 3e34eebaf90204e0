import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { SlaTemporal } from '../../crm/tickets/sla';
import { createTicket } from '../../crm/tickets/tickets';
import { defineNode, nextPort } from '../../sdk/define-node';

/** A uuid derived from the node visit's idempotency key: a retried activity finds its ticket. */
function ticketIdFor(idempotencyKey: string): string {
  const hex = createHash('sha256').update(`ticket:${idempotencyKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The Temporal client of the activity running the node, so the ticket's SLA timers start; none in a node test. */
function activitySla(): SlaTemporal | undefined {
  try {
    const context = Context.current();
    return { temporal: context.client, taskQueue: context.info.taskQueue };
  } catch {
    return undefined;
  }
}

const fill = (text: string, properties: Record<string, unknown>) =>
  text.replace(/\{\{\s*event\.([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => String(properties[key] ?? ''));

export const ticketCreate = defineNode({
  type: 'ticket.create',
  version: 1,
  kind: 'action',
  title: 'Create a ticket',
  category: 'CRM',
  description:
    'Opens a service ticket for the contact (channel "journey"), with its SLA timers. `{{ event.<property> }}` in the subject or description is replaced by the entry event’s property.',
  config: z.object({
    subject: z.string().min(1).max(300).describe('e.g. "Follow up order {{ event.orderId }}"'),
    description: z.string().max(20_000).default(''),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
    queue: z.string().max(100).optional().describe('Team queue the ticket lands in'),
    tags: z.array(z.string().min(1).max(64)).max(20).default([]),
  }),
  ports: [nextPort],
  summary: (c) => `Ticket “${c.subject}” (${c.priority})`,
  async execute(config, ctx) {
    const properties = ctx.trigger?.properties ?? {};
    const ticket = await createTicket(
      { db: ctx.db, sla: activitySla() },
      ctx.workspaceId,
      {
        subject: fill(config.subject, properties).trim() || config.subject,
        description: fill(config.description, properties),
        contactId: ctx.contact.id,
        channel: 'journey',
        priority: config.priority,
        queue: config.queue || null,
        tags: config.tags,
      },
      { userId: null, label: `journey ${ctx.journeyId}` },
      { id: ticketIdFor(ctx.idempotencyKey) },
    );
    return { output: { ticketId: ticket.id, status: ticket.status } };
  },
});
