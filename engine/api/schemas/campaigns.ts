import { z } from 'zod';
import { broadcasts, campaignCosts, campaigns } from '../../../db/schema';
import type { AbTestResult } from '../../campaigns/ab-test';
import { broadcastScheduleSchema, broadcastVariantSchema } from '../../campaigns/broadcast-input';
import type { CalendarItem } from '../../campaigns/calendar';
import type { Confirmation } from '../../campaigns/confirm';
import type { BroadcastProgress } from '../../campaigns/progress';
import type { Report } from '../../campaigns/report';
import { describes, rowSchema, stored } from './common';

const ids = z.array(z.string());
const audienceSchema = z.object({
  segmentIds: ids,
  listIds: ids,
  excludeSegmentIds: ids,
  excludeListIds: ids,
});
const abTestSchema = z.object({
  testShare: z.number(),
  metric: z.enum(['open', 'click', 'conversion']),
  windowHours: z.number(),
  autoSend: z.boolean(),
});

export const campaignSchema = rowSchema(campaigns, {
  objective: z.object({
    event: z.string(),
    targetCount: z.number().nullish(),
    targetRevenue: z.number().nullish(),
  }),
  audience: stored(audienceSchema, 'AudienceSelection'),
  costModel: z.record(z.string(), z.number()),
  attribution: z.object({ clickWindowHours: z.number(), openWindowHours: z.number() }),
}).meta({ id: 'Campaign' });

export const campaignCostSchema = rowSchema(campaignCosts).meta({ id: 'CampaignCost' });

export const broadcastSchema = rowSchema(broadcasts, {
  variants: z.array(broadcastVariantSchema.extend({ subject: z.string().nullish() })),
  audience: stored(audienceSchema, 'AudienceSelection'),
  schedule: stored(broadcastScheduleSchema, 'BroadcastSchedule'),
  sendWindow: z.object({ start: z.string(), end: z.string() }).nullable(),
  abTest: stored(abTestSchema, 'AbTestSettings').nullable(),
}).meta({ id: 'Broadcast' });

const linkedJourneySchema = z.object({ id: z.guid(), name: z.string(), status: z.string() });

const campaignSocialPostSchema = z
  .object({
    id: z.guid(),
    itemId: z.guid().nullable(),
    journeyId: z.guid().nullable(),
    accountName: z.string(),
    provider: z.string(),
    text: z.string(),
    status: z.string(),
    url: z.string().nullable(),
    scheduledAt: z.date().nullable(),
    publishedAt: z.date().nullable(),
    likes: z.number().int(),
    shares: z.number().int(),
    comments: z.number().int(),
  })
  .meta({ id: 'CampaignSocialPost' });

export const campaignOverviewSchema = z
  .object({
    campaign: campaignSchema,
    journeys: z.array(linkedJourneySchema),
    broadcasts: z.array(broadcastSchema),
    costs: z.array(campaignCostSchema),
    socialPosts: z
      .array(campaignSocialPostSchema)
      .describe("Posts published for the campaign or by its journeys' social.publish nodes"),
  })
  .meta({ id: 'CampaignOverview' });

export const linkedJourneysSchema = z.object({ data: z.array(linkedJourneySchema) });

export const confirmationSchema = describes<Confirmation>()(
  z
    .object({
      audience: z.number().describe('Contacts in the selection now'),
      holdout: z.number().describe('Of them, kept as the control group'),
      skipped: z
        .array(z.object({ reason: z.string(), count: z.number() }))
        .describe('Skipped by the send policy, by reason'),
      willSend: z.number().describe('Messages the launch would send (estimated with the holdout)'),
      estimatedCost: z.number().nullable(),
      currency: z.string().nullable(),
      budget: z.number().nullable(),
      budgetRemaining: z.number().nullable(),
      overBudget: z.boolean(),
    })
    .meta({ id: 'BroadcastConfirmation' }),
);

export const progressSchema = describes<BroadcastProgress>()(
  z
    .object({
      status: z.string(),
      audience: z.number(),
      queued: z.number(),
      sent: z.number(),
      skipped: z.number(),
      failed: z.number(),
      holdout: z.number(),
      cancelled: z.number(),
      awaitingWinner: z.number(),
      skippedReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
      variants: z.array(z.object({ key: z.string(), sent: z.number(), queued: z.number() })),
      winnerVariant: z.string().nullable(),
    })
    .meta({ id: 'BroadcastProgress' }),
);

