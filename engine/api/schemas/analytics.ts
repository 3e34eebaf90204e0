import { z } from 'zod';
import { ANALYTICS_MODELS } from '../../../db/schema';

const date = z.date();

export const purchaseSettingsSchema = z.object({
  purchaseEvent: z.string(),
  revenuePaths: z.array(z.string()),
  productsPath: z.string(),
  productKey: z.string(),
});

export const rfmGridSchema = z.object({
  computedAt: date.nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  cells: z.array(
    z.object({
      r: z.number(),
      fm: z.number(),
      segment: z.string(),
      contacts: z.number(),
      revenue: z.number(),
    }),
  ),
  segments: z.array(z.object({ name: z.string(), contacts: z.number(), revenue: z.number() })),
  valueClasses: z.array(z.object({ name: z.string(), contacts: z.number(), revenue: z.number() })),
});

export const rfmRefreshSchema = z.object({
  contacts: z.number(),
  computedAt: date,
  params: z.record(z.string(), z.unknown()),
});

export const rfmScoreSchema = z.object({
  contactId: z.string(),
  email: z.string().nullable(),
  recencyDays: z.number(),
  frequency: z.number(),
  monetary: z.number(),
  r: z.number(),
  f: z.number(),
  m: z.number(),
  segment: z.string(),
  valueClass: z.string(),
  computedAt: date,
});

export const clvFormulaSchema = z.object({
  clv: z.number(),
  margin: z.union([z.number(), z.array(z.number())]).describe('M used: given, or the yearly revenue found'),
  periods: z.number(),
  convention: z.string(),
  contacts: z.number().nullable().describe('Contacts M was averaged over; null for given inputs'),
});

export const clvScoreSchema = z.object({
  contactId: z.string(),
  email: z.string().nullable(),
  frequency: z.number(),
  recencyDays: z.number(),
  ageDays: z.number(),
  averageSpend: z.number(),
  expectedPurchases: z.number(),
  probabilityAlive: z.number(),
  expectedSpend: z.number(),
  clv: z.number(),
  computedAt: date,
});

export const modelResultSchema = z.object({
  model: z.enum(ANALYTICS_MODELS),
  params: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()),
  jobId: z.string().nullable(),
  computedAt: date.nullable(),
});

export const affinityRuleSchema = z.object({
  id: z.string(),
  antecedent: z.array(z.string()),
  consequent: z.array(z.string()),
  support: z.number(),
  confidence: z.number(),
  lift: z.number(),
  orders: z.number(),
  computedAt: date,
});

const funnelStepSchema = z.object({
  event: z.string(),
  contacts: z.number(),
  conversion: z.number(),
  overallConversion: z.number(),
  dropOff: z.number(),
  medianSeconds: z.number().nullable(),
});

export const funnelResultSchema = z.object({
  steps: z.array(funnelStepSchema),
  breakdown: z.array(z.object({ value: z.string(), steps: z.array(funnelStepSchema) })),
});

export const journeyFunnelStepSchema = z.object({
  nodeId: z.string(),
  runs: z.number(),
  conversion: z.number(),
  overallConversion: z.number(),
  dropOff: z.number(),
  medianSeconds: z.number().nullable(),
});

export const clusterSpreadSchema = z.object({
  cluster: z.number().int(),
  members: z.number().int().describe('Members of the segment in this cluster'),
  revenue: z.number().describe('Their RFM monetary value, summed'),
});

export const cohortSchema = z.object({
  cohort: z.string(),
  size: z.number(),
  active: z.array(z.number()),
  retention: z.array(z.number()),
});

export const dashboardSchema = z.object({
  totals: z.object({
    contacts: z.number(),
    activeJourneys: z.number(),
    messages: z.number(),
    conversions: z.number(),
    revenue: z.number(),
    attributedRevenue: z.number().describe('Revenue the campaigns’ attribution credits to them (last touch)'),
    spend: z.number().describe('What the campaigns cost in the range: billed messages and costs entered'),
    roi: z
      .number()
      .nullable()
      .describe('(attributed revenue − spend) / spend, 1 = 100 %; null without spend'),
  }),
  weekly: z.array(
    z.object({
      week: z.string(),
      newContacts: z.number(),
      messages: z.number(),
      conversions: z.number(),
      revenue: z.number(),
      attributedRevenue: z.number(),
      spend: z.number(),
      roi: z.number().nullable(),
    }),
  ),
});

export const campaignFunnelSchema = z.object({
  campaignId: z.uuid(),
  name: z.string(),
  currency: z.string().nullable(),
  model: z.enum(['last', 'first', 'linear']),
  attribution: z.object({
    event: z.string().nullable(),
    clickWindowHours: z.number(),
    openWindowHours: z.number(),
  }),
  steps: z.array(
    z.object({
      step: z.enum(['audience', 'sent', 'delivered', 'opened', 'clicked', 'converted']),
      contacts: z.number(),
      conversion: z.number().nullable().describe('Share of the step before'),
      overallConversion: z.number().nullable().describe('Share of the audience'),
      dropOff: z.number(),
    }),
  ),
  conversions: z.number().describe('Conversions credited by the model (fractional under linear)'),
  revenue: z.number(),
});
