import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
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

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  defaultTimezone: text('default_timezone').notNull().default('UTC'),
  createdAt: createdAt(),
});

/** Secret keys authorize the REST API; write keys only the tracking API. Only a hash is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['secret', 'write'] }).notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash)],
);

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

export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    messageId: text('message_id').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
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

export const journeys = pgTable(
  'journeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    status: text('status', { enum: ['draft', 'active', 'paused', 'archived'] })
      .notNull()
      .default('draft'),
    draft: jsonb('draft').$type<Record<string, unknown>>().notNull(),
    activeVersion: integer('active_version'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('journeys_workspace_idx').on(t.workspaceId, t.status)],
);

export const journeyVersions = pgTable(
  'journey_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    graph: jsonb('graph').$type<Record<string, unknown>>().notNull(),
    plan: jsonb('plan').$type<Record<string, unknown>>().notNull(),
    contentHash: text('content_hash').notNull(),
    note: text('note'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('journey_versions_idx').on(t.journeyId, t.version)],
);

export const journeyRuns = pgTable(
  'journey_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** Null once the contact is deleted: the run stays, so journey counts do not change. */
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    entry: integer('entry').notNull(),
    workflowId: text('workflow_id').notNull(),
    status: text('status', { enum: ['running', 'completed', 'converted', 'exited', 'failed', 'cancelled'] })
      .notNull()
      .default('running'),
    exitReason: text('exit_reason'),
    triggerEventId: text('trigger_event_id'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('journey_runs_workflow_idx').on(t.workflowId),
    uniqueIndex('journey_runs_entry_idx').on(t.journeyId, t.contactId, t.entry),
    index('journey_runs_contact_idx').on(t.workspaceId, t.contactId, t.status),
    index('journey_runs_journey_idx').on(t.journeyId, t.status),
  ],
);

/** One row per visit of a node by a run: entered, and when and by which port it left. */
export const nodeVisits = pgTable(
  'node_visits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    journeyId: uuid('journey_id').notNull(),
    version: integer('version').notNull(),
    workflowId: text('workflow_id').notNull(),
    nodeId: text('node_id').notNull(),
    visit: integer('visit').notNull(),
    port: text('port'),
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('node_visits_visit_idx').on(t.workflowId, t.nodeId, t.visit),
    index('node_visits_journey_idx').on(t.journeyId, t.version, t.nodeId),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    idempotencyKey: text('idempotency_key').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    journeyId: uuid('journey_id'),
    workflowId: text('workflow_id'),
    nodeId: text('node_id'),
    channel: text('channel').notNull(),
    transactional: boolean('transactional').notNull().default(false),
    status: text('status').notNull(),
    reason: text('reason'),
    provider: text('provider'),
    providerId: text('provider_id'),
    recipient: text('recipient'),
    subject: text('subject'),
    body: text('body'),
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('messages_idempotency_idx').on(t.workspaceId, t.idempotencyKey),
    index('messages_contact_idx').on(t.workspaceId, t.contactId, t.createdAt),
  ],
);

export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    subject: text('subject'),
    preheader: text('preheader'),
    body: text('body').notNull(),
    html: text('html'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('templates_name_idx').on(t.workspaceId, t.name)],
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
  (t) => [primaryKey({ columns: [t.segmentId, t.contactId] })],
);

export const lists = pgTable(
  'lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
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
  (t) => [primaryKey({ columns: [t.listId, t.contactId] })],
);

export const suppressions = pgTable(
  'suppressions',
  {
    workspaceId: workspaceId(),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    reason: text('reason', { enum: ['hard-bounce', 'complaint', 'manual', 'unsubscribed'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel, t.address] })],
);

export * from './schema-channels';
export * from './schema-contacts';
// Tables of each further area live in their own file, re-exported here so drizzle-kit sees them.
export * from './schema-ingest';
export * from './schema-sdk';
