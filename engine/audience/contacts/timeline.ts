import { and, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { events } from '../../../db/schema';
import { beforeCursor, encodeCursor, exactTime } from './cursor';

export const timelineQuerySchema = z.object({
  event: z.string().min(1).optional().describe('Only events of this name'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().optional(),
});

export type EventRow = typeof events.$inferSelect;

/** A contact's events, most recently received first. */
export async function contactTimeline(
  db: Db,
  workspaceId: string,
  contactId: string,
  query: z.infer<typeof timelineQuerySchema>,
): Promise<{ data: EventRow[]; nextCursor: string | null }> {
  const filters: (SQL | undefined)[] = [eq(events.workspaceId, workspaceId), eq(events.contactId, contactId)];
  if (query.event) filters.push(eq(events.name, query.event));
  filters.push(beforeCursor(query.cursor, events.receivedAt, events.id));
  const rows = await db
    .select({ event: events, at: exactTime(events.receivedAt) })
    .from(events)
    .where(and(...filters))
    .orderBy(desc(events.receivedAt), desc(events.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => r.event),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.event.id) : null,
  };
}
