import { z } from 'zod';
import { propertyFilterSchema } from '../../audience/conditions/filter-schema';
import { durationSchema } from '../../time/duration-schema';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only');

export const journeyNodeSchema = z.object({
  id,
  type: z.string().min(1),
  version: z.number().int().positive().optional().describe('Pinned node version; the latest when absent'),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  label: z.string().max(120).optional(),
});

/** Field names follow React Flow, so the builder stores exactly what it draws. */
export const journeyEdgeSchema = z.object({
  id,
  source: z.string().min(1),
  sourceHandle: z.string().nullish().describe('The source port; "next" when absent'),
  target: z.string().min(1),
  targetHandle: z.string().nullish(),
});

export const eventMatchSchema = z.object({
  event: z.string().min(1),
  where: propertyFilterSchema.optional(),
  sameKey: z
    .boolean()
    .optional()
    .describe("Only an event carrying the run's entry key (a keyed trigger's key path) counts"),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const journeySettingsSchema = z.object({
  reEntry: z
    .object({
      mode: z.enum(['never', 'after-exit', 'always']).default('never'),
      minInterval: durationSchema.optional(),
    })
    .default({ mode: 'never' }),
  goal: eventMatchSchema.optional().describe('Reaching it records a conversion and ends the run'),
  exitCriteria: z.array(eventMatchSchema).default([]).describe('Any of these events ends the run'),
  quietHours: z
    .object({ start: clock, end: clock, action: z.enum(['defer', 'skip']).default('defer') })
    .optional(),
  frequencyCap: z
    .object({
      channel: z.string().optional(),
      limit: z.number().int().positive(),
      window: durationSchema,
      action: z.enum(['defer', 'skip']).default('skip'),
    })
    .optional(),
  timezone: z.string().optional().describe('Fallback IANA time zone for contacts without one'),
  holdoutShare: z
    .number()
    .min(0)
    .max(0.5)
    .optional()
    .describe(
      'Share (0–0.5, none when absent) of contacts kept out as a control group: they start no run and get nothing, so the report can measure the lift',
    ),
});

export const journeyGraphSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  nodes: z.array(journeyNodeSchema).max(2000),
  edges: z.array(journeyEdgeSchema).max(5000),
  settings: journeySettingsSchema.default({ reEntry: { mode: 'never' }, exitCriteria: [] }),
});

export type JourneyNode = z.infer<typeof journeyNodeSchema>;
export type JourneyEdge = z.infer<typeof journeyEdgeSchema>;
export type JourneySettings = z.infer<typeof journeySettingsSchema>;
/** Settings as written (defaults not yet applied), e.g. by the builder. */
export type JourneySettingsInput = z.input<typeof journeySettingsSchema>;
export type JourneyGraph = z.infer<typeof journeyGraphSchema>;
export type JourneyGraphInput = z.input<typeof journeyGraphSchema>;
export type EventMatch = z.infer<typeof eventMatchSchema>;
