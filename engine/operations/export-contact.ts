import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { events, listMembers, lists, messages, segmentMembers, segments } from '../../db/schema';
import { getContact } from '../audience/contacts/contacts';
import { runsOfContact } from '../automation/runs/queries';

/** Everything Wayline holds about one contact, as one JSON document (GDPR access / portability). */
export async function exportContact(db: Db, workspaceId: string, contactId: string) {
  const contact = await getContact(db, workspaceId, contactId);
  const [eventRows, messageRows, runs, listRows, segmentRows] = await Promise.all([
    db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, contactId)))
      .orderBy(asc(events.receivedAt), asc(events.id)),
    db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.contactId, contactId)))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    runsOfContact(db, workspaceId, contactId),
    db
      .select({ id: lists.id, name: lists.name, addedAt: listMembers.addedAt })
      .from(listMembers)
      .innerJoin(lists, eq(lists.id, listMembers.listId))
      .where(and(eq(lists.workspaceId, workspaceId), eq(listMembers.contactId, contactId))),
    db
      .select({ id: segments.id, name: segments.name, enteredAt: segmentMembers.enteredAt })
      .from(segmentMembers)
      .innerJoin(segments, eq(segments.id, segmentMembers.segmentId))
      .where(and(eq(segments.workspaceId, workspaceId), eq(segmentMembers.contactId, contactId))),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    contact,
    lists: listRows,
    segments: segmentRows,
    events: eventRows,
    messages: messageRows,
    runs,
  };
}
