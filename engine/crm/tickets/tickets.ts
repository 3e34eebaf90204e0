import { and, asc, desc, eq, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import {
  contacts,
  TICKET_CHANNELS,
  TICKET_COMMENT_KINDS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketStatus,
  ticketComments,
  tickets,
} from '../../../db/schema';
import { createContact } from '../../audience/contacts/contacts';
import { beforeCursor, encodeCursor, exactTime } from '../../audience/contacts/cursor';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { checkAssignee } from './assignees';
import { type SlaTemporal, signalTicketSla, startTicketSla } from './sla';
import { dueTimes } from './sla-policies';
import { storeTicketEvent, TICKET_CREATED, TICKET_STATUS_CHANGED } from './ticket-events';

export type TicketRow = typeof tickets.$inferSelect;
export type TicketCommentRow = typeof ticketComments.$inferSelect;

/** What ticket changes need besides the database: where SLA timers run, how rating links look. */
export interface TicketDeps {
  db: Db;
  /** Absent: no SLA timers are started or settled (the caller has no Temporal). */
  sla?: SlaTemporal;
  /** The public CSAT link of a ticket, carried by `Ticket Status Changed` when it is resolved. */
  ratingUrl?: (workspaceId: string, ticketId: string) => string;
}

/** Who acts: a user (an agent), or a key, a journey or the system (null user). */
export interface TicketActor {
  userId: string | null;
  label?: string;
}

const tag = z.string().trim().min(1).max(64);
const queue = z.string().trim().min(1).max(100);

export const ticketInputSchema = z.object({
  subject: z.string().trim().min(1).max(300),
  description: z.string().max(20_000).default(''),
  contactId: z.uuid().optional().describe('The contact who raised it; or give `email`'),
  email: z
    .email()
    .optional()
    .describe('Find the contact by e-mail (created when missing) when `contactId` is absent'),
  channel: z.enum(TICKET_CHANNELS).default('web').describe('Where the request came from'),
  priority: z.enum(TICKET_PRIORITIES).default('normal'),
  assigneeUserId: z.uuid().nullable().optional().describe('A member whose role works tickets'),
  queue: queue.nullable().optional().describe('A team queue, instead of a user'),
  tags: z.array(tag).max(50).default([]),
});
export type TicketInput = z.input<typeof ticketInputSchema>;

export const ticketPatchSchema = z
  .object({
    subject: z.string().trim().min(1).max(300),
    description: z.string().max(20_000),
    status: z.enum(TICKET_STATUSES),
    priority: z.enum(TICKET_PRIORITIES),
    assigneeUserId: z.uuid().nullable(),
    queue: queue.nullable(),
    tags: z.array(tag).max(50),
  })
  .partial();
export type TicketPatch = z.infer<typeof ticketPatchSchema>;

export const commentInputSchema = z.object({
  kind: z.enum(TICKET_COMMENT_KINDS).describe('`internal` for agents only, `reply` to the contact'),
  body: z.string().trim().min(1).max(20_000),
});
export type CommentInput = z.infer<typeof commentInputSchema>;

export const ticketQuerySchema = z.object({
  status: z
    .union([z.enum(TICKET_STATUSES), z.array(z.enum(TICKET_STATUSES))])
    .optional()
    .describe('One status or several'),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assigneeUserId: z.uuid().optional(),
  unassigned: z
    .union([z.boolean(), z.stringbool()])
    .optional()
    .describe('Only tickets with neither a user nor a queue'),
  queue: queue.optional(),
  contactId: z.uuid().optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Words in the subject or description'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export type TicketQuery = z.input<typeof ticketQuerySchema>;

/**
 * Which status may follow which. `new` is only where a ticket starts; `closed` is final (a
 * closed request that comes back is a new ticket); a resolved ticket may be reopened.
 */
export const STATUS_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export class TicketTransitionInvalid extends Conflict {
  constructor(from: TicketStatus, to: TicketStatus) {
    const allowed = STATUS_TRANSITIONS[from];
    super(
      'ticket_transition_invalid',
      allowed.length
        ? `A ${from} ticket can become ${allowed.join(', ')}, not ${to}`
        : `A closed ticket cannot change status; open a new ticket instead`,
      'status',
    );
  }
}

function assertOneAssignee(assigneeUserId: string | null | undefined, queueName: string | null | undefined) {
  if (assigneeUserId && queueName) {
    throw new InvalidInput(
      'ticket_assignee_and_queue',
      'Assign a ticket to a user or to a queue, not both',
      'queue',
    );
  }
}

async function resolveContact(db: Db, workspaceId: string, input: { contactId?: string; email?: string }) {
  if (input.contactId) {
    const [row] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, input.contactId)));
    if (!row)
      throw new InvalidInput(
        'contact_not_found',
        `No contact ${input.contactId} in this workspace`,
        'contactId',
      );
    return row.id;
  }
  if (input.email) {
    const email = input.email.trim().toLowerCase();
    const [row] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.email, email)))
      .orderBy(asc(contacts.createdAt))
      .limit(1);
    return row?.id ?? (await createContact(db, workspaceId, { email })).id;
  }
  throw new InvalidInput('ticket_contact_missing', 'Give the contact: contactId or email', 'contactId');
}

