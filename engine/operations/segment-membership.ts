import { eq } from 'drizzle-orm';
import { segments } from '../../db/schema';
import {
  forgetEntry,
  refreshContactMemberships,
  refreshSegmentMembers,
  type SegmentRow,
} from '../audience/segments/segments';
import { type EnrollResult, enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { signalContactChanged } from '../automation/runs/run-control';
import { journeysTriggeredBySegment } from '../automation/triggers/trigger-index';
import { DomainError } from '../errors';

export interface SegmentEnrollment {
  segmentId: string;
  contactId: string;
  journeyId: string;
  result: EnrollResult | { enrolled: false; reason: string; error: true };
}

/**
 * What follows any write to a contact (attributes, tags, lists, events), whoever made it: the
 * contacts API, an import, the dispatcher after track / identify, a journey's node (through the
 * outbox): its segment memberships are recomputed, it is enrolled in every active journey
 * triggered by a segment it just entered, and its runs waiting for a condition re-check it.
 */
export async function contactChanged(
  deps: TemporalDeps,
  workspaceId: string,
  contactId: string,
  now = new Date(),
): Promise<{ entered: string[]; enrollments: SegmentEnrollment[] }> {
  const entered = await refreshContactMemberships(deps.db, workspaceId, contactId, now);
  const enrollments: SegmentEnrollment[] = [];
  for (const segmentId of entered) {
    enrollments.push(...(await enrollSegmentEntries(deps, workspaceId, segmentId, [contactId], now)));
  }
  await signalContactChanged(deps.db, deps.temporal, workspaceId, contactId);
  return { entered, enrollments };
}

/**
 * Re-evaluates every segment (of one workspace, or all) for all contacts: rules that depend on
 * time ("no order in 30 days") change membership without any event. Entering enrolls.
 */
export async function reevaluateAllSegments(
  deps: TemporalDeps,
  workspaceId?: string,
  now = new Date(),
): Promise<{ segments: number; entered: number; left: number; enrolled: number }> {
  const rows = await deps.db
    .select()
    .from(segments)
    .where(workspaceId ? eq(segments.workspaceId, workspaceId) : undefined);
  let entered = 0;
  let left = 0;
  let enrolled = 0;
  for (const segment of rows) {
    const change = await refreshSegment(deps, segment, now);
    entered += change.entered;
    left += change.left;
    enrolled += change.enrolled;
  }
  return { segments: rows.length, entered, left, enrolled };
}

/** Enrolls contacts that entered a segment in the active journeys that segment triggers. */
export async function enrollSegmentEntries(
  deps: TemporalDeps,
  workspaceId: string,
  segmentId: string,
  contactIds: string[],
  now = new Date(),
): Promise<SegmentEnrollment[]> {
  if (contactIds.length === 0) return [];
  const triggered = await journeysTriggeredBySegment(deps.db, workspaceId, segmentId);
  const out: SegmentEnrollment[] = [];
  for (const contactId of contactIds) {
    for (const journey of triggered) {
      try {
        const result = await enrollContact(deps, {
          workspaceId,
          journeyId: journey.journeyId,
          contactId,
          trigger: {
            id: `segment:${segmentId}:${contactId}:${now.getTime()}`,
            name: null,
            properties: { segmentId },
            timestamp: now.toISOString(),
          },
        });
        out.push({ segmentId, contactId, journeyId: journey.journeyId, result });
      } catch (error) {
        // A journey paused or a contact deleted meanwhile is no entry; anything else (Temporal
        // away) undoes the membership so the next evaluation enters and enrolls again.
        const expected = error instanceof DomainError && error.expected;
        if (!expected) await forgetEntry(deps.db, segmentId, contactId);
        out.push({
          segmentId,
          contactId,
          journeyId: journey.journeyId,
          result: { enrolled: false, reason: (error as Error).message, error: true },
        });
      }
    }
  }
  return out;
}

/** Re-evaluates one segment for all contacts and enrolls those that entered. */
export async function refreshSegment(
  deps: TemporalDeps,
  segment: SegmentRow,
  now = new Date(),
): Promise<{ entered: number; left: number; enrolled: number }> {
  const change = await refreshSegmentMembers(deps.db, segment, now);
  const results = await enrollSegmentEntries(deps, segment.workspaceId, segment.id, change.entered, now);
  return {
    entered: change.entered.length,
    left: change.left,
    enrolled: results.filter((r) => r.result.enrolled).length,
  };
}
