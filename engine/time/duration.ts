import { z } from 'zod';

export const durationUnits = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;

export const durationSchema = z
  .object({
    amount: z.number().positive().describe('How many units'),
    unit: z.enum(durationUnits).describe('Unit of time'),
  })
  .describe('A span of time');

export type Duration = z.infer<typeof durationSchema>;

const unitMs: Record<(typeof durationUnits)[number], number> = {
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