/**
 * Opens a ticket: the row, its `Ticket Created` event on the contact and the SLA timers of its
 * priority, all or nothing (the timers start inside the transaction; a commit that fails after
 * them leaves a workflow that finds no ticket and ends). A caller that may retry (a journey
 * node) passes a deterministic `id`: a ticket with that id is returned as it is.
 */
export async function createTicket(
  deps: TicketDeps,
  workspaceId: string,
  raw: TicketInput,
  actor: TicketActor,
  options: { id?: string } = {},
): Promise<TicketRow> {
  const input = ticketInputSchema.parse(raw);
  assertOneAssignee(input.assigneeUserId, input.queue);
  const { db } = deps;
  if (input.assigneeUserId) await checkAssignee(db, workspaceId, input.assigneeUserId);
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    if (options.id) {
      const [existing] = await tx
        .select()
        .from(tickets)
        .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, options.id)));
      if (existing) return existing;
    }
    const contactId = await resolveContact(tx, workspaceId, input);
    const now = new Date();
    const due = await dueTimes(tx, workspaceId, input.priority, now);
    const [ticket] = await tx
      .insert(tickets)
      .values({
        ...(options.id && { id: options.id }),
        workspaceId,
        subject: input.subject,
        description: input.description,
        contactId,
        channel: input.channel,
        priority: input.priority,
        assigneeUserId: input.assigneeUserId ?? null,
        queue: input.queue ?? null,
        tags: [...new Set(input.tags)].sort(),
        firstResponseDueAt: due.firstResponseDueAt,
        resolutionDueAt: due.resolutionDueAt,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await storeTicketEvent(tx, ticket, TICKET_CREATED, 'created', {
      subject: ticket.subject,
      channel: ticket.channel,
      tags: ticket.tags,
    });
    if (deps.sla) {
      await startTicketSla(deps.sla, {
        workspaceId,
        ticketId: ticket.id,
        firstResponseAfterMs: after(ticket.firstResponseDueAt, now),
        resolutionAfterMs: after(ticket.resolutionDueAt, now),
      });
    }
    return ticket;
  });
}

const after = (due: Date | null, from: Date) => (due ? due.getTime() - from.getTime() : null);

export async function getTicket(db: Db, workspaceId: string, ticketId: string): Promise<TicketRow> {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)));
  if (!row) throw new NotFound('Ticket', ticketId);
  return row;
}

/**
 * Newest first, filtered as the inbox asks, one page at a time: pages are keyed on (created, id)
 * as contacts are, so tickets opened meanwhile never shift a page.
 */
export async function listTickets(
  db: Db,
  workspaceId: string,
  raw: TicketQuery = {},
): Promise<{ data: TicketRow[]; nextCursor: string | null }> {
  const query = ticketQuerySchema.parse(raw);
  const where: (SQL | undefined)[] = [eq(tickets.workspaceId, workspaceId)];
  if (query.status) {
    where.push(inArray(tickets.status, Array.isArray(query.status) ? query.status : [query.status]));
  }
  if (query.priority) where.push(eq(tickets.priority, query.priority));
  if (query.assigneeUserId) where.push(eq(tickets.assigneeUserId, query.assigneeUserId));
  if (query.queue) where.push(eq(tickets.queue, query.queue));
  if (query.unassigned) where.push(and(isNull(tickets.assigneeUserId), isNull(tickets.queue)));
  if (query.contactId) where.push(eq(tickets.contactId, query.contactId));
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(tickets.subject, pattern), ilike(tickets.description, pattern)));
  }
  where.push(beforeCursor(query.cursor, tickets.createdAt, tickets.id));
  const rows = await db
    .select({ ticket: tickets, at: exactTime(tickets.createdAt) })
    .from(tickets)
    .where(and(...where))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => r.ticket),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.ticket.id) : null,
  };
}

