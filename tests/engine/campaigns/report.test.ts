import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../../db';
import { broadcastRecipients, broadcasts, events, journeys, messages } from '../../../db/schema';
import { addCampaignCost, createCampaign, linkJourney } from '../../../engine/campaigns/campaigns';
import { broadcastReport, campaignReport, journeyReport, reportCsv } from '../../../engine/campaigns/report';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { seedAudience } from './fixtures';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const H = 3_600_000;
const at = (ms: number) => new Date(T0 + ms);

/**
 * The fixture, computed by hand (windows: clicks 7 days, opens 1 day; email costs 0.50):
 * broadcast messages m1, m2 (variant A) and m3, m4 (variant B) sent at T0; journey message j1 to c1
 * at T0+2d.
 * - c1: clicks m1 at T0+2h, clicks j1 at T0+2d+1h, orders 100 at T0+3d → touches m1 and j1:
 *   last touch j1, first touch m1, linear ½ each.
 * - c2: opens m2 at T0+1h, orders "40" (as `total`) at T0+5h → touch m2 under every model.
 * - c3: opens m3 at T0+1h, unsubscribes; orders 60 at T0+2d: 47 h after the open, outside the
 *   1-day open window → not attributed.
 * - c4: m4 bounced; orders 30 at T0+1h with no open or click → not attributed.
 * - holdout c5..c8: c5 orders 25 at T0+1d.
 */
async function seed(db: Db) {
  const seeded = await seedAudience(db, 8, 'Report workspace');
  const ws = seeded.workspace.id;
  const c = seeded.contacts.map((x) => x.id);
  const campaign = await createCampaign(db, ws, {
    name: 'Autumn',
    objective: { event: 'Order Completed', targetRevenue: 1000 },
    budget: 100,
    currency: 'EUR',
    costModel: { email: 0.5 },
    channels: ['email'],
  });
  await addCampaignCost(db, ws, campaign.id, { label: 'Ads', amount: 10, incurredOn: '2026-11-01' });
  const [broadcast] = await db
    .insert(broadcasts)
    .values({
      workspaceId: ws,
      campaignId: campaign.id,
      name: 'Autumn sale',
      channel: 'email',
      variants: [
        { key: 'A', templateId: seeded.templates.email.id },
        { key: 'B', templateId: seeded.templates.emailB.id },
      ],
      audience: { segmentIds: [], listIds: [seeded.list.id], excludeSegmentIds: [], excludeListIds: [] },
      holdoutShare: 0.5,
      status: 'completed',
      audienceSize: 8,
      launchedAt: at(0),
    })
    .returning();
  const [journey] = await db
    .insert(journeys)
    .values({ workspaceId: ws, name: 'Welcome', draft: {}, status: 'active' })
    .returning();
  await linkJourney(db, ws, campaign.id, journey.id);
  const message = (i: number, variant: string, status: string) => ({
    workspaceId: ws,
    idempotencyKey: `broadcast:${broadcast.id}:${c[i]}`,
    contactId: c[i],
    broadcastId: broadcast.id,
    nodeId: `broadcast:${variant}`,
    channel: 'email',
    status,
    recipient: `c${i}@example.com`,
    createdAt: at(0),
  });
  const [m1, m2, m3, m4] = await db
    .insert(messages)
    .values([
      message(0, 'A', 'clicked'),
      message(1, 'A', 'opened'),
      message(2, 'B', 'opened'),
      message(3, 'B', 'bounced'),
    ])
    .returning();
  const [j1] = await db
    .insert(messages)
    .values({
      workspaceId: ws,
      idempotencyKey: 'journey-j1',
      contactId: c[0],
      journeyId: journey.id,
      nodeId: 'welcome',
      channel: 'email',
      status: 'clicked',
      createdAt: at(48 * H),
    })
    .returning();
  await db.insert(broadcastRecipients).values([
    ...[m1, m2, m3, m4].map((m, i) => ({
      workspaceId: ws,
      broadcastId: broadcast.id,
      contactId: c[i],
      seq: i + 1,
      grp: 'test' as const,
      variant: i < 2 ? 'A' : 'B',
      dueAt: at(0),
      status: 'sent' as const,
      messageId: m.id,
      sentAt: at(0),
    })),
    ...[4, 5, 6, 7].map((i) => ({
      workspaceId: ws,
      broadcastId: broadcast.id,
      contactId: c[i],
      seq: i + 1,
      grp: 'holdout' as const,
      dueAt: at(0),
      status: 'holdout' as const,
    })),
  ]);
  let n = 0;
  const event = (contact: number, name: string, time: number, properties: Record<string, unknown>) => ({
    workspaceId: ws,
    messageId: `e-${n++}`,
    contactId: c[contact],
    type: 'track',
    name,
    properties,
    timestamp: at(time),
  });
  await db
    .insert(events)
    .values([
      event(0, 'Email Opened', 1 * H, { messageId: m1.id }),
      event(0, 'Email Link Clicked', 2 * H, { messageId: m1.id }),
      event(0, 'Email Link Clicked', 49 * H, { messageId: j1.id }),
      event(0, 'Order Completed', 72 * H, { revenue: 100, currency: 'EUR' }),
      event(1, 'Email Opened', 1 * H, { messageId: m2.id }),
      event(1, 'Order Completed', 5 * H, { total: '40' }),
      event(2, 'Email Opened', 1 * H, { messageId: m3.id }),
      event(2, 'Unsubscribed', 1 * H, { messageId: m3.id }),
      event(2, 'Order Completed', 48 * H, { revenue: 60 }),
      event(3, 'Order Completed', 1 * H, { revenue: 30 }),
      event(4, 'Order Completed', 24 * H, { revenue: 25 }),
    ]);
  return { ws, campaign, broadcast, journey };
}

