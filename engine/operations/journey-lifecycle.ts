import { getSegment } from '../audience/segments/segments';
import {
  getJourney,
  getVersion,
  type JourneyRow,
  type JourneyVersionRow,
  publishJourney as publishVersion,
  setJourneyStatus,
} from '../automation/journeys/journeys';
import type { Plan } from '../automation/journeys/plan';
import type { NodeRegistry } from '../automation/nodes/registry';
import type { TemporalDeps } from '../automation/runs/enroll';
import { signalJourneyRuns } from '../automation/runs/run-control';
import { syncJourneySchedules } from '../automation/triggers/schedules';
import { refreshSegment } from './segment-membership';

export interface LifecycleDeps extends TemporalDeps {
  registry: NodeRegistry;
}

/**
 * Publishes the draft as version N+1, then brings the world in line: the journey's Temporal
 * Schedule (trigger.schedule) follows its status, and a segment trigger's segment is
 * re-evaluated so contacts entering it now are enrolled.
 */
export async function publishJourney(
  deps: LifecycleDeps,
  workspaceId: string,
  journeyId: string,
  note?: string,
): Promise<JourneyVersionRow> {
  const version = await publishVersion(deps.db, deps.registry, workspaceId, journeyId, note);
  await syncJourneySchedules(deps.temporal, deps.db, deps.taskQueue, workspaceId);
  await enrollCurrentSegmentMembers(deps, workspaceId, journeyId);
  return version;
}

export type LifecycleAction = 'pause' | 'resume' | 'archive';

const statusAfter = { pause: 'paused', resume: 'active', archive: 'archived' } as const;

/**
 * Pause stops new entries and holds running runs before their next action node; resume lets
 * them continue; archive ends every run. The schedule of a scheduled journey follows.
 */
export async function changeJourneyStatus(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  action: LifecycleAction,
): Promise<JourneyRow & { runsSignalled: number }> {
  const journey = await setJourneyStatus(deps.db, workspaceId, journeyId, statusAfter[action]);
  const runsSignalled = await signalJourneyRuns(
    deps.db,
    deps.temporal,
    journey.id,
    action === 'archive' ? { action: 'exit', reason: 'journey archived' } : { action },
  );
  await syncJourneySchedules(deps.temporal, deps.db, deps.taskQueue, workspaceId);
  return { ...journey, runsSignalled };
}

async function enrollCurrentSegmentMembers(deps: TemporalDeps, workspaceId: string, journeyId: string) {
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
