import { proxyActivities } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { refreshAnalytics } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '2 hours',
  retry: { maximumAttempts: 3 },
});

/**
 * Started daily by the `wayline:analytics-refresh` Schedule: RFM again in every workspace that
 * uses it, and the fitted models (CLV, clusters, affinity, forecast) refitted as background jobs.
 */
export async function analyticsRefresh() {
  return refreshAnalytics();
}