/**
 * Changes a ticket's fields in one transaction with its events: a status change is checked
 * against `STATUS_TRANSITIONS` and emits `Ticket Status Changed` (with the CSAT link when it is
 * resolved); resolving or closing settles the SLA timers.
 */
export async function updateTicket(
  deps: TicketDeps,
  workspaceId: string,
  ticketId: string,
  patch: TicketPatch,
): Promise<TicketRow> {
  const { db } = deps;
  if (patch.assigneeUserId) await checkAssignee(db, workspaceId, patch.assigneeUserId);
  const updated = await db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    const [current] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)))
      .for('update');
    if (!current) throw new NotFound('Ticket', ticketId);
    const statusChanges = patch.status !== undefined && patch.status !== current.status;
    if (statusChanges && !STATUS_TRANSITIONS[current.status].includes(patch.status as TicketStatus)) {
      throw new TicketTransitionInvalid(current.status, patch.status as TicketStatus);
    }
    // Assigning a user takes the ticket out of its queue and the other way round.
    const assignee =
      patch.assigneeUserId !== undefined || patch.queue !== undefined
        ? {
            assigneeUserId:
              patch.assigneeUserId !== undefined
                ? patch.assigneeUserId
                : patch.queue
                  ? null
                  : current.assigneeUserId,
            queue: patch.queue !== undefined ? patch.queue : patch.assigneeUserId ? null : current.queue,
          }
        : {};
    assertOneAssignee(patch.assigneeUserId, patch.queue);
    const now = new Date();
    const status = patch.status ?? current.status;
    const [ticket] = await tx
      .update(tickets)
      .set({
        ...(patch.subject !== undefined && { subject: patch.subject }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.priority !== undefined && { priority: patch.priority }),
        ...(patch.tags !== undefined && { tags: [...new Set(patch.tags)].sort() }),
        ...assignee,
        ...(statusChanges && {
          status,
          resolvedAt: status === 'resolved' ? now : status === 'closed' ? (current.resolvedAt ?? now) : null,
          closedAt: status === 'closed' ? now : null,
        }),
        updatedAt: now,
      })
      .where(eq(tickets.id, ticketId))
      .returning();
    if (statusChanges) {
      await storeTicketEvent(tx, ticket, TICKET_STATUS_CHANGED, `status:${now.toISOString()}`, {
        previous: current.status,
        ...(status === 'resolved' && deps.ratingUrl && { ratingUrl: deps.ratingUrl(workspaceId, ticket.id) }),
      });
    }
    return { ticket, settled: statusChanges && (status === 'resolved' || status === 'closed') };
  });
  if (updated.settled && deps.sla) await signalTicketSla(deps.sla, workspaceId, ticketId, 'resolved');
  return updated.ticket;
}

/**
 * Adds a note. The first `reply` by an agent (a signed-in user) is the ticket's first response:
 * it stamps `first_response_at` and settles the first-response timer.
 */
export async function addComment(
  deps: TicketDeps,
  workspaceId: string,
  ticketId: string,
  raw: CommentInput,
  actor: TicketActor,
): Promise<TicketCommentRow> {
  const input = commentInputSchema.parse(raw);
  const { db } = deps;
  const result = await db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    const [ticket] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)))
      .for('update');
    if (!ticket) throw new NotFound('Ticket', ticketId);
    if (ticket.status === 'closed') {
      throw new Conflict('ticket_closed', 'A closed ticket takes no more comments', 'ticketId');
    }
    const [comment] = await tx
      .insert(ticketComments)
      .values({
        workspaceId,
        ticketId,
        kind: input.kind,
        body: input.body,
        authorUserId: actor.userId,
        authorLabel: actor.label ?? null,
      })
      .returning();
    const firstResponse = input.kind === 'reply' && actor.userId !== null && ticket.firstResponseAt === null;
    if (firstResponse) {
      await tx
        .update(tickets)
        .set({ firstResponseAt: comment.createdAt, updatedAt: sql`now()` })
        .where(eq(tickets.id, ticketId));
    }
    return { comment, firstResponse };
  });
  if (result.firstResponse && deps.sla) await signalTicketSla(deps.sla, workspaceId, ticketId, 'responded');
  return result.comment;
}

export async function listComments(
  db: Db,
  workspaceId: string,
  ticketId: string,
): Promise<TicketCommentRow[]> {
  await getTicket(db, workspaceId, ticketId);
  return db
    .select()
    .from(ticketComments)
    .where(and(eq(ticketComments.workspaceId, workspaceId), eq(ticketComments.ticketId, ticketId)))
    .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id));
}
