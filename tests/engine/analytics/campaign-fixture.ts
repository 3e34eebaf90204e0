import type { Db } from '../../../db';
import { broadcasts, contacts, events, journeys, lists, messages } from '../../../db/schema';
import { addCampaignCost, createCampaign, linkJourney } from '../../../engine/campaigns/campaigns';
import { createTemplate } from '../../../engine/messaging/templates/templates';

export const T0 = Date.parse('2026-11-02T10:00:00Z'); // a Monday
export const H = 3_600_000;
export const at = (ms: number) => new Date(T0 + ms);

/**
 * Two campaigns, worked by hand.
 *
 * Autumn (A): Order Completed, clicks 168 h, opens 24 h; email 0.50, SMS 0.10; costs entered:
 * 10 on 2026-11-01, 5 on 2026-11-10. Broadcast BA (email, audience 6) at T0 to c0 (clicked),
 * c1 (opened), c2 (sent, never opened), c3 (bounced), c5 (clicked); broadcast BS (SMS, audience 1)
 * to c4 at T0+7d (delivered); journey JA (no runs, audience 0) emails c0 at T0+2d (clicked).
 * Winter (B): Order Completed, clicks 48 h, opens 12 h; email 1.00. Broadcast BB (email,
 * audience 2) at T0+1d to c0 (opened) and c5 (clicked).
 *
 * Orders and their touches:
 * - c0 orders 100 at T0+72h. Touches: BA click +2h, JA click +49h (BB open +25h is 47 h old,
 *   outside both open windows). A: last JA, first BA → A. B: only JA (BA's click is 70 h old >
 *   48 h) → last touch is not B's.
 * - c1 orders "40" (as total) at T0+5h after opening BA at +1h → A under every model.
 * - c2 orders 60, c3 orders 30: no open, click or non-email delivery → nobody.
 * - c4 orders 50 at T0+7d+3h, 3 h after the SMS delivery (within 24 h) → A.
 * - c5 clicks BA at +1h and BB at +25h, orders 80 at +26h. A's windows: touches BA and BB →
 *   last BB (not A), first BA (A), linear ½ to A. B's windows: BA click 25 h ≤ 48 h, BB → last BB → B.
 *
 * Funnel of A (contacts): audience 6 + 1 + 0 = 7; sent c0,c1,c2,c3,c4,c5 = 6; delivered (not
 * bounced) 5; opened (open or click tracked) c0,c1,c5 = 3; clicked c0,c5 = 2; converted: last
 * c0,c1,c4 = 3 (revenue 190), first c0,c1,c4,c5 = 4 (270), linear 4 contacts, 3.5 conversions (230).
 *
 * Dashboard [2026-10-26, 2026-11-16] (last touch): attributed revenue A 100 + 40 + 50, B 80 = 270.
 * Spend: A messages 5 × 0.5 (BA) + 0.5 (JA) + 0.1 (BS) = 3.1, costs 10 + 5 → 18.1; B 2 × 1 = 2;
 * total 20.1. ROI = (270 − 20.1) / 20.1 = 12.432836. Per week: 10-26: 0 vs 10 → −1; 11-02:
 * 220 vs 2.5 + 0.5 + 2 = 5 → 43; 11-09: 50 vs 0.1 + 5 = 5.1 → 8.803922; 11-16: nothing → null.
 * Range [T0+24h, T0+14d]: c1's order (+5h), BA's messages (T0) and the cost of 11-01 fall out:
 * revenue 100 + 50 + 80 = 230, spend 0.5 + 0.1 + 2 + 5 = 7.6, ROI 222.4 / 7.6 = 29.263158.
 * Headline over the wide range: 6 orders, revenue 360; messages sent (not bounced) 4 + 1 + 1 + 2 = 8.
 */
