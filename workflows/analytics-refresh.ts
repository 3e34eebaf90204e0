import { proxyActivities } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { refreshAnalytics } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '2 hours',
  // The activity beats every 5 s: a worker dying mid-refresh is retried a minute later, not 2 h.
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/**
 * Started daily by the `wayline:analytics-refresh` Schedule: RFM again in every workspace that
 * uses it, and the fitted models (CLV, clusters, affinity, forecast) refitted as background jobs.
 */
export async function analyticsRefresh() {
  return refreshAnalytics();
}
