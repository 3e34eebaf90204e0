import { refreshSegment } from '../audience/segments/reevaluate';
import { getSegment } from '../audience/segments/segments';
import { getJourney, getVersion } from '../automation/journeys/journeys';
import type { Plan } from '../automation/journeys/plan';
import type { TemporalDeps } from '../automation/runs/enroll';
import { syncJourneySchedules } from '../automation/triggers/schedules';

/**
 * What follows a publish, pause, resume or archive outside the journey row itself: the
 * journey's Temporal Schedule (trigger.schedule) matches its status, and on publish a segment
 * trigger's segment is re-evaluated so contacts entering it now are enrolled.
 */
export async function applyLifecycleEffects(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  change: 'published' | 'paused' | 'resumed' | 'archived',
): Promise<void> {
  await syncJourneySchedules(deps.temporal, deps.db, deps.taskQueue, workspaceId);
  if (change !== 'published') return;
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  if (journey.activeVersion === null || journey.status !== 'active') return;
  const plan = (await getVersion(deps.db, workspaceId, journeyId, journey.activeVersion))
    .plan as unknown as Plan;
  const trigger = plan.nodes[plan.trigger];
  if (trigger.type !== 'trigger.segment') return;
  const segment = await getSegment(deps.db, workspaceId, String(trigger.config.segmentId)).catch(
    () => undefined,
  );
  if (segment) await refreshSegment(deps, segment);
}