export const abTestResultSchema = describes<AbTestResult>()(
  z
    .object({
      metric: z.enum(['open', 'click', 'conversion']),
      variants: z.array(
        z.object({
          key: z.string(),
          sent: z.number(),
          opened: z.number(),
          clicked: z.number(),
          converted: z.number(),
          rate: z.number(),
        }),
      ),
      winner: z.string().nullable(),
      significance: z
        .object({ z: z.number(), pValue: z.number(), significant: z.boolean(), runnerUp: z.string() })
        .nullable()
        .describe('Two-proportion z-test of the winner against the runner-up (two-sided)'),
    })
    .meta({ id: 'AbTestResult' }),
);

const reportRow = z.object({
  audience: z.number(),
  sent: z.number(),
  delivered: z.number(),
  bounced: z.number(),
  opened: z.number().describe('Unique: messages opened or clicked'),
  clicked: z.number().describe('Unique: messages clicked'),
  unsubscribed: z.number(),
  complained: z.number(),
  converted: z.number().describe('Conversions credited by the model (fractional under linear)'),
  revenue: z.number(),
  cost: z.number(),
  roi: z.number().nullable().describe('(revenue − cost) / cost, as a fraction: 1 = 100 %'),
  roas: z.number().nullable().describe('revenue / cost, as a fraction: 2 = 200 %'),
  costPerConversion: z.number().nullable(),
});

const groupStats = z.object({ contacts: z.number(), converted: z.number(), rate: z.number() });

const holdoutLiftSchema = z
  .object({
    treated: groupStats,
    control: groupStats,
    absoluteLift: z.number().describe('Treated rate − control rate'),
    lift: z.number().nullable().describe('Relative lift: (treated rate − control rate) / control rate'),
    incrementalConversions: z.number(),
    pValue: z.number().nullable(),
  })
  .meta({ id: 'HoldoutLift' });

export const reportSchema = describes<Report>()(
  z
    .object({
      kind: z.enum(['campaign', 'broadcast', 'journey']),
      id: z.guid(),
      name: z.string(),
      currency: z.string().nullable(),
      model: z.enum(['last', 'first', 'linear']),
      attribution: z.object({
        event: z.string().nullable(),
        clickWindowHours: z.number(),
        openWindowHours: z.number(),
      }),
      totals: reportRow,
      byChannel: z.array(reportRow.extend({ channel: z.string() })),
      byVariant: z.array(reportRow.extend({ variant: z.string() })),
      byDay: z.array(reportRow.extend({ day: z.string() })),
      bySource: z.array(
        reportRow.extend({
          sourceId: z.string(),
          kind: z.enum(['broadcast', 'journey']),
          name: z.string(),
          holdout: holdoutLiftSchema
            .nullable()
            .describe("The source's incremental lift over its holdout (control group); null without one"),
        }),
      ),
      budget: z
        .object({
          budget: z.number().nullable(),
          spent: z.number(),
          remaining: z.number().nullable(),
          warning: z.enum(['running-out', 'exhausted']).nullable(),
        })
        .nullable(),
      fixedCost: z.number(),
      holdout: holdoutLiftSchema.nullable(),
    })
    .meta({ id: 'CampaignReport' }),
);

export const calendarSchema = z
  .object({
    data: z.array(
      describes<CalendarItem>()(
        z.object({
          kind: z.enum(['campaign', 'broadcast', 'social-post']),
          id: z.guid(),
          name: z.string(),
          status: z.string(),
          start: z.string(),
          end: z.string().nullable(),
          campaignId: z.string().nullable(),
          itemId: z.string().nullable().optional().describe("A social post's content item"),
          audience: z.number().nullable(),
          overlaps: z
            .array(z.object({ id: z.string(), name: z.string(), contacts: z.number() }))
            .describe('Items on the same day whose audiences share contacts'),
        }),
      ),
    ),
  })
  .meta({ id: 'MarketingCalendar' });
