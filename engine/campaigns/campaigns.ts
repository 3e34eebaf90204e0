import { and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import {
  CAMPAIGN_STATUSES,
  campaignCosts,
  campaignJourneys,
  campaigns,
  journeys,
  socialAccounts,
  socialPosts,
} from '../../db/schema';
import { InvalidInput, NotFound } from '../errors';
import { assertAudienceExists, audienceSchema } from './audience';

export type CampaignRow = typeof campaigns.$inferSelect;

export const CAMPAIGN_CHANNELS = [
  'email',
  'sms',
  'push',
  'webhook',
  'slack',
  'wechat',
  'social',
  'ads',
] as const;

export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    objective: z.object({
      event: z.string().trim().min(1).max(200).describe('The conversion event, such as `Order Completed`'),
      targetCount: z.int().min(0).nullish(),
      targetRevenue: z.number().min(0).nullish(),
    }),
    audience: audienceSchema.default({
      segmentIds: [],
      listIds: [],
      excludeSegmentIds: [],
      excludeListIds: [],
    }),
    budget: z.number().min(0).nullish(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
      .default('EUR'),
    costModel: z
      .partialRecord(z.enum(CAMPAIGN_CHANNELS), z.number().min(0))
      .default({})
      .describe('Cost of one message per channel, in the campaign currency'),
    channels: z.array(z.enum(CAMPAIGN_CHANNELS)).min(1),
    startsAt: z.iso.datetime({ offset: true }).nullish(),
    endsAt: z.iso.datetime({ offset: true }).nullish(),
    ownerId: z.uuid().nullish(),
    status: z.enum(CAMPAIGN_STATUSES).default('draft'),
    stopAtBudget: z.boolean().default(false).describe('Broadcasts stop sending once the budget is spent'),
    attribution: z
      .object({
        clickWindowHours: z.number().min(1).max(2160),
        openWindowHours: z.number().min(1).max(720),
      })
      .default({ clickWindowHours: 168, openWindowHours: 24 }),
  })
  .refine((c) => !c.startsAt || !c.endsAt || Date.parse(c.endsAt) > Date.parse(c.startsAt), {
    message: 'the end must come after the start',
    path: ['endsAt'],
  });

function values(input: z.infer<typeof campaignInputSchema>) {
  return {
    name: input.name,
    objective: {
      event: input.objective.event,
      targetCount: input.objective.targetCount ?? null,
      targetRevenue: input.objective.targetRevenue ?? null,
    },
    audience: input.audience,
    budget: input.budget ?? null,
    currency: input.currency,
    costModel: input.costModel as Record<string, number>,
    channels: input.channels,
    startsAt: input.startsAt ? new Date(input.startsAt) : null,
    endsAt: input.endsAt ? new Date(input.endsAt) : null,
    ownerId: input.ownerId ?? null,
    status: input.status,
    stopAtBudget: input.stopAtBudget,
    attribution: input.attribution,
  };
}

export async function createCampaign(db: Db, workspaceId: string, raw: unknown): Promise<CampaignRow> {
  const input = campaignInputSchema.parse(raw);
  await assertAudienceExists(db, workspaceId, input.audience);
  const [row] = await db
    .insert(campaigns)
    .values({ workspaceId, ...values(input) })
    .returning();
  return row;
}

export async function updateCampaign(
  db: Db,
  workspaceId: string,
  id: string,
  raw: unknown,
): Promise<CampaignRow> {
  await getCampaign(db, workspaceId, id);
  const input = campaignInputSchema.parse(raw);
  await assertAudienceExists(db, workspaceId, input.audience);
  const [row] = await db
    .update(campaigns)
    .set({ ...values(input), updatedAt: new Date() })
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)))
    .returning();
  return row;
}

export async function getCampaign(db: Db, workspaceId: string, id: string): Promise<CampaignRow> {
  const [row] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
  if (!row) throw new NotFound('Campaign', id);
  return row;
}

export async function listCampaigns(db: Db, workspaceId: string): Promise<CampaignRow[]> {
  return db
    .select()
    .from(campaigns)
    .where(eq(campaigns.workspaceId, workspaceId))
    .orderBy(desc(campaigns.createdAt));
}

