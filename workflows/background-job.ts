import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { runJob } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});
const { failJob } = proxyActivities<SchedulingActivities>({ startToCloseTimeout: '1 minute' });

/** A contact import or bulk enrollment; progress lives in the job row, read by GET /v1/jobs/:id. */
export async function backgroundJob(input: { jobId: string }): Promise<void> {
  try {
    await runJob(input);
  } catch (error) {
    await failJob({
      jobId: input.jobId,
      message: (error as Error).cause ? String((error as Error).cause) : (error as Error).message,
    });
    throw ApplicationFailure.nonRetryable(`job ${input.jobId} failed`, 'JobFailed');
  }
}
