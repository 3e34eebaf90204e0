import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { billedStatusesSql } from './costs';
import { CLICK_EVENT, OPEN_EVENT } from './engagement';

export interface AttributionSettings {
  event: string;
  clickWindowHours: number;
  openWindowHours: number;
}

export const DEFAULT_ATTRIBUTION = { clickWindowHours: 168, openWindowHours: 24 };

/** One touch of one conversion, with its credit under each model. */
export interface CreditedTouch {
  conversionId: string;
  contactId: string;
  convertedAt: Date;
  revenue: number;
  messageId: string;
  sourceId: string | null;
  variant: string | null;
  channel: string;
  lastTouch: number;
  firstTouch: number;
  linear: number;
}

/** The revenue of a conversion: its `revenue` property, else `total`, when numeric. */
const revenueOf = (key: string) => sql`case
  when jsonb_typeof(e.properties -> ${key}) = 'number' then (e.properties ->> ${key})::float8
  when (e.properties ->> ${key}) ~ '^-?[0-9]+(\\.[0-9]+)?$' then (e.properties ->> ${key})::float8 end`;

/**
 * The interactions that can earn a conversion of the contacts in the CTE `conv`: opens and clicks
 * tracked on a message, and the sends of SMS and push (which report no opens); up to `until`.
 */
function interactionsSql(workspaceId: string, until?: Date) {
  const before = (column: string) =>
    until ? sql`and ${sql.raw(column)} <= ${until.toISOString()}::timestamptz` : sql``;
  return sql`select e.contact_id, e.properties ->> 'messageId' as message_id, e.timestamp as at,
           case when e.name = ${CLICK_EVENT} then 'click' else 'open' end as kind
    from events e
    where e.workspace_id = ${workspaceId} and e.name in (${OPEN_EVENT}, ${CLICK_EVENT})
      and e.contact_id in (select contact_id from conv) ${before('e.timestamp')}
    union all
    select m.contact_id, m.id::text, m.created_at, 'delivery'
    from messages m
    where m.workspace_id = ${workspaceId} and m.channel <> 'email' and m.test = false
      and m.status in ${billedStatusesSql} and m.contact_id in (select contact_id from conv) ${before('m.created_at')}`;
}

/**
 * Credits each conversion event to the messages the contact interacted with before it, within the
 * windows: a click within the click window, an open within the open window (SMS and push, which
 * report no opens, count from their send within the open window). Last touch gives the whole
 * conversion to the latest interaction, first touch to the earliest, linear splits it evenly.
 * Set-based: one statement, window functions rank the touches of each conversion.
 * `sourceFilter` narrows the answer to touches of some journeys or broadcasts (by message journey id).
 */
export async function creditedTouches(
  db: Db,
  workspaceId: string,
  settings: AttributionSettings,
  sourceFilter?: SQL,
): Promise<CreditedTouch[]> {
  const clickSecs = settings.clickWindowHours * 3600;
  const openSecs = settings.openWindowHours * 3600;
  const filter = sourceFilter ? sql`where source_id in ${sourceFilter}` : sql``;
  const rows = await queryRows<{
    conversion_id: string;
    contact_id: string;
    converted_at: Date | string;
    revenue: number;
    message_id: string;
    source_id: string | null;
    variant: string | null;
    channel: string;
    last_touch: number;
    first_touch: number;
    linear: number;
  }>(
    db,
    sql`with conv as (
          select e.id, e.contact_id, e.timestamp as at, coalesce(${revenueOf('revenue')}, ${revenueOf('total')}, 0) as revenue
          from events e
          where e.workspace_id = ${workspaceId} and e.name = ${settings.event} and e.contact_id is not null
        ), inter as (${interactionsSql(workspaceId)}), eligible as (
          select c.id as conversion_id, c.contact_id, c.at as converted_at, c.revenue, i.message_id, max(i.at) as touched_at
          from conv c join inter i on i.contact_id = c.contact_id and i.at <= c.at
            and i.at > c.at - make_interval(secs => case when i.kind = 'click' then ${clickSecs}::float8 else ${openSecs}::float8 end)
          group by 1, 2, 3, 4, 5
        ), credited as (
          select el.conversion_id, el.contact_id, el.converted_at, el.revenue, el.message_id,
                 coalesce(m.broadcast_id, m.journey_id) as source_id, m.node_id, m.channel,
                 (row_number() over (partition by el.conversion_id order by el.touched_at desc, m.created_at desc) = 1)::int as last_touch,
                 (row_number() over (partition by el.conversion_id order by el.touched_at asc, m.created_at asc) = 1)::int as first_touch,
                 1.0::float8 / count(*) over (partition by el.conversion_id) as linear
          from eligible el join messages m on m.id::text = el.message_id
          where m.workspace_id = ${workspaceId} and m.test = false
        )
        select conversion_id::text, contact_id::text, converted_at, revenue, message_id, source_id::text as source_id,
               case when node_id like 'broadcast:%' then substr(node_id, 11) else node_id end as variant,
               channel, last_touch, first_touch, linear
        from credited ${filter}
        order by converted_at, conversion_id`,
  );
  return rows.map((r) => ({
    conversionId: r.conversion_id,
    contactId: r.contact_id,
    convertedAt: new Date(r.converted_at),
    revenue: Number(r.revenue),
    messageId: r.message_id,
    sourceId: r.source_id,
    variant: r.variant,
    channel: r.channel,
    lastTouch: Number(r.last_touch),
    firstTouch: Number(r.first_touch),
    linear: Number(r.linear),
  }));
}

