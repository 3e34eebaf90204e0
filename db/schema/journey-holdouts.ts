import { index, pgTable, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { journeys } from './automation';
import { workspaceId } from './workspaces';

/**
 * A journey's control group: contacts who would have started a run but were held out by the
 * journey's `holdoutShare`. One row per journey and contact (the first time they were held out);
 * the campaign report compares their conversions with those of contacts whose run started.
 */
export const journeyHoldouts = pgTable(
  'journey_holdouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    journeyId: uuid('journey_id')
      .notNull()
      .references(() => journeys.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('journey_holdouts_journey_contact_idx').on(t.journeyId, t.contactId),
    index('journey_holdouts_workspace_idx').on(t.workspaceId, t.journeyId),
    index('journey_holdouts_contact_idx').on(t.contactId),
  ],
);
