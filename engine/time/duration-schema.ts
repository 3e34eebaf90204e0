import { z } from 'zod';
import { type Duration, durationUnits } from './duration';

export const durationSchema = z
  .object({
    amount: z.number().positive().describe('How many units'),
    unit: z.enum(durationUnits).describe('Unit of time'),
  })
  .describe('A span of time') satisfies z.ZodType<Duration>;
