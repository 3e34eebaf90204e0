import { z } from 'zod';
import { audienceSchema } from './audience';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');

export const BROADCAST_CHANNELS = ['email', 'sms', 'push'] as const;

export const broadcastVariantSchema = z.object({
  key: z
    .string()
    .regex(/^[A-Z]$/, 'one capital letter')
    .describe('A, B, C, ...'),
  templateId: z.uuid(),
  subject: z.string().max(2000).nullish().describe("Overrides the template's subject (Liquid)"),
});

export const broadcastScheduleSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('now') }),
    z.object({ kind: z.literal('at'), at: z.iso.datetime({ offset: true }).describe('The instant to send') }),
    z.object({
      kind: z.literal('local'),
      date: z.iso.date().describe('The calendar date in each contact’s time zone'),
      time: clock.describe('The wall-clock time in each contact’s time zone'),
    }),
  ])
  .meta({ id: 'BroadcastSchedule' });

export const abTestSchema = z.object({
  testShare: z.number().min(0.01).max(0.9).describe('Share of the audience the variants are tested on'),
  metric: z.enum(['open', 'click', 'conversion']),
  windowHours: z.number().min(0.25).max(720),
  autoSend: z.boolean().default(true).describe('Send the winner to the rest when the window ends'),
});

export const broadcastInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    campaignId: z.uuid().nullish(),
    channel: z.enum(BROADCAST_CHANNELS),
    variants: z
      .array(broadcastVariantSchema)
      .min(1)
      .max(5)
      .refine((vs) => new Set(vs.map((v) => v.key)).size === vs.length, 'variant keys must differ'),
    audience: audienceSchema,
    schedule: broadcastScheduleSchema.default({ kind: 'now' }),
    throttlePerMinute: z.int().min(1).max(1_000_000).nullish().describe('Messages per minute'),
    sendWindow: z
      .object({ start: clock, end: clock })
      .refine((w) => w.start !== w.end, 'start and end must differ')
      .nullish()
      .describe('Local hours in the workspace time zone outside which sending waits'),
    abTest: abTestSchema.nullish(),
    holdoutShare: z.number().min(0).max(0.5).default(0).describe('Control group share that receives nothing'),
    topic: z.string().min(1).max(100).nullish(),
    conversionEvent: z.string().min(1).max(200).nullish().describe('Defaults to the campaign objective'),
  })
  .refine((b) => !b.abTest || b.variants.length >= 2, {
    message: 'an A/B test needs at least two variants',
    path: ['abTest'],
  });

export type BroadcastInput = z.infer<typeof broadcastInputSchema>;
