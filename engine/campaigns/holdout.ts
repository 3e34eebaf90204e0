import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import type { HoldoutLift } from './attribution';
import type { BroadcastRow } from './broadcasts';
import { twoProportionZTest } from './significance';

interface LiftSettings {
  event: string;
  clickWindowHours: number;
}

/**
 * Incremental lift of a broadcast with a holdout: the conversion rate of contacts sent to against
 * the control group's, each counting the conversion event within the click window after launch.
 */
export async function holdoutLift(
  db: Db,
  broadcast: BroadcastRow,
  settings: LiftSettings,
): Promise<HoldoutLift | null> {
  if (broadcast.holdoutShare <= 0 || !broadcast.launchedAt) return null;
  return liftOfGroups(
    db,
    sql`select r.workspace_id, r.contact_id,
               case when r.grp = 'holdout' then 'control' else 'treated' end as grp,
               ${broadcast.launchedAt.toISOString()}::timestamptz as entered_at
        from broadcast_recipients r
        where r.broadcast_id = ${broadcast.id} and (r.grp = 'holdout' or r.status = 'sent')`,
    settings,
  );
}

/**
 * Incremental lift of a journey with a holdout: contacts whose run started (treated, from their
 * first run's start) against the contacts it held out (control, from when they were held out),
 * each counting the conversion event within the click window after entry. Null while the journey
 * has held nobody out.
 */
export async function journeyHoldoutLift(
  db: Db,
  workspaceId: string,
  journeyId: string,
  settings: LiftSettings,
): Promise<HoldoutLift | null> {
  const [held] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from journey_holdouts
        where workspace_id = ${workspaceId} and journey_id = ${journeyId}`,
  );
  if (Number(held?.n ?? 0) === 0) return null;
  return liftOfGroups(
    db,
    sql`select workspace_id, contact_id, 'treated' as grp, min(started_at) as entered_at
          from journey_runs
          where workspace_id = ${workspaceId} and journey_id = ${journeyId} and contact_id is not null
          group by workspace_id, contact_id
        union all
        select workspace_id, contact_id, 'control' as grp, entered_at
          from journey_holdouts
          where workspace_id = ${workspaceId} and journey_id = ${journeyId}`,
    settings,
  );
}

/**
 * The lift between two groups given as `(workspace_id, contact_id, grp 'treated' | 'control',
 * entered_at)` rows: each group's share of contacts with the conversion event within the click
 * window after their entry, the relative lift, the conversions added and a two-proportion z-test.
 */
async function liftOfGroups(db: Db, groups: SQL, settings: LiftSettings): Promise<HoldoutLift> {
  const rows = await queryRows<{ grp: string; contacts: number; converted: number }>(
    db,
    sql`select g.grp,
               count(*)::int as contacts,
               count(*) filter (where exists (
                 select 1 from events e where e.workspace_id = g.workspace_id and e.contact_id = g.contact_id
                   and e.name = ${settings.event} and e.timestamp >= g.entered_at
                   and e.timestamp < g.entered_at + make_interval(secs => ${settings.clickWindowHours * 3600}::float8)
               ))::int as converted
        from (${groups}) g
        group by 1`,
  );
  const group = (name: string) => {
    const row = rows.find((r) => r.grp === name);
    const contacts = Number(row?.contacts ?? 0);
    const converted = Number(row?.converted ?? 0);
    return { contacts, converted, rate: contacts === 0 ? 0 : converted / contacts };
  };
  const treated = group('treated');
  const control = group('control');
  const test = twoProportionZTest(treated.converted, treated.contacts, control.converted, control.contacts);
  return {
    treated,
    control,
    absoluteLift: treated.rate - control.rate,
    lift: control.rate > 0 ? (treated.rate - control.rate) / control.rate : null,
    incrementalConversions: (treated.rate - control.rate) * treated.contacts,
    pValue: test?.pValue ?? null,
  };
}
