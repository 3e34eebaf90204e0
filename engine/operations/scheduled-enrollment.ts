import { and, asc, eq, gt } from 'drizzle-orm';
import { contacts } from '../../db/schema';
import { getSegment, segmentMemberIds } from '../audience/segments/segments';
import { getJourney, getVersion } from '../automation/journeys/journeys';
import type { Plan } from '../automation/journeys/plan';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { DomainError } from '../errors';
import { refreshSegment } from './segment-membership';

const PAGE = 200;

export interface AudienceProgress {
  cursor: string | null;
  enrolled: number;
  skipped: number;
}

/**
 * One tick of a `trigger.schedule` journey: enrolls the members of its segment (fresh) or every
 * contact, under the journey's re-entry rule. `resume` continues after a retried attempt's last
 * contact; `beat` reports progress so Temporal can hand it to the next attempt.
 */
export async function enrollAudience(
  deps: TemporalDeps,
  input: { workspaceId: string; journeyId: string; tick: string },
  resume: AudienceProgress | undefined,
  beat: (progress: AudienceProgress) => void = () => {},
): Promise<AudienceProgress> {
  const { db } = deps;
  const journey = await getJourney(db, input.workspaceId, input.journeyId);
  const progress: AudienceProgress = resume ?? { cursor: null, enrolled: 0, skipped: 0 };
  if (journey.status !== 'active' || journey.activeVersion === null) return progress;
  const plan = (await getVersion(db, input.workspaceId, journey.id, journey.activeVersion))
    .plan as unknown as Plan;
  const trigger = plan.nodes[plan.trigger];
  if (trigger.type !== 'trigger.schedule') return progress;
  const segmentId = trigger.config.segmentId as string | undefined;
  if (segmentId && !resume) {
    await refreshSegment(deps, await getSegment(db, input.workspaceId, segmentId));
  }
  for (;;) {
    const ids = segmentId
      ? await segmentMemberIds(db, input.workspaceId, segmentId, progress.cursor, PAGE)
      : (
          await db
            .select({ id: contacts.id })
            .from(contacts)
            .where(
              and(
                eq(contacts.workspaceId, input.workspaceId),
                progress.cursor ? gt(contacts.id, progress.cursor) : undefined,
              ),
            )
            .orderBy(asc(contacts.id))
            .limit(PAGE)
        ).map((r) => r.id);
    if (ids.length === 0) return progress;
    for (const contactId of ids) {
      const result = await enrollContact(deps, {
        workspaceId: input.workspaceId,
        journeyId: input.journeyId,
        contactId,
        trigger: {
          id: `schedule:${input.journeyId}:${contactId}:${input.tick}`,
          name: null,
          properties: { scheduledAt: input.tick, ...(segmentId ? { segmentId } : {}) },
          timestamp: input.tick,
        },
      }).catch((error: Error) => {
        // Temporal away: fail the attempt, the retry resumes after the last beat.
        if (!(error instanceof DomainError && error.expected)) throw error;
        return { enrolled: false as const, reason: error.message };
      });
      if (result.enrolled) progress.enrolled += 1;
      else progress.skipped += 1;
      progress.cursor = contactId;
    }
    beat(progress);
  }
}
