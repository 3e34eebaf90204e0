import { z } from 'zod';
import type { PushReport } from '../../operations/journeys-as-code';
import { describes } from './common';
import { problemSchema } from './journeys';

const action = z.enum(['created', 'updated', 'unchanged']);

export const pushReportSchema = describes<PushReport>()(
  z
    .object({
      applied: z.boolean().describe('False on a dry run or when problems refused the push'),
      journeys: z.array(
        z.object({
          name: z.string(),
          action,
          id: z.string().optional(),
          publishedVersion: z.number().optional(),
        }),
      ),
      templates: z.array(z.object({ name: z.string(), action })),
      segments: z.array(z.object({ name: z.string(), action })),
      problems: z.array(problemSchema.extend({ journey: z.string() })),
    })
    .meta({ id: 'CodePushReport' }),
);
