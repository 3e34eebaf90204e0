import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { campaignFunnel } from '../../../engine/campaigns/report';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { homeDashboard } from '../../../engine/operations/dashboard';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { at, H, seedCampaignReturns } from './campaign-fixture';

// The fixture and its hand-worked numbers are in ./campaign-fixture.ts.
describe.each(databaseKinds())('campaign funnels and the dashboard ROI (%s)', (kind) => {
  let database: Database;
  let ws: string;
  let autumnId: string;
  let winterId: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    ws = (await createWorkspace(database.db, 'Returns workspace')).id;
    ({ autumnId, winterId } = await seedCampaignReturns(database.db, ws));
  });
  afterAll(async () => {
    await database?.close();
  });

  it("a campaign's funnel in contacts, converted by its attribution under each model", async () => {
    const { db } = database;
    const last = await campaignFunnel(db, ws, autumnId, 'last');
    expect(last.steps.map((s) => [s.step, s.contacts])).toEqual([
      ['audience', 7],
      ['sent', 6],
      ['delivered', 5],
      ['opened', 3],
      ['clicked', 2],
      ['converted', 3],
    ]);
    expect(last.steps[1]).toMatchObject({ conversion: 6 / 7, overallConversion: 6 / 7, dropOff: 1 });
    expect(last.steps[3]).toMatchObject({ conversion: 3 / 5, overallConversion: 3 / 7, dropOff: 2 });
    expect(last.steps[5]).toMatchObject({ conversion: 1.5, dropOff: -1 });
    expect(last).toMatchObject({
      conversions: 3,
      revenue: 190,
      attribution: { event: 'Order Completed', clickWindowHours: 168, openWindowHours: 24 },
    });
    const first = await campaignFunnel(db, ws, autumnId, 'first');
    expect(first.steps[5].contacts).toBe(4);
    expect(first).toMatchObject({ conversions: 4, revenue: 270 });
    const linear = await campaignFunnel(db, ws, autumnId, 'linear');
    expect(linear.steps[5].contacts).toBe(4);
    expect(linear).toMatchObject({ conversions: 3.5, revenue: 230 });
    const winter = await campaignFunnel(db, ws, winterId, 'last');
    expect(winter.steps.map((s) => s.contacts)).toEqual([2, 2, 2, 2, 1, 1]);
    expect(winter.revenue).toBe(80);
  });

  it('the home dashboard sets attributed revenue against spend over its range', async () => {
    const { db } = database;
    const wide = await homeDashboard(
      db,
      ws,
      new Date('2026-10-26T00:00:00Z'),
      new Date('2026-11-16T00:00:00Z'),
    );
    expect(wide.totals).toMatchObject({
      conversions: 6,
      revenue: 360,
      messages: 8,
      attributedRevenue: 270,
      spend: 20.1,
    });
    expect(wide.totals.roi).toBeCloseTo(12.432836, 6);
    expect(
      wide.weekly.map((w) => [
        w.week,
        w.attributedRevenue,
        w.spend,
        w.roi === null ? null : +w.roi.toFixed(6),
      ]),
    ).toEqual([
      ['2026-10-26', 0, 10, -1],
      ['2026-11-02', 220, 5, 43],
      ['2026-11-09', 50, 5.1, 8.803922],
      ['2026-11-16', 0, 0, null],
    ]);
    const narrow = await homeDashboard(db, ws, at(24 * H), at(14 * 24 * H));
    expect(narrow.totals).toMatchObject({ attributedRevenue: 230, spend: 7.6 });
    expect(narrow.totals.roi).toBeCloseTo(29.263158, 6);
  });
});
