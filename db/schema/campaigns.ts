import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { journeys } from './automation';
import { createdAt, updatedAt, workspaceId } from './workspaces';

/** Who a campaign or broadcast reaches: members of any included segment or list, minus the excluded ones. */
export type AudienceSelection = {
  segmentIds: string[];
  listIds: string[];
  excludeSegmentIds: string[];
  excludeListIds: string[];
};

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed'] as const;

export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    /** The conversion event (`Order Completed`) and the target count and/or revenue. */
    objective: jsonb('objective')
      .$type<{ event: string; targetCount?: number | null; targetRevenue?: number | null }>()
      .notNull(),
    audience: jsonb('audience').$type<AudienceSelection>().notNull(),
    budget: doublePrecision('budget'),
    currency: text('currency').notNull().default('EUR'),
    /** Cost of one message per channel (email, sms, push, ...), in the campaign's currency. */
    costModel: jsonb('cost_model').$type<Record<string, number>>().notNull().default({}),
    channels: text('channels').array().notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    ownerId: uuid('owner_id'),
    status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('draft'),
    /** Sends of its broadcasts stop once the cost reaches the budget. */
    stopAtBudget: boolean('stop_at_budget').notNull().default(false),
    /** Attribution windows in hours: after a click, after an open (or a delivery). */
    attribution: jsonb('attribution')
      .$type<{ clickWindowHours: number; openWindowHours: number }>()
      .notNull()
      .default({ clickWindowHours: 168, openWindowHours: 24 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('campaigns_workspace_idx').on(t.workspaceId, t.status)],
);

/** Costs entered by hand (ad spend, agency fees), counted with the per-message costs. */
export const campaignCosts = pgTable(
  'campaign_costs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    amount: doublePrecision('amount').notNull(),
    incurredOn: date('incurred_on').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('campaign_costs_campaign_idx').on(t.campaignId)],
);

/** The journeys that serve a campaign (the journeys table stays as it is). */
export const campaignJourneys = pgTable(
  'campaign_journeys',
  {
    workspaceId: workspaceId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.journeyId] }),
    index('campaign_journeys_journey_idx').on(t.journeyId),
  ],
);

export const BROADCAST_STATUSES = [
  'draft',
  'scheduled',
  'sending',
  'testing',
  'awaiting-winner',
  'paused',
  'completed',
  'cancelled',
] as const;

export type BroadcastVariant = {
  key: string;
  templateId: string;
  /** Overrides the template's subject (Liquid). */
  subject?: string | null;
};

/** When a broadcast goes out: now, at one instant, or at a wall-clock time in each contact's zone. */
export type BroadcastSchedule =
  | { kind: 'now' }
  | { kind: 'at'; at: string }
  | { kind: 'local'; date: string; time: string };

export type AbTestSettings = {
  /** Share of the audience (0–1) split between the variants; the winner goes to the rest. */
  testShare: number;
  metric: 'open' | 'click' | 'conversion';
  windowHours: number;
  /** Send the winner to the rest when the window ends (else a person picks it). */
  autoSend: boolean;
};

export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    variants: jsonb('variants').$type<BroadcastVariant[]>().notNull(),
    audience: jsonb('audience').$type<AudienceSelection>().notNull(),
    schedule: jsonb('schedule').$type<BroadcastSchedule>().notNull().default({ kind: 'now' }),
    /** Messages per minute; null sends as fast as the channel allows. */
    throttlePerMinute: integer('throttle_per_minute'),
    /** Local hours (HH:MM, the workspace's zone) outside which sending waits. */
    sendWindow: jsonb('send_window').$type<{ start: string; end: string } | null>(),
    abTest: jsonb('ab_test').$type<AbTestSettings | null>(),
    /** Share of the audience (0–1) kept as a control group that receives nothing. */
    holdoutShare: doublePrecision('holdout_share').notNull().default(0),
    topic: text('topic'),
    conversionEvent: text('conversion_event'),
    status: text('status', { enum: BROADCAST_STATUSES }).notNull().default('draft'),
    winnerVariant: text('winner_variant'),
    audienceSize: integer('audience_size'),
    workflowId: text('workflow_id'),
    launchedAt: timestamp('launched_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('broadcasts_workspace_idx').on(t.workspaceId, t.status),
    index('broadcasts_campaign_idx').on(t.campaignId),
  ],
);

export const RECIPIENT_STATUSES = ['pending', 'sent', 'skipped', 'failed', 'holdout', 'cancelled'] as const;

/**
 * A broadcast's audience frozen at launch, one row per contact: its group (test, rest or holdout),
 * its variant, when it is due (local-time delivery) and what became of it.
 */
export const broadcastRecipients = pgTable(
  'broadcast_recipients',
  {
    workspaceId: workspaceId(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    grp: text('grp', { enum: ['all', 'test', 'rest', 'holdout'] }).notNull(),
    variant: text('variant'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: RECIPIENT_STATUSES }).notNull().default('pending'),
    reason: text('reason'),
    messageId: uuid('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.broadcastId, t.contactId] }),
    index('broadcast_recipients_due_idx').on(t.broadcastId, t.status, t.dueAt, t.seq),
    index('broadcast_recipients_message_idx').on(t.messageId),
    // A contact's erasure or merge: its foreign-key action, else a full scan of every broadcast's recipients.
    index('broadcast_recipients_contact_idx').on(t.contactId),
  ],
);
