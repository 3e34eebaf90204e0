import { boolean, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './schema';

export interface ChannelPolicySettings {
  /** At most `max` sends per contact on this channel within `windowHours`, across all journeys. */
  frequencyCap?: { max: number; windowHours: number };
  /** Local times (HH:MM, contact's time zone) between which marketing sends wait. */
  quietHours?: { start: string; end: string };
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
