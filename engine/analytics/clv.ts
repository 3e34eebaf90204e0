import { z } from 'zod';

/**
 * Which payment is discounted first. `formula`: CLTV = Σ_{t=1..T} M_t / (1+r)^t, the seed's
 * formula as written (every payment at the end of its period). `first-undiscounted`: the sum
 * over t = 0..T−1, payments at the start of each period, which is what the seed's worked
 * example prints (≈ 4169.87 for M = 1000, r = 10 %, T = 5, against 3790.79 for the formula).
 */
export const CLV_CONVENTIONS = ['formula', 'first-undiscounted'] as const;
export type ClvConvention = (typeof CLV_CONVENTIONS)[number];

export const clvInputSchema = z.object({
  margin: z
    .union([z.number(), z.array(z.number()).min(1).max(1000)])
    .describe('Margin (or revenue) per period: one number for every period, or one per period'),
  rate: z.number().min(0).max(10).describe('Discount rate per period, e.g. 0.1 for 10 %'),
  periods: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('T; defaults to the length of the margin list'),
  convention: z.enum(CLV_CONVENTIONS).default('formula'),
});
export type ClvInput = z.input<typeof clvInputSchema>;

export function customerLifetimeValue(input: ClvInput): number {
  const { margin, rate, periods, convention } = clvInputSchema.parse(input);
  const count = periods ?? (Array.isArray(margin) ? margin.length : 1);
  const shift = convention === 'formula' ? 0 : 1;
  let value = 0;
  for (let t = 1; t <= count; t++) {
    const m = Array.isArray(margin) ? (margin[t - 1] ?? margin[margin.length - 1]) : margin;
    value += m / (1 + rate) ** (t - shift);
  }
  return value;
}
