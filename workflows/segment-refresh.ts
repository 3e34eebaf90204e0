import { proxyActivities } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { refreshAllSegments, syncJourneySchedules } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '1 hour',
  // The activities beat every 5 s: a worker dying mid-refresh is retried a minute later, not 1 h.
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/**
 * Periodic upkeep started by the `wayline:segment-refresh` Schedule: re-evaluates every segment
 * (rules that depend on time change without an event; entering enrolls) and reconciles the
 * per-journey schedules with the active journeys.
 */
export async function segmentRefresh(input: { now?: number } = {}) {
  const segments = await refreshAllSegments({ now: input.now ?? Date.now() });
  const schedules = await syncJourneySchedules();
  return { segments, schedules };
}
