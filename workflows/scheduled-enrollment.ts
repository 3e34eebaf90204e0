import { proxyActivities } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { enrollAudience } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

/** One tick of a `trigger.schedule` journey, started by that journey's Schedule. */
export async function scheduledEnrollment(input: { workspaceId: string; journeyId: string; tick?: string }) {
  const tick = input.tick ?? new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  return enrollAudience({ workspaceId: input.workspaceId, journeyId: input.journeyId, tick });
}
