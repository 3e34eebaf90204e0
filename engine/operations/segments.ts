import { and, asc, eq, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { broadcasts, campaigns, journeys, journeyVersions } from '../../db/schema';
import {
  updateSegment as changeSegment,
  createSegment as insertSegment,
  deleteSegment as removeSegment,
  type SegmentInput,
  type SegmentRow,
  type SegmentUser,
} from '../audience/segments/segments';
import type { TemporalDeps } from '../automation/runs/enroll';
import { journeysTriggeredBySegment } from '../automation/triggers/trigger-index';
import { refreshSegment } from './segment-membership';

/** Creates a segment and computes its membership at once; contacts entering it enroll. */
export async function createSegment(
  deps: TemporalDeps,
  workspaceId: string,
  input: SegmentInput,
): Promise<SegmentRow & { members: number }> {
  const segment = await insertSegment(deps.db, workspaceId, input);
  const membership = await refreshSegment(deps, segment);
  return { ...segment, members: membership.entered };
}

/** Changes a segment; membership is re-evaluated and contacts entering it enroll. */
export async function updateSegment(
  deps: TemporalDeps,
  workspaceId: string,
  segmentId: string,
  input: Partial<SegmentInput>,
) {
  const segment = await changeSegment(deps.db, workspaceId, segmentId, input);
  const membership = await refreshSegment(deps, segment);
  return { ...segment, membership };
}

/**
 * Who uses a segment: journeys whose draft or published versions refer to it (trigger, branch
 * condition, wait), and campaigns and broadcasts whose audience includes or excludes it.
 */
export async function segmentUsers(db: Db, workspaceId: string, segmentId: string): Promise<SegmentUser[]> {
  const pattern = `%${segmentId}%`;
  const journeyRows = await db
    .select({ id: journeys.id, name: journeys.name, status: journeys.status })
    .from(journeys)
    .where(
      and(
        eq(journeys.workspaceId, workspaceId),
        ne(journeys.status, 'archived'),
        or(
          sql`${journeys.draft}::text like ${pattern}`,
          sql`exists (select 1 from ${journeyVersions} where ${journeyVersions.journeyId} = ${journeys.id} and ${journeyVersions.graph}::text like ${pattern})`,
        ),
      ),
    )
    .orderBy(asc(journeys.name));
  const campaignRows = await db
    .select({ id: campaigns.id, name: campaigns.name, status: campaigns.status })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), sql`${campaigns.audience}::text like ${pattern}`))
    .orderBy(asc(campaigns.name));
  const broadcastRows = await db
    .select({ id: broadcasts.id, name: broadcasts.name, status: broadcasts.status })
    .from(broadcasts)
    .where(and(eq(broadcasts.workspaceId, workspaceId), sql`${broadcasts.audience}::text like ${pattern}`))
    .orderBy(asc(broadcasts.name));
  return [
    ...journeyRows.map((r) => ({ type: 'journey' as const, ...r })),
    ...campaignRows.map((r) => ({ type: 'campaign' as const, ...r })),
    ...broadcastRows.map((r) => ({ type: 'broadcast' as const, ...r })),
  ];
}

/** Deletes a segment, refused (409, with the list) while a journey, campaign or broadcast uses it. */
export async function deleteSegment(deps: TemporalDeps, workspaceId: string, segmentId: string) {
  const users = await segmentUsers(deps.db, workspaceId, segmentId);
  const triggered = await journeysTriggeredBySegment(deps.db, workspaceId, segmentId);
  for (const journey of triggered) {
    if (!users.some((u) => u.id === journey.journeyId))
      users.push({ type: 'journey', id: journey.journeyId, name: journey.journeyId, status: 'active' });
  }
  await removeSegment(deps.db, workspaceId, segmentId, users);
}
