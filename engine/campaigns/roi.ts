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
