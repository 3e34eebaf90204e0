import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import type { HoldoutLift } from './attribution';
import type { BroadcastRow } from './broadcasts';
import { rowsOf } from './rows';
import { twoProportionZTest } from './significance';

/**
 * Incremental lift of a broadcast with a holdout: the conversion rate of contacts sent to against
 * the control group's, each counting the conversion event within the click window after launch.
 */
export async function holdoutLift(
  db: Db,
  broadcast: BroadcastRow,
  settings: { event: string; clickWindowHours: number },
): Promise<HoldoutLift | null> {
  if (broadcast.holdoutShare <= 0 || !broadcast.launchedAt) return null;
  const from = broadcast.launchedAt.toISOString();
  const rows = await rowsOf<{ grp: string; contacts: number; converted: number }>(
    db,
    sql`select case when r.grp = 'holdout' then 'control' else 'treated' end as grp,
               count(*)::int as contacts,
               count(*) filter (where exists (
                 select 1 from events e where e.workspace_id = r.workspace_id and e.contact_id = r.contact_id
                   and e.name = ${settings.event} and e.timestamp >= ${from}::timestamptz
                   and e.timestamp < ${from}::timestamptz + make_interval(secs => ${settings.clickWindowHours * 3600}::float8)
               ))::int as converted
        from broadcast_recipients r
        where r.broadcast_id = ${broadcast.id} and (r.grp = 'holdout' or r.status = 'sent')
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
    lift: control.rate > 0 ? (treated.rate - control.rate) / control.rate : null,
    incrementalConversions: (treated.rate - control.rate) * treated.contacts,
    pValue: test?.pValue ?? null,
  };
}
