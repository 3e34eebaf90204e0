import type { Db } from '../../db';
import { headlineNumbers } from '../analytics/dashboard';
import { campaignReturnsByWeek } from '../campaigns/attribution';
import { roundMoney } from '../campaigns/costs';
import { campaignSpendByWeek, returnOnSpend } from '../campaigns/roi';

/**
 * The home dashboard: the workspace's headline numbers (analytics) with the campaigns' return over
 * the same range — revenue their attribution credits to them (last touch, each campaign's own event
 * and windows) against what they cost (billed messages at the cost model plus costs entered by
 * hand), in total and per week. The return covers every campaign of the workspace whatever the
 * segment filter (hand-entered costs belong to no contact); amounts add up as recorded, without
 * converting currencies.
 */
export async function homeDashboard(db: Db, workspaceId: string, from: Date, to: Date, segmentId?: string) {
  const [headline, returns, spend] = await Promise.all([
    headlineNumbers(db, workspaceId, from, to, segmentId),
    campaignReturnsByWeek(db, workspaceId, from, to),
    campaignSpendByWeek(db, workspaceId, from, to),
  ]);
  const byWeek = new Map<string, { attributedRevenue: number; spend: number }>();
  const week = (key: string) => {
    const found = byWeek.get(key);
    if (found) return found;
    const created = { attributedRevenue: 0, spend: 0 };
    byWeek.set(key, created);
    return created;
  };
  for (const r of returns) week(r.week).attributedRevenue += r.revenue;
  for (const s of spend) week(s.week).spend += s.spend;
  const attributedRevenue = roundMoney(returns.reduce((sum, r) => sum + r.revenue, 0));
  const totalSpend = roundMoney(spend.reduce((sum, s) => sum + s.spend, 0));
  return {
    totals: {
      ...headline.totals,
      attributedRevenue,
      spend: totalSpend,
      roi: returnOnSpend(attributedRevenue, totalSpend).roi,
    },
    weekly: headline.weekly.map((w) => {
      const money = byWeek.get(w.week) ?? { attributedRevenue: 0, spend: 0 };
      const revenue = roundMoney(money.attributedRevenue);
      const cost = roundMoney(money.spend);
      return { ...w, attributedRevenue: revenue, spend: cost, roi: returnOnSpend(revenue, cost).roi };
    }),
  };
}
