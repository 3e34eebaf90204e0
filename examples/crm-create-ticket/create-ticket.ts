import { and, eq, sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { defineNode, nextPort, z } from 'wayline/sdk';

/**
 * The plugin's own table: Wayline has no ticket table yet, so the node brings one and creates
 * it in `setup`. One row per node visit (the idempotency key), so a retried run opens one ticket.
 */
export const exampleTickets = pgTable('example_crm_tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  workspaceId: uuid('workspace_id').notNull(),
  contactId: uuid('contact_id'),
  subject: text('subject').notNull(),
  priority: text('priority').notNull(),
  queue: text('queue').notNull(),
  note: text('note'),
  status: text('status').notNull().default('open'),
  idempotencyKey: text('idempotency_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const crmCreateTicket = defineNode({
  type: 'crm.create-ticket',
  version: 1,
  kind: 'action',
  title: 'Open service ticket',
  category: 'CRM',
  description: 'Opens a service ticket for the contact in a support queue.',
  config: z.object({
    subject: z.string().min(1).max(200).describe('What the ticket is about'),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
    queue: z.string().min(1).max(100).default('support').describe('Support queue that picks it up'),
    note: z.string().max(2000).optional().describe('Internal note for the agent'),
  }),
  ports: [nextPort],
  summary: (c) => `Ticket “${c.subject}” (${c.priority ?? 'normal'})`,
  async setup(db) {
    await db.execute(sql`
      create table if not exists example_crm_tickets (
        id uuid primary key default gen_random_uuid(),
        workspace_id uuid not null references workspaces(id) on delete cascade,
        contact_id uuid references contacts(id) on delete set null,
        subject text not null,
        priority text not null,
        queue text not null,
        note text,
        status text not null default 'open',
        idempotency_key text not null,
        created_at timestamptz not null default now(),
        unique (workspace_id, idempotency_key)
      )`);
  },
  async execute(config, ctx) {
    const [created] = await ctx.db
      .insert(exampleTickets)
      .values({
        workspaceId: ctx.workspaceId,
        contactId: ctx.contact.id,
        subject: config.subject,
        priority: config.priority,
        queue: config.queue,
        note: config.note ?? null,
        idempotencyKey: ctx.idempotencyKey,
      })
      .onConflictDoNothing()
      .returning({ id: exampleTickets.id });
    const ticketId =
      created?.id ??
      (
        await ctx.db
          .select({ id: exampleTickets.id })
          .from(exampleTickets)
          .where(
            and(
              eq(exampleTickets.workspaceId, ctx.workspaceId),
              eq(exampleTickets.idempotencyKey, ctx.idempotencyKey),
            ),
          )
      )[0].id;
    if (created) {
      ctx.logger.info('ticket opened', { ticketId, queue: config.queue });
      await ctx.emitEvent('Ticket Opened', { ticketId, subject: config.subject, priority: config.priority });
    }
    await ctx.updateContact({ set: { openTicketId: ticketId } });
    return { output: { ticketId, priority: config.priority, queue: config.queue } };
  },
});
