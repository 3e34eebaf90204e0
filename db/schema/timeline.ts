import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { users } from './identity';
import { createdAt, updatedAt, workspaceId } from './workspaces';

export const ACTIVITY_KINDS = ['note', 'call', 'meeting'] as const;

/**
 * What a person (or a journey's "add a note" node) logs on a contact's timeline: notes, calls
 * and meetings. Everything else on the timeline is read from where it already lives.
 */
export const contactActivities = pgTable(
  'contact_activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ACTIVITY_KINDS }).notNull(),
    subject: text('subject'),
    body: text('body').notNull().default(''),
    /** When the call or meeting took place (a note: when it was written). */
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    durationMinutes: integer('duration_minutes'),
    outcome: text('outcome'),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** The journey that wrote it (a note node), else null. */
    journeyId: uuid('journey_id'),
    /** Set by a journey node: (workflow, node, visit), so a retried activity writes the note once. */
    dedupKey: text('dedup_key'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('contact_activities_contact_idx').on(t.contactId, t.occurredAt),
    uniqueIndex('contact_activities_dedup_idx').on(t.workspaceId, t.dedupKey),
  ],
);
