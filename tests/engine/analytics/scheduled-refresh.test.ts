import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events, jobs } from '../../../db/schema';
import { refreshAffinity } from '../../../engine/analytics/affinity';
import { loadResult } from '../../../engine/analytics/results';
import { refreshRfm } from '../../../engine/analytics/rfm';
import { loadAnalyticsProfile } from '../../../engine/audience/conditions/analytics';
import { createContact } from '../../../engine/audience/contacts/contacts';
import {
  ANALYTICS_REFRESH_SCHEDULE_ID,
  DATE_SCAN_SCHEDULE_ID,
  ensureSchedules,
  SEGMENT_REFRESH_SCHEDULE_ID,
} from '../../../engine/automation/triggers/schedules';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';

describe('scheduled RFM refresh (real Temporal dev server and worker, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
  });
  afterAll(async () => {
    for (const id of [DATE_SCAN_SCHEDULE_ID, SEGMENT_REFRESH_SCHEDULE_ID, ANALYTICS_REFRESH_SCHEDULE_ID]) {
      await temporal?.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => {});
    }
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it('schedules a daily refresh that recomputes RFM with each workspace’s own window', async () => {
    await ensureSchedules(temporal.client, database.db, { taskQueue: temporal.taskQueue });
    const schedule = await temporal.client.schedule.getHandle(ANALYTICS_REFRESH_SCHEDULE_ID).describe();
    expect(schedule.action).toMatchObject({
      workflowType: 'analyticsRefresh',
      taskQueue: temporal.taskQueue,
    });
    expect(schedule.spec.intervals?.map((i) => i.every)).toEqual([86_400_000]);

    const { db } = database;
    const workspace = await createWorkspace(db, 'Daily RFM');
    const unused = await createWorkspace(db, 'No analytics');
    const ada = await createContact(db, workspace.id, { userId: 'ada' });
    const bob = await createContact(db, workspace.id, { userId: 'bob' });
    const order = (contactId: string, id: string, daysAgo: number, revenue: number) => ({
      workspaceId: workspace.id,
      contactId,
      messageId: id,
      type: 'track',
      name: 'Order Completed',
      properties: { revenue },
      timestamp: new Date(Date.now() - daysAgo * 86_400_000),
    });
    await db.insert(events).values([order(ada.id, 'a1', 10, 50), order(ada.id, 'old', 100, 500)]);
    await refreshRfm(db, workspace.id, { windowDays: 30 });
    expect((await loadAnalyticsProfile(db, workspace.id, ada.id)).rfm).toMatchObject({
      frequency: 1,
      monetary: 50,
    });

    await db.insert(events).values([order(bob.id, 'b1', 1, 20), order(ada.id, 'a2', 2, 30)]);
    const result = await temporal.client.workflow.execute('analyticsRefresh', {
      workflowId: `analytics-refresh-test-${workspace.id}`,
      taskQueue: temporal.taskQueue,
      args: [],
    });
    expect(result).toMatchObject({ contacts: expect.any(Number) });
    // Still a 30-day window: the 100-day-old order stays out.
    expect((await loadAnalyticsProfile(db, workspace.id, ada.id)).rfm).toMatchObject({
      frequency: 2,
      monetary: 80,
    });
    expect((await loadAnalyticsProfile(db, workspace.id, bob.id)).rfm).toMatchObject({ frequency: 1 });
    expect((await loadAnalyticsProfile(db, unused.id, ada.id)).rfm).toBeNull();
  });

  it('refits each fitted model with its last options as a background job', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Daily refit');
    const cy = await createContact(db, workspace.id, { userId: 'cy' });
    const basket = (id: string, daysAgo: number, skus: string[]) => ({
      workspaceId: workspace.id,
      contactId: cy.id,
      messageId: id,
      type: 'track',
      name: 'Order Completed',
      properties: { revenue: 10, products: skus.map((sku) => ({ product_id: sku, price: 5, quantity: 1 })) },
      timestamp: new Date(Date.now() - daysAgo * 86_400_000),
    });
    await db.insert(events).values([basket('o1', 3, ['tea', 'cup']), basket('o2', 4, ['tea', 'cup'])]);
    await refreshAffinity(db, workspace.id, { minSupport: 0.5, minConfidence: 0.5, windowDays: 30 });
    const before = await loadResult(db, workspace.id, 'affinity');
    expect(before?.result).toMatchObject({ orders: 2 });

    // A third order with the pair arrives; the daily refresh must see it without anyone asking.
    await db.insert(events).values(basket('o3', 1, ['tea', 'cup']));
    const result = await temporal.client.workflow.execute('analyticsRefresh', {
      workflowId: `analytics-refit-test-${workspace.id}`,
      taskQueue: temporal.taskQueue,
      args: [],
    });
    expect(result.refits.started).toBeGreaterThanOrEqual(1);
    const refit = async () =>
      (
        await db
          .select()
          .from(jobs)
          .where(and(eq(jobs.workspaceId, workspace.id), eq(jobs.kind, 'analytics')))
      )[0];
    await expect.poll(async () => (await refit())?.status, { timeout: 30_000 }).toBe('completed');
    expect((await refit()).params).toMatchObject({
      model: 'affinity',
      options: { windowDays: 30, minSupport: 0.5 },
    });
    const after = await loadResult(db, workspace.id, 'affinity');
    expect(after?.computedAt.getTime()).toBeGreaterThan(before?.computedAt.getTime() ?? 0);
    expect(after?.result).toMatchObject({ orders: 3 });
  });
});
