import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type Workflow,
} from '@temporalio/client';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeys, journeyVersions } from '../../../db/schema';
import { workspaceTimezone } from '../../audience/contacts/contact-store';
import { resolveTimeZone } from '../../time/zoned';
import { journeysWithTrigger } from './trigger-index';

export const DATE_SCAN_SCHEDULE_ID = 'wayline:date-trigger-scan';
export const SEGMENT_REFRESH_SCHEDULE_ID = 'wayline:segment-refresh';
export const ANALYTICS_REFRESH_SCHEDULE_ID = 'wayline:analytics-refresh';
export const journeyScheduleId = (journeyId: string) => `wayline:journey:${journeyId}`;

export interface ScheduleSetup {
  taskQueue: string;
  /** How often date triggers are scanned; a trigger fires at most this late after its local time. */
  dateScanEvery?: string;
  /** How often every segment is re-evaluated for time-dependent rules. */
  segmentRefreshEvery?: string;
}

type Options = ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>>;

/**
 * Creates or updates the Temporal Schedules Wayline needs, idempotently: the date-trigger
 * scan, the periodic segment refresh, and one schedule per active `trigger.schedule` journey.
 * Run when a worker starts; safe from several processes at once.
 */
export async function ensureSchedules(client: Client, db: Db, setup: ScheduleSetup): Promise<void> {
  await upsertSchedule(client, {
    scheduleId: DATE_SCAN_SCHEDULE_ID,
    spec: { intervals: [{ every: setup.dateScanEvery ?? '15m' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'dateTriggerScan',
      workflowId: 'wayline-date-trigger-scan',
      taskQueue: setup.taskQueue,
      args: [{}],
    },
    policies: { overlap: 'SKIP', catchupWindow: '1h' },
  });
  await upsertSchedule(client, {
    scheduleId: SEGMENT_REFRESH_SCHEDULE_ID,
    spec: { intervals: [{ every: setup.segmentRefreshEvery ?? '1h' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'segmentRefresh',
      workflowId: 'wayline-segment-refresh',
      taskQueue: setup.taskQueue,
      args: [{}],
    },
    policies: { overlap: 'SKIP', catchupWindow: '1h' },
  });
  // RFM again each day where it is used (the workflow lives in analytics; only its name is here).
  await upsertSchedule(client, {
    scheduleId: ANALYTICS_REFRESH_SCHEDULE_ID,
    spec: { intervals: [{ every: '24h' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'analyticsRefresh',
      workflowId: 'wayline-analytics-refresh',
      taskQueue: setup.taskQueue,
      args: [],
    },
    policies: { overlap: 'SKIP', catchupWindow: '1h' },
  });
  await syncJourneySchedules(client, db, setup.taskQueue);
}

async function upsertSchedule(client: Client, options: Options): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  }
}

/**
 * One schedule per active journey whose trigger is `trigger.schedule` (cron in the journey's or
 * workspace's time zone); schedules of journeys no longer active with that trigger are deleted.
 */
export async function syncJourneySchedules(
  client: Client,
  db: Db,
  taskQueue: string,
  workspaceId?: string,
): Promise<{ active: string[]; removed: string[] }> {
  const wanted = await journeysWithTrigger(db, 'trigger.schedule', workspaceId);
  const active: string[] = [];
  for (const journey of wanted) {
    const cron = String(journey.trigger.config.cron);
    const timezone = resolveTimeZone(
      journey.plan.settings.timezone,
      await workspaceTimezone(db, journey.workspaceId),
    );
    try {
      await upsertSchedule(client, {
        scheduleId: journeyScheduleId(journey.journeyId),
        spec: { cronExpressions: [cron], timezone },
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledEnrollment',
          workflowId: `wl-schedule:${journey.journeyId}`,
          taskQueue,
          args: [{ workspaceId: journey.workspaceId, journeyId: journey.journeyId }],
        },
        policies: { overlap: 'SKIP', catchupWindow: '1h' },
      });
      active.push(journey.journeyId);
    } catch (error) {
      console.warn(
        JSON.stringify({
          level: 'warn',
          message: 'journey schedule not created',
          journeyId: journey.journeyId,
          cron,
          error: (error as Error).message,
        }),
      );
    }
  }
  // Journeys that ever had a schedule trigger but are not active with one now.
  const stale = await db
    .selectDistinct({ id: journeys.id })
    .from(journeys)
    .innerJoin(journeyVersions, eq(journeyVersions.journeyId, journeys.id))
    .where(
      and(
        sql`(${journeyVersions.plan} -> 'nodes' -> (${journeyVersions.plan} ->> 'trigger') ->> 'type') = 'trigger.schedule'`,
        workspaceId ? eq(journeys.workspaceId, workspaceId) : undefined,
        wanted.length > 0
          ? notInArray(
              journeys.id,
              wanted.map((j) => j.journeyId),
            )
          : undefined,
      ),
    );
  const removed: string[] = [];
  for (const { id } of stale) {
    try {
      await client.schedule.getHandle(journeyScheduleId(id)).delete();
      removed.push(id);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return { active, removed };
}
