import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { workspaceCampaignSourcesSql } from './attribution';
import { billedStatusesSql } from './costs';

/**
 * Return on spend, both ways, as fractions (1 = 100 %): ROI = (revenue − cost) / cost and
 * ROAS = revenue / cost. Cost 1000 and revenue 2000 give ROI 1 (100 %) and ROAS 2 (200 %).
 * Null without a cost.
 */
export function returnOnSpend(revenue: number, cost: number): { roi: number | null; roas: number | null } {
  if (!(cost > 0)) return { roi: null, roas: null };
  return { roi: (revenue - cost) / cost, roas: revenue / cost };
}

/** Share of the budget left below which a report warns that it is running out. */
export const BUDGET_WARNING_SHARE = 0.2;

export function budgetState(budget: number | null, spent: number) {
  if (budget === null) return { budget: null, spent, remaining: null, warning: null };
  const remaining = Math.round((budget - spent) * 100) / 100;
  const warning =
    remaining <= 0 ? 'exhausted' : remaining < budget * BUDGET_WARNING_SHARE ? 'running-out' : null;
  return { budget, spent, remaining, warning } as const;
}

export interface CampaignWeekSpend {
  campaignId: string;
  /** Monday of the week (UTC), YYYY-MM-DD. */
  week: string;
  /** Billed messages sent that week at the campaign's cost model plus costs entered for that week. */
  spend: number;
}

/**
 * What every campaign of the workspace cost per week in [from, to], set-based: its billed messages
 * created in the range at the cost model's rate for their channel, plus the costs entered by hand
 * with a date in the range (by `incurredOn`). Amounts are in each campaign's currency.
 */
export async function campaignSpendByWeek(
  db: Db,
  workspaceId: string,
  from: Date,
  to: Date,
): Promise<CampaignWeekSpend[]> {
  const rows = await queryRows<{ campaign_id: string; week: string; spend: number }>(
    db,
    sql`select campaign_id::text as campaign_id, to_char(week, 'YYYY-MM-DD') as week, sum(spend)::float8 as spend
        from (
          select s.campaign_id, date_trunc('week', m.created_at at time zone 'UTC') as week,
                 count(*) * coalesce((c.cost_model ->> m.channel)::float8, 0) as spend
          from messages m
          join ${workspaceCampaignSourcesSql(workspaceId)} s on s.source_id = coalesce(m.broadcast_id, m.journey_id)
          join campaigns c on c.id = s.campaign_id
          where m.workspace_id = ${workspaceId} and m.test = false and m.status in ${billedStatusesSql}
            and m.created_at between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz
          group by s.campaign_id, 2, m.channel, c.cost_model
          union all
          select campaign_id, date_trunc('week', incurred_on::timestamp), sum(amount)
          from campaign_costs
          where workspace_id = ${workspaceId}
            and incurred_on between (${from.toISOString()}::timestamptz at time zone 'UTC')::date
                                and (${to.toISOString()}::timestamptz at time zone 'UTC')::date
          group by 1, 2
        ) spent
        group by 1, 2
        order by 2, 1`,
  );
  return rows.map((r) => ({ campaignId: r.campaign_id, week: r.week, spend: Number(r.spend) }));
}