/** Deleting a campaign keeps its broadcasts and journeys; they lose the link. */
export async function deleteCampaign(db: Db, workspaceId: string, id: string): Promise<void> {
  await getCampaign(db, workspaceId, id);
  await db.delete(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
}

export async function campaignJourneyList(db: Db, workspaceId: string, campaignId: string) {
  return db
    .select({ id: journeys.id, name: journeys.name, status: journeys.status })
    .from(campaignJourneys)
    .innerJoin(journeys, eq(journeys.id, campaignJourneys.journeyId))
    .where(and(eq(campaignJourneys.workspaceId, workspaceId), eq(campaignJourneys.campaignId, campaignId)))
    .orderBy(asc(journeys.name));
}

/** A journey serves the campaign; linking it twice changes nothing. */
export async function linkJourney(db: Db, workspaceId: string, campaignId: string, journeyId: string) {
  await getCampaign(db, workspaceId, campaignId);
  const [journey] = await db
    .select({ id: journeys.id })
    .from(journeys)
    .where(and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, journeyId)));
  if (!journey)
    throw new InvalidInput('journey_not_found', `journey ${journeyId} does not exist`, 'journeyId');
  await db.insert(campaignJourneys).values({ workspaceId, campaignId, journeyId }).onConflictDoNothing();
  return campaignJourneyList(db, workspaceId, campaignId);
}

export async function unlinkJourney(db: Db, workspaceId: string, campaignId: string, journeyId: string) {
  await getCampaign(db, workspaceId, campaignId);
  await db
    .delete(campaignJourneys)
    .where(
      and(
        eq(campaignJourneys.workspaceId, workspaceId),
        eq(campaignJourneys.campaignId, campaignId),
        eq(campaignJourneys.journeyId, journeyId),
      ),
    );
}

export const campaignCostInputSchema = z.object({
  label: z.string().trim().min(1).max(200).describe('Ad spend, agency fee, ...'),
  amount: z.number().min(0),
  incurredOn: z.iso
    .date()
    .default(() => new Date().toISOString().slice(0, 10))
    .describe('Defaults to today'),
});

export async function addCampaignCost(db: Db, workspaceId: string, campaignId: string, raw: unknown) {
  await getCampaign(db, workspaceId, campaignId);
  const input = campaignCostInputSchema.parse(raw);
  const [row] = await db
    .insert(campaignCosts)
    .values({ workspaceId, campaignId, ...input })
    .returning();
  return row;
}

export async function listCampaignCosts(db: Db, workspaceId: string, campaignId: string) {
  return db
    .select()
    .from(campaignCosts)
    .where(and(eq(campaignCosts.workspaceId, workspaceId), eq(campaignCosts.campaignId, campaignId)))
    .orderBy(asc(campaignCosts.incurredOn));
}

export async function deleteCampaignCost(db: Db, workspaceId: string, campaignId: string, costId: string) {
  const removed = await db
    .delete(campaignCosts)
    .where(
      and(
        eq(campaignCosts.workspaceId, workspaceId),
        eq(campaignCosts.campaignId, campaignId),
        eq(campaignCosts.id, costId),
      ),
    )
    .returning({ id: campaignCosts.id });
  if (removed.length === 0) throw new NotFound('Cost', costId);
}

/**
 * The social posts that serve a campaign: those published for it (an item posted with the
 * campaign chosen, a `social.publish` node naming it) and those of its journeys' nodes.
 */
export async function campaignSocialPosts(db: Db, workspaceId: string, campaignId: string) {
  const linked = db
    .select({ id: campaignJourneys.journeyId })
    .from(campaignJourneys)
    .where(and(eq(campaignJourneys.workspaceId, workspaceId), eq(campaignJourneys.campaignId, campaignId)));
  return db
    .select({
      id: socialPosts.id,
      itemId: socialPosts.itemId,
      journeyId: socialPosts.journeyId,
      accountName: socialAccounts.name,
      provider: socialAccounts.provider,
      text: socialPosts.text,
      status: socialPosts.status,
      url: socialPosts.url,
      scheduledAt: socialPosts.scheduledAt,
      publishedAt: socialPosts.publishedAt,
      likes: socialPosts.likes,
      shares: socialPosts.shares,
      comments: socialPosts.comments,
    })
    .from(socialPosts)
    .innerJoin(socialAccounts, eq(socialAccounts.id, socialPosts.accountId))
    .where(
      and(
        eq(socialPosts.workspaceId, workspaceId),
        or(eq(socialPosts.campaignId, campaignId), inArray(socialPosts.journeyId, linked)),
      ),
    )
    .orderBy(desc(socialPosts.createdAt))
    .limit(200);
}
