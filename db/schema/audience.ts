import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, workspaceId } from './workspaces';

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    externalId: text('external_id'),
    anonymousId: text('anonymous_id'),
    email: text('email'),
    phone: text('phone'),
    timezone: text('timezone'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    /** Per trait (attribute key, `email`, `phone`, `timezone`): the event time of the value kept (ISO). */
    traitTimes: jsonb('trait_times').$type<Record<string, string>>().notNull().default({}),
    /** A test contact runs journeys normally; its messages are labelled test and left out of counts. */
    isTest: boolean('is_test').notNull().default(false),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    subscriptions: jsonb('subscriptions')
      .$type<Record<string, 'subscribed' | 'unsubscribed'>>()
      .notNull()
      .default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('contacts_external_idx').on(t.workspaceId, t.externalId),
    uniqueIndex('contacts_anonymous_idx').on(t.workspaceId, t.anonymousId),
    index('contacts_email_idx').on(t.workspaceId, t.email),
  ],
);

/**
 * Tracked and produced events. No foreign keys: ingest writes hundreds per request and their
 * checks (the workspace, the contact) were a sixth of a batch's time in PostgreSQL. Deleting a
 * contact unlinks its events itself (`deleteContact`), a merge moves them (`mergeContacts`),
 * workspaces are never deleted, and a workspace archive knows the two references
 * (`workspace-archive.ts`). An event written while its contact is being deleted may keep the
 * gone contact's id: it then belongs to no contact, as an unlinked one.
 */
export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull(),
    messageId: text('message_id').notNull(),
    contactId: uuid('contact_id'),
    type: text('type').notNull(),
    name: text('name'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_message_idx').on(t.workspaceId, t.messageId),
    index('events_contact_idx').on(t.workspaceId, t.contactId, t.receivedAt),
  ],
);

export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('segments_name_idx').on(t.workspaceId, t.name)],
);

export const segmentMembers = pgTable(
  'segment_members',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id')
      .notNull()
      .references(() => segments.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    enteredAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.segmentId, t.contactId] }),
    // A contact's segments; and its erasure's or merge's foreign-key action, else a full scan.
    index('segment_members_contact_idx').on(t.contactId),
  ],
);

export const lists = pgTable(
  'lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lists_name_idx').on(t.workspaceId, t.name)],
);

export const listMembers = pgTable(
  'list_members',
  {
    workspaceId: workspaceId(),
    listId: uuid('list_id')
      .notNull()
      .references(() => lists.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    addedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.contactId] }),
    // A contact's lists; and its erasure's or merge's foreign-key action, else a full scan.
    index('list_members_contact_idx').on(t.contactId),
  ],
);

export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date', 'enum'] as const;

/**
 * A custom attribute a workspace declares: its type (and options for `enum`) is checked on every
 * write through the API and the UI, and forms and filters show it.
 */
export const attributeDefinitions = pgTable(
  'attribute_definitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    /** The attribute key in `contacts.attributes`. */
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type', { enum: ATTRIBUTE_TYPES }).notNull(),
    options: text('options').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('attribute_definitions_key_idx').on(t.workspaceId, t.key)],
);

/** A named set of contact filters and a sort order, shared by the workspace. */
export const savedViews = pgTable(
  'saved_views',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    query: jsonb('query').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('saved_views_name_idx').on(t.workspaceId, t.name)],
);

/** A segment's size once per day (the last refresh of the day wins), for its size-over-time chart. */
export const segmentSizes = pgTable(
  'segment_sizes',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id')
      .notNull()
      .references(() => segments.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    members: integer('members').notNull(),
    recordedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.day] })],
);

/** Work an accepted event still owes Temporal. What the dispatcher does with a row is `OutboxWork`. */
export interface OutboxWork {
  /** Runs of a contact merged away by an alias, to end because their contact no longer exists. */
  exitWorkflowIds?: string[];
}

/**
 * Written in the same transaction as its event, so an accepted event is never lost on its way
 * to Temporal; `next_attempt_at` doubles as the lease of the dispatcher delivering the row.
 *
 * No foreign keys: ingest writes a row per accepted event, and each row paid three checks (the
 * workspace, the event, the contact), a trigger call each, in the request. What their cascades did
 * is explicit: deleting a contact deletes its rows (`deleteContact`), a merge moves them to the
 * target (`mergeContacts`), and the dispatcher marks a row whose event or contact is gone as
 * delivered without doing anything (`deliverOutboxRow`).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id').notNull(),
    eventId: uuid('event_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    work: jsonb('work').$type<OutboxWork>().notNull().default({}),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    // A claim takes due rows in due order, read from this index as they are sorted: it stops
    // at its limit, whatever the backlog, and never reads the delivered rows kept for the
    // retention, whatever the statistics say.
    index('outbox_due_idx').on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
    // A contact's undelivered rows (pending, and the few dead), for the claim's order check. Not
    // `status = 'pending'` like the index above: a lookup saying `status <> 'delivered'` can
    // then only use this one, where with the same condition the planner may scan every pending
    // row through the other when the statistics say few are pending (`firstPendingElsewhere`).
    index('outbox_contact_idx').on(t.contactId, t.id).where(sql`status <> 'delivered'`),
  ],
);

/** An inbound webhook endpoint: `POST /v1/hooks/:id`, mapped to an event by `mapping`. */
export const hooks = pgTable(
  'hooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hooks_workspace_idx').on(t.workspaceId)],
);

/**
 * Signing secrets of a hook (`whsec_…`). Several may be valid at once: a rotated secret keeps
 * working until `expires_at`, so senders can switch without losing deliveries.
 */
export const hookSecrets = pgTable(
  'hook_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    hookId: uuid('hook_id')
      .notNull()
      .references(() => hooks.id, { onDelete: 'cascade' }),
    secret: text('secret').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('hook_secrets_hook_idx').on(t.hookId)],
);
