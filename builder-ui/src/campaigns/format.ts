/** Money in a currency (or a plain number without one). */
export function money(value: number | null | undefined, currency: string | null): string {
  if (value === null || value === undefined) return '—';
  if (!currency) return value.toLocaleString('en', { maximumFractionDigits: 2 });
  return value.toLocaleString('en', { style: 'currency', currency, maximumFractionDigits: 2 });
}

/** A fraction as a percentage: 1 → "100 %". */
export function pct(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${(value * 100).toLocaleString('en', { maximumFractionDigits: 1 })} %`;
}

export function count(value: number): string {
  return value.toLocaleString('en', { maximumFractionDigits: 2 });
}