export async function seedCampaignReturns(db: Db, ws: string) {
  const inserted = await db
    .insert(contacts)
    .values(
      Array.from({ length: 6 }, (_, i) => ({
        workspaceId: ws,
        externalId: `r-${i}`,
        email: `r${i}@example.com`,
      })),
    )
    .returning({ id: contacts.id });
  const c = inserted.map((x) => x.id);
  const [list] = await db.insert(lists).values({ workspaceId: ws, name: 'Returns' }).returning();
  const email = await createTemplate(db, ws, {
    name: 'returns-email',
    channel: 'email',
    subject: 'Sale',
    body: 'Sale',
  });
  const sms = await createTemplate(db, ws, { name: 'returns-sms', channel: 'sms', body: 'Sale' });
  const autumn = await createCampaign(db, ws, {
    name: 'Autumn',
    objective: { event: 'Order Completed' },
    costModel: { email: 0.5, sms: 0.1 },
    channels: ['email', 'sms'],
    attribution: { clickWindowHours: 168, openWindowHours: 24 },
  });
  const winter = await createCampaign(db, ws, {
    name: 'Winter',
    objective: { event: 'Order Completed' },
    costModel: { email: 1 },
    channels: ['email'],
    attribution: { clickWindowHours: 48, openWindowHours: 12 },
  });
  await addCampaignCost(db, ws, autumn.id, { label: 'Ads', amount: 10, incurredOn: '2026-11-01' });
  await addCampaignCost(db, ws, autumn.id, { label: 'Design', amount: 5, incurredOn: '2026-11-10' });
  const broadcast = async (campaignId: string, name: string, channel: string, audienceSize: number) => {
    const [row] = await db
      .insert(broadcasts)
      .values({
        workspaceId: ws,
        campaignId,
        name,
        channel,
        variants: [{ key: 'A', templateId: channel === 'sms' ? sms.id : email.id }],
        audience: { segmentIds: [], listIds: [list.id], excludeSegmentIds: [], excludeListIds: [] },
        status: 'completed',
        audienceSize,
        launchedAt: at(0),
      })
      .returning();
    return row.id;
  };
  const ba = await broadcast(autumn.id, 'Autumn sale', 'email', 6);
  const bs = await broadcast(autumn.id, 'Autumn SMS', 'sms', 1);
  const bb = await broadcast(winter.id, 'Winter sale', 'email', 2);
  const [ja] = await db
    .insert(journeys)
    .values({ workspaceId: ws, name: 'Welcome', draft: {}, status: 'active' })
    .returning();
  await linkJourney(db, ws, autumn.id, ja.id);
  const send = async (source: string, contact: number, channel: string, status: string, time: number) => {
    const [row] = await db
      .insert(messages)
      .values({
        workspaceId: ws,
        idempotencyKey: `${source}:${c[contact]}`,
        contactId: c[contact],
        journeyId: source,
        nodeId: source === ja.id ? 'welcome' : 'broadcast:A',
        channel,
        status,
        createdAt: at(time),
      })
      .returning();
    return row.id;
  };
  const ba0 = await send(ba, 0, 'email', 'clicked', 0);
  const ba1 = await send(ba, 1, 'email', 'opened', 0);
  await send(ba, 2, 'email', 'sent', 0);
  await send(ba, 3, 'email', 'bounced', 0);
  const ba5 = await send(ba, 5, 'email', 'clicked', 0);
  await send(bs, 4, 'sms', 'delivered', 7 * 24 * H);
  const ja0 = await send(ja.id, 0, 'email', 'clicked', 48 * H);
  const bb0 = await send(bb, 0, 'email', 'opened', 24 * H);
  const bb5 = await send(bb, 5, 'email', 'clicked', 24 * H);
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
      event(0, 'Email Opened', 1 * H, { messageId: ba0 }),
      event(0, 'Email Link Clicked', 2 * H, { messageId: ba0 }),
      event(0, 'Email Opened', 25 * H, { messageId: bb0 }),
      event(0, 'Email Link Clicked', 49 * H, { messageId: ja0 }),
      event(0, 'Order Completed', 72 * H, { revenue: 100 }),
      event(1, 'Email Opened', 1 * H, { messageId: ba1 }),
      event(1, 'Order Completed', 5 * H, { total: '40' }),
      event(2, 'Order Completed', 2 * H, { revenue: 60 }),
      event(3, 'Order Completed', 3 * H, { revenue: 30 }),
      event(4, 'Order Completed', 7 * 24 * H + 3 * H, { revenue: 50 }),
      event(5, 'Email Link Clicked', 1 * H, { messageId: ba5 }),
      event(5, 'Email Link Clicked', 25 * H, { messageId: bb5 }),
      event(5, 'Order Completed', 26 * H, { revenue: 80 }),
    ]);
  return { autumnId: autumn.id, winterId: winter.id };
}
