import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db';
import { refreshAllRfm } from '../analytics/rfm';
import type { TemporalDeps } from '../automation/runs/enroll';
import { scanDateTriggers } from '../automation/triggers/date-scan';
import { scanHolidayTriggers } from '../automation/triggers/holiday-scan';
import { syncJourneySchedules } from '../automation/triggers/schedules';
import { finishJob } from '../jobs/jobs';
import { runJob } from '../jobs/run-job';
import { refitFittedModels } from '../jobs/start';
import { type AudienceProgress, enrollAudience } from '../operations/scheduled-enrollment';
import { reevaluateAllSegments } from '../operations/segment-membership';

export interface SchedulingActivityDeps {
  db: Db;
  /** The client to enroll with; the worker's own client when absent. */
  temporal?: Client;
}

/**
 * Activities of the scan and job workflows. They enroll on the task queue of the worker that
 * runs them, which is the journeys' queue.
 */
/** How often an upkeep activity beats; the workflows' heartbeat timeout is a minute. */
const UPKEEP_BEAT_MS = 5_000;

/**
 * Runs `work` while beating every few seconds, so a scan or refresh whose worker died is tried
 * again after the heartbeat timeout (a minute) instead of its start-to-close timeout (up to hours).
 */
async function whileBeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), UPKEEP_BEAT_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createSchedulingActivities({ db, temporal }: SchedulingActivityDeps) {
  const deps = (): TemporalDeps => {
    const context = Context.current();
    return { db, temporal: temporal ?? context.client, taskQueue: context.info.taskQueue };
  };
  const beat = (details?: unknown) => () => Context.current().heartbeat(details);
  return {
    /** `now` is the workflow's clock, so scans are exact under time skipping and in replays. */
    scanDateTriggers(input: { now: number }) {
      return whileBeating(async () => {
        const dates = await scanDateTriggers(deps(), input.now);
        // Holidays are dates too: the same scan, the same schedule.
        const holidays = await scanHolidayTriggers(deps(), input.now);
        return {
          journeys: dates.journeys + holidays.journeys,
          enrolled: dates.enrolled + holidays.enrolled,
          skipped: dates.skipped + holidays.skipped,
          failed: dates.failed + holidays.failed,
        };
      });
    },

    refreshAllSegments(input: { now: number }) {
      return whileBeating(() => reevaluateAllSegments(deps(), undefined, new Date(input.now)));
    },

    /** RFM again in place, then every fitted model refitted as its own background job. */
    refreshAnalytics() {
      return whileBeating(async () => {
        const rfm = await refreshAllRfm(db);
        const refits = await refitFittedModels(deps());
        return { ...rfm, refits };
      });
    },

    syncJourneySchedules() {
      return whileBeating(() => {
        const { temporal: client, taskQueue } = deps();
        return syncJourneySchedules(client, db, taskQueue);
      });
    },

    async enrollAudience(input: { workspaceId: string; journeyId: string; tick: string }) {
      const context = Context.current();
      const resume = context.info.heartbeatDetails as AudienceProgress | undefined;
      return enrollAudience(deps(), input, resume, (progress) => context.heartbeat(progress));
    },

    async runJob(input: { jobId: string }) {
      await runJob(deps(), input.jobId, beat());
    },

    async failJob(input: { jobId: string; message: string }) {
      await finishJob(db, input.jobId, input.message);
    },
  };
}

export type SchedulingActivities = ReturnType<typeof createSchedulingActivities>;
