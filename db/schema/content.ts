import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { journeys } from './automation';
import { campaigns } from './campaigns';
import { users } from './identity';
import { createdAt, updatedAt, workspaceId } from './workspaces';

export const CONTENT_KINDS = ['article', 'image', 'video', 'offer', 'coupon'] as const;
export const CONTENT_STATUSES = ['draft', 'published', 'archived'] as const;

/** A file in the workspace's storage (local folder or S3-compatible bucket), with its thumbnail for images. */
export const assets = pgTable(
  'assets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** Key in the storage backend; never a path a client chose. */
    storageKey: text('storage_key').notNull(),
    thumbnailKey: text('thumbnail_key'),
    width: integer('width'),
    height: integer('height'),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('assets_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/** An article, image, video, offer or coupon of the content library. */
export const contentItems = pgTable(
  'content_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    kind: text('kind', { enum: CONTENT_KINDS }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    assetId: uuid('asset_id').references(() => assets.id, { onDelete: 'set null' }),
    category: text('category'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    status: text('status', { enum: CONTENT_STATUSES }).notNull().default('draft'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    /** Kind-specific fields: an offer's link, a coupon's code and expiry. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('content_items_workspace_idx').on(t.workspaceId, t.status, t.updatedAt),
    index('content_items_asset_idx').on(t.assetId),
  ],
);

/** Views of a content item's public page (clicks come from tracked message links to it). */
export const contentViews = pgTable(
  'content_views',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => contentItems.id, { onDelete: 'cascade' }),
    viewedAt: timestamp('viewed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('content_views_item_idx').on(t.itemId, t.viewedAt)],
);

/** A mobile app installation of a contact: an FCM registration token or an APNs device token. */
export const deviceTokens = pgTable(
  'device_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['ios', 'android', 'web'] }).notNull(),
    token: text('token').notNull(),
    appId: text('app_id'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('device_tokens_token_idx').on(t.workspaceId, t.token),
    index('device_tokens_contact_idx').on(t.contactId),
  ],
);

export const SOCIAL_PROVIDERS = ['x', 'facebook', 'webhook'] as const;

/** A connected social account; its credentials are sealed with the workspace secret box. */
export const socialAccounts = pgTable(
  'social_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    provider: text('provider', { enum: SOCIAL_PROVIDERS }).notNull(),
    name: text('name').notNull(),
    /** Non-secret settings: API base URL, page id, webhook URL. */
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    secrets: text('secrets').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('social_accounts_name_idx').on(t.workspaceId, t.name)],
);

export const SOCIAL_POST_STATUSES = ['scheduled', 'publishing', 'published', 'failed', 'canceled'] as const;

/** A content item published (or to be published) to one social account. */
export const socialPosts = pgTable(
  'social_posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    /** The item posted; null for a text post a journey or campaign wrote itself. */
    itemId: uuid('item_id').references(() => contentItems.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id, { onDelete: 'cascade' }),
    /** The campaign the post serves (its page lists it). */
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    /** The journey whose `social.publish` node created it. */
    journeyId: uuid('journey_id').references(() => journeys.id, { onDelete: 'set null' }),
    /** A journey node's idempotency key (run, node, visit): a retried or replayed step posts once. */
    idempotencyKey: text('idempotency_key'),
    text: text('text').notNull(),
    status: text('status', { enum: SOCIAL_POST_STATUSES }).notNull(),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    externalId: text('external_id'),
    url: text('url'),
    error: text('error'),
    likes: integer('likes').notNull().default(0),
    shares: integer('shares').notNull().default(0),
    comments: integer('comments').notNull().default(0),
    engagementAt: timestamp('engagement_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('social_posts_item_idx').on(t.itemId),
    index('social_posts_campaign_idx').on(t.campaignId),
    index('social_posts_account_idx').on(t.accountId),
    index('social_posts_journey_idx').on(t.journeyId),
    uniqueIndex('social_posts_idempotency_idx').on(t.workspaceId, t.idempotencyKey),
    index('social_posts_status_idx').on(t.status, t.publishedAt),
  ],
);

/** Engagement of a post as fetched back, one row per fetch (the history behind the post's counts). */
export const socialEngagement = pgTable(
  'social_engagement',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    postId: uuid('post_id')
      .notNull()
      .references(() => socialPosts.id, { onDelete: 'cascade' }),
    likes: integer('likes').notNull(),
    shares: integer('shares').notNull(),
    comments: integer('comments').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('social_engagement_post_idx').on(t.postId, t.fetchedAt)],
);
