import { ScheduleNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { journeyRuns } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createSegment } from '../../../../engine/audience/segments/segments';
import { setJourneyStatus } from '../../../../engine/automation/journeys/journeys';
import {
  DATE_SCAN_SCHEDULE_ID,
  ensureSchedules,
  journeyScheduleId,
  SEGMENT_REFRESH_SCHEDULE_ID,
  syncJourneySchedules,
} from '../../../../engine/automation/triggers/schedules';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { openTestDb } from '../../../helpers/databases';
import { line, publishGraph } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

describe('Temporal Schedules for scans and trigger.schedule (real Temporal dev server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
  });
  afterAll(async () => {
    for (const id of [DATE_SCAN_SCHEDULE_ID, SEGMENT_REFRESH_SCHEDULE_ID]) {
      await temporal?.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => {});
    }
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it('creates the scan schedules once and updates them on a second start', async () => {
    await ensureSchedules(temporal.client, database.db, { taskQueue: temporal.taskQueue });
    await ensureSchedules(temporal.client, database.db, {
      taskQueue: temporal.taskQueue,
      dateScanEvery: '5m',
    });
    const scan = await temporal.client.schedule.getHandle(DATE_SCAN_SCHEDULE_ID).describe();
    expect(scan.action).toMatchObject({ workflowType: 'dateTriggerScan', taskQueue: temporal.taskQueue });
    expect(scan.spec.intervals?.map((i) => i.every)).toEqual([300_000]);
    const refresh = await temporal.client.schedule.getHandle(SEGMENT_REFRESH_SCHEDULE_ID).describe();
    expect(refresh.action).toMatchObject({ workflowType: 'segmentRefresh' });
  });

  it('runs a trigger.schedule journey for its segment when its schedule fires, and removes the schedule when archived', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Weekly', 'Europe/Berlin');
    const members = [];
    for (const i of [1, 2]) {
      members.push(
        await createContact(db, workspace.id, { userId: `weekly-${i}`, attributes: { digest: true } }),
      );
    }
    await createContact(db, workspace.id, { userId: 'no-digest' });
    const segment = await createSegment(db, workspace.id, {
      name: 'Digest readers',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'digest', op: 'eq', value: true }] },
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Weekly digest',
        [
          { id: 'start', type: 'trigger.schedule', config: { cron: '0 9 * * 1', segmentId: segment.id } },
          { id: 'mark', type: 'contact.update', config: { set: { digestSent: true } } },
        ],
        { reEntry: { mode: 'after-exit' }, exitCriteria: [] },
      ),
    );
    const synced = await syncJourneySchedules(temporal.client, db, temporal.taskQueue, workspace.id);
    expect(synced.active).toEqual([journey.id]);
    const handle = temporal.client.schedule.getHandle(journeyScheduleId(journey.id));
    const description = await handle.describe();
    expect(description.spec.timezone).toBe('Europe/Berlin');
    expect(description.action).toMatchObject({ workflowType: 'scheduledEnrollment' });

    await handle.trigger();
    let runs: (typeof journeyRuns.$inferSelect)[] = [];
    for (let i = 0; i < 600 && runs.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
    }
    expect(runs.map((r) => r.contactId).sort()).toEqual(members.map((m) => m.id).sort());
    expect(runs[0].triggerEventId).toMatch(/^schedule:/);

    await setJourneyStatus(db, workspace.id, journey.id, 'archived');
    const after = await syncJourneySchedules(temporal.client, db, temporal.taskQueue, workspace.id);
    expect(after.removed).toEqual([journey.id]);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
