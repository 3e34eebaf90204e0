import {
  bigserial,
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
    /** When the journey was last paused: a resume enrolls (or skips) segment entries since then. */
    pausedAt: timestamp('paused_at', { withTimezone: true }),
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
    /** The marketer's choice at publish for a segment trigger's current members: enroll or skip. */
    backfill: text('backfill', { enum: ['enroll', 'skip'] }),
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
    /** The entry key of a keyed trigger (e.g. a cart id): one run per contact and key; '' when unkeyed. */
    entryKey: text('entry_key').notNull().default(''),
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
    uniqueIndex('journey_runs_entry_idx').on(t.journeyId, t.contactId, t.entryKey, t.entry),
    // Led by the contact (unique across workspaces), so the foreign key's action on erasure uses it.
    index('journey_runs_contact_idx').on(t.contactId, t.status),
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

/**
 * One row per occurrence of a scheduled trigger (a contact's birthday in a given year, a cron
 * tick) that was acted on, so a repeated or overlapping scan never enrolls twice for it.
 */
export const triggerFirings = pgTable(
  'trigger_firings',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    outcome: text('outcome'),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.journeyId, t.key] }),
    index('trigger_firings_contact_idx').on(t.contactId),
  ],
);

/**
 * A workspace's holiday calendar: one row per holiday date, custom or added from a country
 * preset (`source` names it, e.g. `preset:FR`). `trigger.holiday` fires on these dates.
 */
export const holidays = pgTable(
  'holidays',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    /** The local calendar date, YYYY-MM-DD: the holiday falls on it in every contact's zone. */
    date: text('date').notNull(),
    source: text('source').notNull().default('custom'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('holidays_date_idx').on(t.workspaceId, t.date, t.name)],
);

/**
 * Moving a journey's running runs from earlier versions to a newer one: the mapping the
 * marketer confirmed after the preview, and its progress while runs are signalled in batches.
 */
export const journeyMigrations = pgTable(
  'journey_migrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    toVersion: integer('to_version').notNull(),
    /** Per old version and node: the node of the new version its waiting runs continue at, or null to finish on the old version. */
    mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull(),
    /** Waits whose deadline is already past in the new version: continue at once, or restart the wait. */
    pastTimers: text('past_timers', { enum: ['fire', 'restart'] })
      .notNull()
      .default('fire'),
    status: text('status', { enum: ['running', 'done', 'failed'] })
      .notNull()
      .default('running'),
    total: integer('total').notNull().default(0),
    moved: integer('moved').notNull().default(0),
    kept: integer('kept').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('journey_migrations_journey_idx').on(t.journeyId, t.createdAt)],
);

/** One row per run a migration touched: where it was, where it continues, and whether the signal reached it. */
export const journeyRunMigrations = pgTable(
  'journey_run_migrations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    migrationId: uuid('migration_id')
      .notNull()
      .references(() => journeyMigrations.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id').notNull(),
    fromVersion: integer('from_version').notNull(),
    fromNode: text('from_node').notNull(),
    /** Null when the run finishes on its old version. */
    toNode: text('to_node'),
    status: text('status', { enum: ['signalled', 'kept', 'failed'] }).notNull(),
    detail: text('detail'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('journey_run_migrations_run_idx').on(t.migrationId, t.workflowId),
    index('journey_run_migrations_workflow_idx').on(t.workflowId),
  ],
);
