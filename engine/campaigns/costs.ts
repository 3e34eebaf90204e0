import { and, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { campaignCosts, campaigns } from '../../db/schema';

/** Ledger statuses after which the provider was called: the message costs money. */
export const BILLED_STATUSES = ['sending', 'unknown', 'sent', 'delivered', 'opened', 'clicked', 'bounced'];

export const billedStatusesSql = sql.raw(`(${BILLED_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/** Sources of a campaign's messages: its broadcasts (a message's `broadcast_id`) and its journeys (its `journey_id`). */
export function campaignSourcesSql(campaignId: string) {
  return sql`(select id from broadcasts where campaign_id = ${campaignId}
    union all select journey_id from campaign_journeys where campaign_id = ${campaignId})`;
}

export interface CampaignSpend {
  messages: Record<string, number>;
  messageCost: number;
  fixedCost: number;
  total: number;
}

/** What a campaign has cost so far: billed messages at the cost model's rate plus costs entered by hand. */
export async function campaignSpend(db: Db, workspaceId: string, campaignId: string): Promise<CampaignSpend> {
  const [campaign] = await db
    .select({ costModel: campaigns.costModel })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  const counts = await queryRows<{ channel: string; n: number }>(
    db,
    sql`select channel, count(*)::int as n from messages
        where workspace_id = ${workspaceId} and test = false and status in ${billedStatusesSql}
          and coalesce(broadcast_id, journey_id) in ${campaignSourcesSql(campaignId)}
        group by channel`,
  );
  const [fixed] = await db
    .select({ total: sql<number>`coalesce(sum(${campaignCosts.amount}), 0)::float8` })
    .from(campaignCosts)
    .where(and(eq(campaignCosts.workspaceId, workspaceId), eq(campaignCosts.campaignId, campaignId)));
  const messages = Object.fromEntries(counts.map((r) => [r.channel, Number(r.n)]));
  const costModel = campaign?.costModel ?? {};
  const messageCost = roundMoney(
    counts.reduce((sum, r) => sum + Number(r.n) * (costModel[r.channel] ?? 0), 0),
  );
  const fixedCost = roundMoney(Number(fixed?.total ?? 0));
  return { messages, messageCost, fixedCost, total: roundMoney(messageCost + fixedCost) };
}

export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}
