import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { SchedulingActivities } from '../engine/activities/scheduling';

const { scanDateTriggers } = proxyActivities<SchedulingActivities>({
  startToCloseTimeout: '10 minutes',
  // The activity beats every 5 s: a worker dying mid-scan is retried a minute later, not 10.
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/**
 * One scan of every date trigger, started by the `wayline:date-trigger-scan` Schedule. The
 * workflow's clock is the scan's "now", so a time-skipped test and a replay see the same instant.
 */
export async function dateTriggerScan(input: { now?: number } = {}) {
  return scanDateTriggers({ now: input.now ?? Date.now() });
}

export interface ScanLoopInput {
  everyMinutes: number;
  /** Stop after this many scans; forever (continuing as new) when absent. */
  scans?: number;
}

/**
 * The same scan on a timer loop, for a Temporal server without Schedules (the time-skipping
 * test server): each scan runs `everyMinutes` after the previous one, at the workflow's clock.
 */
export async function dateTriggerScanLoop(input: ScanLoopInput) {
  const log: { at: number; enrolled: number }[] = [];
  const limit = input.scans ?? 500;
  for (let i = 0; i < limit; i++) {
    await sleep(input.everyMinutes * 60_000);
    const result = await scanDateTriggers({ now: Date.now() });
    if (result.enrolled > 0) log.push({ at: Date.now(), enrolled: result.enrolled });
  }
  if (input.scans === undefined) await continueAsNew<typeof dateTriggerScanLoop>(input);
  return log;
}
