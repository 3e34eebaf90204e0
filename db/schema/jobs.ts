import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces';

export interface JobError {
  /** 1-based line of the input (imports) or the contact id (bulk enrollment). */
  line?: number;
  contactId?: string;
  field?: string;
  message: string;
}

/**
 * Background jobs (contact imports, bulk enrollments) with their progress. The input travels in
 * the row, so a retried or resumed job continues from `done` instead of starting over.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['contact-import', 'enroll-segment', 'analytics', 'contact-bulk'] }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] })
      .notNull()
      .default('queued'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    payload: text('payload'),
    total: integer('total'),
    done: integer('done').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    errors: jsonb('errors').$type<JobError[]>().notNull().default([]),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('jobs_workspace_idx').on(t.workspaceId, t.createdAt)],
);
