import { proxyActivities } from '@temporalio/workflow';

/** The baseline of the journey benchmark: a workflow that calls one activity and ends. */
export async function oneActivity(n: number): Promise<number> {
  const { echo } = proxyActivities<{ echo(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });
  return echo(n);
}