describe.each(databaseKinds())(
  'campaign, broadcast and journey reports against a hand-computed fixture (%s)',
  (kind) => {
    let database: Database;
    let fixture: Awaited<ReturnType<typeof seed>>;
    beforeAll(async () => {
      database = await openTestDb(kind);
      fixture = await seed(database.db);
    });
    afterAll(() => database?.close());

    it('broadcast, last touch: 4 sent, 1 bounced, 3 opened, 1 clicked, 1 unsubscribed, 1 conversion of 40', async () => {
      const report = await broadcastReport(database.db, fixture.ws, fixture.broadcast.id, 'last');
      expect(report.totals).toEqual({
        audience: 8,
        sent: 4,
        delivered: 3,
        bounced: 1,
        opened: 3,
        clicked: 1,
        unsubscribed: 1,
        complained: 0,
        converted: 1,
        revenue: 40,
        cost: 2,
        // (40 − 2) / 2 and 40 / 2
        roi: 19,
        roas: 20,
        costPerConversion: 2,
      });
      const a = report.byVariant.find((v) => v.variant === 'A')!;
      const b = report.byVariant.find((v) => v.variant === 'B')!;
      expect([a.sent, a.opened, a.clicked, a.converted, a.revenue, a.cost]).toEqual([2, 2, 1, 1, 40, 1]);
      expect([b.sent, b.opened, b.bounced, b.unsubscribed, b.converted, b.cost]).toEqual([2, 1, 1, 1, 0, 1]);
    });

    it('broadcast, first touch and linear credit c1’s order to m1 wholly and by half', async () => {
      const first = await broadcastReport(database.db, fixture.ws, fixture.broadcast.id, 'first');
      expect([first.totals.converted, first.totals.revenue]).toEqual([2, 140]);
      const linear = await broadcastReport(database.db, fixture.ws, fixture.broadcast.id, 'linear');
      expect([linear.totals.converted, linear.totals.revenue]).toEqual([1.5, 90]);
    });

    it('holdout: all 4 sent-to contacts ordered within 7 days against 1 of 4 held out → lift 300 %', async () => {
      const report = await broadcastReport(database.db, fixture.ws, fixture.broadcast.id);
      expect(report.holdout).toMatchObject({
        treated: { contacts: 4, converted: 4, rate: 1 },
        control: { contacts: 4, converted: 1, rate: 0.25 },
        absoluteLift: 0.75, // 1 − 0.25
        lift: 3,
        incrementalConversions: 3,
      });
    });

    it('campaign: both sources, fixed cost counted, ROI and ROAS, budget left', async () => {
      const report = await campaignReport(database.db, fixture.ws, fixture.campaign.id, 'last');
      // Cost 5 × 0.50 + 10 fixed = 12.50; revenue 100 (j1) + 40 (m2) = 140.
      expect(report.totals).toMatchObject({
        sent: 5,
        opened: 4,
        clicked: 2,
        converted: 2,
        revenue: 140,
        cost: 12.5,
        costPerConversion: 6.25,
      });
      expect(report.totals.roi).toBeCloseTo(10.2, 10); // (140 − 12.5) / 12.5
      expect(report.totals.roas).toBeCloseTo(11.2, 10); // 140 / 12.5
      expect(report.budget).toEqual({ budget: 100, spent: 12.5, remaining: 87.5, warning: null });
      const journey = report.bySource.find((s) => s.kind === 'journey')!;
      expect([journey.sent, journey.converted, journey.revenue]).toEqual([1, 1, 100]);
      // Each source carries its own lift: the broadcast's as in its report, none for the journey (no holdout).
      const broadcast = report.bySource.find((s) => s.kind === 'broadcast')!;
      expect(broadcast.holdout).toMatchObject({ treated: { contacts: 4, converted: 4 }, lift: 3 });
      expect(journey.holdout).toBeNull();
      expect(report.byDay.map((d) => d.day)).toEqual(['2026-11-02', '2026-11-04', '2026-11-05']);
      const csv = reportCsv(report);
      expect(csv.split('\n')[1]).toBe('total,Autumn,8,5,4,1,4,2,1,0,2,140,12.5,10.2,11.2,6.25');
    });

    it('journey: its one message converted 100 at a cost of 0.50', async () => {
      const report = await journeyReport(database.db, fixture.ws, fixture.journey.id, 'last');
      expect(report.totals).toMatchObject({
        sent: 1,
        converted: 1,
        revenue: 100,
        cost: 0.5,
        roi: 199,
        roas: 200,
      });
    });
  },
);
