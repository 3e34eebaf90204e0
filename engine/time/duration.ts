// Workflow code imports this file: it loads no zod (its schema is in `duration-schema.ts`).

export const durationUnits = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;

/** A span of time, as journeys and conditions write it (`durationSchema` checks it). */
export interface Duration {
  amount: number;
  unit: (typeof durationUnits)[number];
}

const unitMs: Record<Duration['unit'], number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

export function durationMs(duration: Duration): number {
  return duration.amount * unitMs[duration.unit];
}

export function formatDuration(duration: Duration): string {
  const unit = duration.amount === 1 ? duration.unit.slice(0, -1) : duration.unit;
  return `${duration.amount} ${unit}`;
}