export interface HoldoutLift {
  treated: { contacts: number; converted: number; rate: number };
  control: { contacts: number; converted: number; rate: number };
  /** Treated rate − control rate. */
  absoluteLift: number;
  /** (treated rate − control rate) / control rate; null without control conversions. */
  lift: number | null;
  /** Conversions the broadcast added: (treated rate − control rate) × treated contacts. */
  incrementalConversions: number;
  pValue: number | null;
}

/** Each campaign's broadcasts and journeys in a workspace: `(source_id, campaign_id)` rows. */
export function workspaceCampaignSourcesSql(workspaceId: string) {
  return sql`(select id as source_id, campaign_id from broadcasts
      where workspace_id = ${workspaceId} and campaign_id is not null
    union all
    select journey_id, campaign_id from campaign_journeys where workspace_id = ${workspaceId})`;
}

export interface CampaignWeekReturn {
  campaignId: string;
  /** Monday of the conversions' week (UTC), YYYY-MM-DD. */
  week: string;
  conversions: number;
  revenue: number;
}

/**
 * The conversions in [from, to] that each campaign earned by last touch, per week, for every
 * campaign of the workspace at once — each with its own conversion event and attribution windows,
 * with the rules of `creditedTouches` (the latest eligible interaction with any message takes the
 * conversion; it counts for a campaign when that message is one of its broadcasts' or journeys').
 * Set-based: one statement that returns one row per campaign and week; no conversion is loaded.
 */
export async function campaignReturnsByWeek(
  db: Db,
  workspaceId: string,
  from: Date,
  to: Date,
): Promise<CampaignWeekReturn[]> {
  const rows = await queryRows<{ campaign_id: string; week: string; conversions: number; revenue: number }>(
    db,
    sql`with camp as (
          select c.id as campaign_id, c.objective ->> 'event' as event,
                 coalesce((c.attribution ->> 'clickWindowHours')::float8, ${DEFAULT_ATTRIBUTION.clickWindowHours}) * 3600 as click_secs,
                 coalesce((c.attribution ->> 'openWindowHours')::float8, ${DEFAULT_ATTRIBUTION.openWindowHours}) * 3600 as open_secs
          from campaigns c where c.workspace_id = ${workspaceId}
        ), conv as (
          select camp.campaign_id, camp.click_secs, camp.open_secs, e.id, e.contact_id, e.timestamp as at,
                 coalesce(${revenueOf('revenue')}, ${revenueOf('total')}, 0) as revenue
          from events e join camp on camp.event = e.name
          where e.workspace_id = ${workspaceId} and e.contact_id is not null
            and e.timestamp between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz
        ), inter as (${interactionsSql(workspaceId, to)}), eligible as (
          select c.campaign_id, c.id as conversion_id, c.at as converted_at, c.revenue, i.message_id, max(i.at) as touched_at
          from conv c join inter i on i.contact_id = c.contact_id and i.at <= c.at
            and i.at > c.at - make_interval(secs => case when i.kind = 'click' then c.click_secs else c.open_secs end)
          group by 1, 2, 3, 4, 5
        ), last_touch as (
          select el.campaign_id, el.converted_at, el.revenue, coalesce(m.broadcast_id, m.journey_id) as source_id,
                 row_number() over (partition by el.campaign_id, el.conversion_id
                                    order by el.touched_at desc, m.created_at desc) as rank
          from eligible el join messages m on m.id::text = el.message_id
          where m.workspace_id = ${workspaceId} and m.test = false
        )
        select lt.campaign_id::text as campaign_id,
               to_char(date_trunc('week', lt.converted_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
               count(*)::int as conversions, sum(lt.revenue)::float8 as revenue
        from last_touch lt
        join ${workspaceCampaignSourcesSql(workspaceId)} s on s.source_id = lt.source_id and s.campaign_id = lt.campaign_id
        where lt.rank = 1
        group by 1, 2
        order by 2, 1`,
  );
  return rows.map((r) => ({
    campaignId: r.campaign_id,
    week: r.week,
    conversions: Number(r.conversions),
    revenue: Number(r.revenue),
  }));
}
