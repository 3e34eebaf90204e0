import { type SQL, sql } from 'drizzle-orm';
import { segmentMembers } from '../../db/schema';

/** `and <contact> is a member of the segment now`, to narrow an analysis to one segment. */
export function inSegment(workspaceId: string, segmentId: string, contactId: SQL): SQL {
  return sql`and exists (select 1 from ${segmentMembers}
    where ${segmentMembers.workspaceId} = ${workspaceId} and ${segmentMembers.segmentId} = ${segmentId}
      and ${segmentMembers.contactId} = ${contactId})`;
}
