import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { users } from './identity';
import { createdAt, updatedAt, workspaceId } from './workspaces';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Lowest first: escalation raises a ticket one step along this list. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Where a request came from. */
export const TICKET_CHANNELS = ['email', 'web', 'phone', 'chat', 'api', 'webhook', 'journey'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const TICKET_COMMENT_KINDS = ['internal', 'reply'] as const;
export type TicketCommentKind = (typeof TICKET_COMMENT_KINDS)[number];

export const SLA_TARGETS = ['first_response', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

/**
 * A service request of a contact. It is assigned to a user (who holds a role that works
 * tickets) or to a queue (a team name), not both. The SLA due times are fixed when the ticket
 * is created from its priority's policy; `first_response_at` is the first reply by an agent.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: TICKET_CHANNELS }).notNull().default('web'),
    priority: text('priority', { enum: TICKET_PRIORITIES }).notNull().default('normal'),
    status: text('status', { enum: TICKET_STATUSES }).notNull().default('new'),
    assigneeUserId: uuid('assignee_user_id').references(() => users.id, { onDelete: 'set null' }),
    queue: text('queue'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    firstResponseDueAt: timestamp('first_response_due_at', { withTimezone: true }),
    resolutionDueAt: timestamp('resolution_due_at', { withTimezone: true }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('tickets_status_idx').on(t.workspaceId, t.status, t.createdAt),
    index('tickets_contact_idx').on(t.contactId),
    index('tickets_assignee_idx').on(t.workspaceId, t.assigneeUserId),
    check('tickets_one_assignee', sql`${t.assigneeUserId} is null or ${t.queue} is null`),
  ],
);

/** A note on a ticket: `internal` for agents only, `reply` sent to the contact. */
export const ticketComments = pgTable(
  'ticket_comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: TICKET_COMMENT_KINDS }).notNull(),
    body: text('body').notNull(),
    authorUserId: uuid('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Who wrote it when not a user: the contact (inbound), an API key, the system. */
    authorLabel: text('author_label'),
    createdAt: createdAt(),
  },
  (t) => [index('ticket_comments_ticket_idx').on(t.ticketId, t.createdAt)],
);

/**
 * Service targets for one priority: minutes to the first reply and to resolution, and what a
 * breach does (reassign to a user or queue, notify an address, raise the priority).
 */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    priority: text('priority', { enum: TICKET_PRIORITIES }).notNull(),
    firstResponseMinutes: integer('first_response_minutes').notNull(),
    resolutionMinutes: integer('resolution_minutes').notNull(),
    escalateToUserId: uuid('escalate_to_user_id').references(() => users.id, { onDelete: 'set null' }),
    escalateToQueue: text('escalate_to_queue'),
    notifyEmail: text('notify_email'),
    raisePriority: boolean('raise_priority').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('sla_policies_priority_idx').on(t.workspaceId, t.priority)],
);

/** One breach of one target of a ticket; the unique key makes an escalation happen once. */
export const ticketEscalations = pgTable(
  'ticket_escalations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    target: text('target', { enum: SLA_TARGETS }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    fromAssigneeUserId: uuid('from_assignee_user_id'),
    toAssigneeUserId: uuid('to_assignee_user_id'),
    toQueue: text('to_queue'),
    fromPriority: text('from_priority', { enum: TICKET_PRIORITIES }).notNull(),
    toPriority: text('to_priority', { enum: TICKET_PRIORITIES }).notNull(),
    notified: text('notified'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ticket_escalations_once_idx').on(t.ticketId, t.target)],
);

/** A contact's satisfaction rating of a resolved ticket; one per ticket, the last one kept. */
export const ticketRatings = pgTable(
  'ticket_ratings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** The agent the ticket was assigned to when it was rated. */
    agentUserId: uuid('agent_user_id').references(() => users.id, { onDelete: 'set null' }),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ticket_ratings_ticket_idx').on(t.ticketId),
    index('ticket_ratings_contact_idx').on(t.contactId),
    check('ticket_ratings_range', sql`${t.rating} between 1 and 5`),
  ],
);
