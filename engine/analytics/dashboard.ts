import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { inSegment } from './segment-filter';
import { getPurchaseSettings, orderAmount } from './settings';

/**
 * The workspace's headline numbers now and per week over [from, to]: contacts, active journeys,
 * messages sent, conversions (purchases) and revenue; with a segment, the contacts, messages,
 * conversions and revenue are its members' only. The campaigns' return (ROI) joins these in
 * engine/operations/dashboard.ts.
 */
export async function headlineNumbers(db: Db, workspaceId: string, from: Date, to: Date, segmentId?: string) {
  const settings = await getPurchaseSettings(db, workspaceId);
  const members = (contact: string) =>
    segmentId ? inSegment(workspaceId, segmentId, sql.raw(contact)) : sql``;
  const [totals] = await queryRows<Record<string, number | string>>(
    db,
    sql`select
      (select count(*) from contacts where workspace_id = ${workspaceId} ${members('contacts.id')})::int as contacts,
      (select count(*) from journeys where workspace_id = ${workspaceId} and status = 'active')::int as active_journeys,
      (select count(*) from messages where workspace_id = ${workspaceId} and status in ('sent', 'delivered', 'opened', 'clicked')
         ${members('messages.contact_id')} and created_at between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz)::int as messages,
      (select count(*) from events where workspace_id = ${workspaceId} and name = ${settings.purchaseEvent}
         ${members('events.contact_id')} and timestamp between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz)::int as conversions,
      (select coalesce(sum(${orderAmount(settings, sql`properties`)}), 0) from events where workspace_id = ${workspaceId} and name = ${settings.purchaseEvent}
         ${members('events.contact_id')} and timestamp between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz)::double precision as revenue`,
  );
  const weekly = await queryRows<Record<string, number | string>>(
    db,
    sql`with weeks as (
        select generate_series(date_trunc('week', ${from.toISOString()}::timestamptz at time zone 'UTC'),
                               date_trunc('week', ${to.toISOString()}::timestamptz at time zone 'UTC'), '1 week'::interval) as week)
      select to_char(w.week, 'YYYY-MM-DD') as week,
        (select count(*) from contacts c where c.workspace_id = ${workspaceId} ${members('c.id')}
           and date_trunc('week', c.created_at at time zone 'UTC') = w.week)::int as new_contacts,
        (select count(*) from messages m where m.workspace_id = ${workspaceId}
           and m.status in ('sent', 'delivered', 'opened', 'clicked') ${members('m.contact_id')}
           and date_trunc('week', m.created_at at time zone 'UTC') = w.week)::int as messages,
        (select count(*) from events e where e.workspace_id = ${workspaceId} and e.name = ${settings.purchaseEvent}
           ${members('e.contact_id')} and date_trunc('week', e.timestamp at time zone 'UTC') = w.week)::int as conversions,
        (select coalesce(sum(${orderAmount(settings, sql`e.properties`)}), 0) from events e where e.workspace_id = ${workspaceId}
           and e.name = ${settings.purchaseEvent} ${members('e.contact_id')} and date_trunc('week', e.timestamp at time zone 'UTC') = w.week)::double precision as revenue
      from weeks w order by w.week`,
  );
  return {
    totals: {
      contacts: Number(totals.contacts),
      activeJourneys: Number(totals.active_journeys),
      messages: Number(totals.messages),
      conversions: Number(totals.conversions),
      revenue: Number(totals.revenue),
    },
    weekly: weekly.map((w) => ({
      week: String(w.week),
      newContacts: Number(w.new_contacts),
      messages: Number(w.messages),
      conversions: Number(w.conversions),
      revenue: Number(w.revenue),
    })),
  };
}
