const units: [number, string][] = [
  [604_800_000, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1_000, 's'],
];

/** "+1 d 2 h", "+30 min", "0": the relative times of a simulation. */
export function formatOffset(ms: number): string {
  if (ms < 1_000) return '0';
  const parts: string[] = [];
  let rest = ms;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return `+${parts.join(' ')}`;
}

export function formatDuration(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { amount, unit } = value as { amount?: unknown; unit?: unknown };
  if (typeof amount !== 'number' || typeof unit !== 'string') return undefined;
  return `${amount} ${amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
