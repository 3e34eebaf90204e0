import { and, eq, sql } from 'drizzle-orm';
import { anyOf, type Db } from '../../db';
import { journeyRuns, journeyVersions, segments } from '../../db/schema';
import { refreshContactSegments } from '../audience/segments/contact-refresh';
import type { ContactChange } from '../audience/segments/dependencies';
import { forgetEntry, refreshSegmentMembers, type SegmentRow } from '../audience/segments/segments';
import { type EnrollResult, enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { contactChangedSignal } from '../automation/runs/signals';
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
  change?: ContactChange,
): Promise<{ entered: string[]; enrollments: SegmentEnrollment[] }> {
  const { entered, enrollments } = await contactsChanged(deps, workspaceId, [contactId], now, change);
  return { entered: entered.get(contactId) ?? [], enrollments };
}

/**
 * `contactChanged` for many contacts of one workspace at once, set-based: the segments `change`
 * can affect (all without it: pass it when every contact's change is known, e.g. only events
 * of these names were stored) are evaluated for all of them, the memberships they left removed
 * and those they entered added, in one statement; then the entries enroll (per segment) and the
 * contacts with running runs have their condition waits re-checked.
 */
export async function contactsChanged(
  deps: TemporalDeps,
  workspaceId: string,
  contactIds: string[],
  now = new Date(),
  change?: ContactChange,
): Promise<{ entered: Map<string, string[]>; enrollments: SegmentEnrollment[] }> {
  const ids = [...new Set(contactIds)];
  const entered = ids.length ? await refreshMemberships(deps.db, workspaceId, ids, now, change) : new Map();
  const enrollments: SegmentEnrollment[] = [];
  const bySegment = new Map<string, string[]>();
  for (const [contactId, segmentIds] of entered) {
    for (const segmentId of segmentIds)
      bySegment.set(segmentId, [...(bySegment.get(segmentId) ?? []), contactId]);
  }
  for (const [segmentId, entrants] of bySegment) {
    enrollments.push(...(await enrollSegmentEntries(deps, workspaceId, segmentId, entrants, now)));
  }
  await signalConditionWaits(deps, workspaceId, ids);
  return { entered, enrollments };
}

/**
 * Recomputes these contacts' memberships of the segments that `change` can affect (every segment
 * of the workspace when it is not given), in one statement over the contacts' rows: the rules
 * evaluated, the memberships they left removed and those they entered added. Answers the
 * segments each contact entered.
 */
export async function refreshMemberships(
  db: Db,
  workspaceId: string,
  contactIds: string[],
  now = new Date(),
  change?: ContactChange,
): Promise<Map<string, string[]>> {
  return refreshContactSegments(db, workspaceId, contactIds, change, now);
}

/** Signals sent side by side when many contacts changed at once. */
const SIGNAL_CONCURRENCY = 8;

/**
 * Tells these contacts' running runs whose version has a `wait.condition` node that their
 * contact changed, so a condition that now holds lets the run on within seconds: the runs read
 * in one query for all the contacts, the signals sent a few at a time (runs that ended
 * meanwhile are skipped).
 */
async function signalConditionWaits(deps: TemporalDeps, workspaceId: string, contactIds: string[]) {
  if (contactIds.length === 0) return;
  const runs = await deps.db
    .select({ workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .innerJoin(
      journeyVersions,
      and(
        eq(journeyVersions.journeyId, journeyRuns.journeyId),
        eq(journeyVersions.version, journeyRuns.version),
      ),
    )
    .where(
      and(
        eq(journeyRuns.workspaceId, workspaceId),
        anyOf(journeyRuns.contactId, contactIds, 'uuid'),
        eq(journeyRuns.status, 'running'),
        sql`jsonb_path_exists(${journeyVersions.plan}, '$.nodes.* ? (@.type == "wait.condition")')`,
      ),
    );
  const queue = runs.map((run) => run.workflowId);
  await Promise.all(
    Array.from({ length: Math.min(SIGNAL_CONCURRENCY, queue.length) }, async () => {
      for (let workflowId = queue.shift(); workflowId; workflowId = queue.shift()) {
        try {
          await deps.temporal.workflow.getHandle(workflowId).signal(contactChangedSignal);
        } catch (error) {
          if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
        }
      }
    }),
  );
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
