import { sql } from 'drizzle-orm';
import {
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
import { contacts } from './audience';
import { createdAt, updatedAt, workspaceId, workspaces } from './workspaces';

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    idempotencyKey: text('idempotency_key').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    journeyId: uuid('journey_id'),
    /** The broadcast that sent it (broadcasts.id); null for journey and one-off sends. */
    broadcastId: uuid('broadcast_id'),
    workflowId: text('workflow_id'),
    /** The journey run (journey_runs.id) and the event that started it. */
    runId: uuid('run_id'),
    triggerEventId: text('trigger_event_id'),
    nodeId: text('node_id'),
    /** Sent to a test contact: labelled test and left out of counts, stats and reports. */
    test: boolean('test').notNull().default(false),
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
    // Contact ids are unique across workspaces: leading with the contact serves the per-contact
    // reads (caps, the timeline) and the foreign key's action when a contact is erased or merged.
    index('messages_contact_idx').on(t.contactId, t.createdAt),
    index('messages_node_idx').on(t.journeyId, t.nodeId),
    index('messages_broadcast_idx').on(t.broadcastId, t.nodeId),
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
    /** Email only: the MJML source `html` was compiled from on save; null for plain HTML. */
    mjml: text('mjml'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** Bumped on every save; each saved state is kept in `template_versions`. */
    version: integer('version').notNull().default(1),
    /** Who saved the current version (audit actor label: an email or a key prefix). */
    updatedBy: text('updated_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('templates_name_idx').on(t.workspaceId, t.name)],
);

/** Every saved state of a template, with who saved it; a revert saves an old state as a new version. */
export const templateVersions = pgTable(
  'template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    templateId: uuid('template_id')
      .notNull()
      .references(() => templates.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    subject: text('subject'),
    preheader: text('preheader'),
    body: text('body').notNull(),
    html: text('html'),
    mjml: text('mjml'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    changedBy: text('changed_by'),
    /** The user who saved it, when a person did (null for API keys and the system). */
    changedById: uuid('changed_by_id'),
    /** What the save did: `create`, `update`, or `revert` (to the version in `revertedFrom`). */
    action: text('action').notNull().default('update'),
    revertedFrom: integer('reverted_from'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('template_versions_idx').on(t.templateId, t.version)],
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

export interface ChannelPolicySettings {
  /** At most `max` sends per contact on this channel within `windowHours`, across all journeys. */
  frequencyCap?: { max: number; windowHours: number };
  /** Local times (HH:MM, contact's time zone) between which marketing sends wait. */
  quietHours?: { start: string; end: string };
  /** At most `perMinute` marketing sends on this channel per minute for the whole workspace. */
  rate?: { perMinute: number };
}

/**
 * A workspace's provider for one channel. `provider` null means the dev outbox (captured
 * locally). Secret fields of the provider config live only in `secrets`, AES-256-GCM encrypted.
 */
export const channelSettings = pgTable(
  'channel_settings',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    provider: text('provider'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    secrets: text('secrets'),
    policy: jsonb('policy').$type<ChannelPolicySettings>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel] })],
);

/**
 * Subscription topics (newsletter, product updates) a contact can opt out of on the preferences
 * page. A contact's choice is stored in its `subscriptions` map as `topic:<name>`.
 */
export const topics = pgTable(
  'topics',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    label: text('label').notNull(),
    description: text('description'),
    /** Opt-out topics (true) reach contacts who never chose; opt-in topics need a "subscribed". */
    defaultSubscribed: boolean('default_subscribed').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);
