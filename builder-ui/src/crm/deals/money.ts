/** An amount in its currency, e.g. "€1,200.50"; whole amounts without cents. */
export function money(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', {
      style: 'currency',
      currency,
      maximumFractionDigits: Number.isInteger(value) ? 0 : 2,
    }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

/** Sums per currency, largest first: a column total never adds euros to dollars. */
export function totalsByCurrency(
  items: { value: number; currency: string }[],
): { currency: string; value: number }[] {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(item.currency, (sums.get(item.currency) ?? 0) + item.value);
  return [...sums.entries()]
    .map(([currency, value]) => ({ currency, value }))
    .sort((a, b) => b.value - a.value);
}

export function moneyTotals(items: { value: number; currency: string }[]): string {
  const totals = totalsByCurrency(items);
  return totals.length === 0 ? money(0, 'EUR') : totals.map((t) => money(t.value, t.currency)).join(' + ');
}
