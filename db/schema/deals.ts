import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { users } from './identity';
import { createdAt, updatedAt, workspaceId } from './workspaces';

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

/** A sales process: an ordered list of stages deals move through. */
export const pipelines = pgTable(
  'pipelines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('pipelines_name_idx').on(t.workspaceId, t.name)],
);

/**
 * One step of a pipeline. `winProbability` (0–100) weighs the forecast; a closed-won or
 * closed-lost stage ends a deal (status `won` / `lost`).
 */
export const dealStages = pgTable(
  'deal_stages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    pipelineId: uuid('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    winProbability: integer('win_probability').notNull().default(0),
    closedWon: boolean('closed_won').notNull().default(false),
    closedLost: boolean('closed_lost').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deal_stages_name_idx').on(t.pipelineId, t.name),
    index('deal_stages_pipeline_idx').on(t.workspaceId, t.pipelineId, t.position),
    check('deal_stages_probability', sql`${t.winProbability} between 0 and 100`),
    check('deal_stages_closed', sql`not (${t.closedWon} and ${t.closedLost})`),
  ],
);

/** A sales opportunity. `status` follows its stage's closed flags; `stageEnteredAt` dates the current stay. */
export const deals = pgTable(
  'deals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    pipelineId: uuid('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => dealStages.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    value: numeric('value', { precision: 18, scale: 2, mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull(),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    expectedCloseDate: date('expected_close_date', { mode: 'string' }),
    status: text('status', { enum: DEAL_STATUSES }).notNull().default('open'),
    stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Who created it when not a person: an inbound hook delivery or a journey node visit; creating twice with the same key makes one deal. */
    sourceKey: text('source_key'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('deals_pipeline_idx').on(t.pipelineId, t.stageId),
    index('deals_stage_idx').on(t.stageId),
    index('deals_owner_idx').on(t.workspaceId, t.ownerUserId),
    uniqueIndex('deals_source_idx').on(t.workspaceId, t.sourceKey),
  ],
);

/** The contacts a deal is about (many per deal). */
export const dealContacts = pgTable(
  'deal_contacts',
  {
    workspaceId: workspaceId(),
    dealId: uuid('deal_id')
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.dealId, t.contactId] }),
    index('deal_contacts_contact_idx').on(t.contactId),
  ],
);

/** One stay of a deal in a stage: entered, and left (null while it is still there). */
export const dealStageHistory = pgTable(
  'deal_stage_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    dealId: uuid('deal_id')
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => dealStages.id, { onDelete: 'cascade' }),
    fromStageId: uuid('from_stage_id').references(() => dealStages.id, { onDelete: 'set null' }),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    leftAt: timestamp('left_at', { withTimezone: true }),
    changedByUserId: uuid('changed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('deal_stage_history_deal_idx').on(t.dealId, t.enteredAt),
    index('deal_stage_history_stage_idx').on(t.stageId),
    index('deal_stage_history_from_stage_idx').on(t.fromStageId),
  ],
);

export const dealNotes = pgTable(
  'deal_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    dealId: uuid('deal_id')
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    authorUserId: uuid('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('deal_notes_deal_idx').on(t.dealId, t.createdAt)],
);

/** Round-robin owner assignment: per workspace and role, how many deals have been handed out so far. */
export const dealOwnerRotations = pgTable(
  'deal_owner_rotations',
  {
    workspaceId: workspaceId(),
    role: text('role').notNull(),
    assigned: integer('assigned').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.role] })],
);
