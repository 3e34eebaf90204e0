import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db';
import { broadcasts, campaigns, templates } from '../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { assertAudienceExists } from './audience';
import { type BroadcastInput, broadcastInputSchema } from './broadcast-input';

export type BroadcastRow = typeof broadcasts.$inferSelect;

/** The variants' templates must exist and be of the broadcast's channel. */
export async function assertTemplatesFit(
  db: Db,
  workspaceId: string,
  channel: string,
  variants: { key: string; templateId: string }[],
): Promise<void> {
  const ids = variants.map((v) => v.templateId);
  const found = await db
    .select({ id: templates.id, channel: templates.channel, name: templates.name })
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), inArray(templates.id, ids)));
  for (const [i, variant] of variants.entries()) {
    const template = found.find((t) => t.id === variant.templateId);
    if (!template) {
      throw new InvalidInput(
        'template_not_found',
        `template ${variant.templateId} does not exist`,
        `variants.${i}.templateId`,
      );
    }
    if (template.channel !== channel) {
      throw new InvalidInput(
        'template_wrong_channel',
        `template “${template.name}” is a ${template.channel} template, not ${channel}`,
        `variants.${i}.templateId`,
      );
    }
  }
}

async function assertCampaign(db: Db, workspaceId: string, campaignId: string | null | undefined) {
  if (!campaignId) return;
  const [row] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  if (!row)
    throw new InvalidInput('campaign_not_found', `campaign ${campaignId} does not exist`, 'campaignId');
}

async function validate(db: Db, workspaceId: string, input: BroadcastInput) {
  await assertCampaign(db, workspaceId, input.campaignId);
  await assertTemplatesFit(db, workspaceId, input.channel, input.variants);
  await assertAudienceExists(db, workspaceId, input.audience);
}

function values(input: BroadcastInput) {
  return {
    name: input.name,
    campaignId: input.campaignId ?? null,
    channel: input.channel,
    variants: input.variants.map((v) => ({
      key: v.key,
      templateId: v.templateId,
      subject: v.subject ?? null,
    })),
    audience: input.audience,
    schedule: input.schedule,
    throttlePerMinute: input.throttlePerMinute ?? null,
    sendWindow: input.sendWindow ?? null,
    abTest: input.abTest ?? null,
    holdoutShare: input.holdoutShare,
    topic: input.topic ?? null,
    conversionEvent: input.conversionEvent ?? null,
  };
}

export async function createBroadcast(
  db: Db,
  workspaceId: string,
  raw: unknown,
  createdBy: string | null = null,
): Promise<BroadcastRow> {
  const input = broadcastInputSchema.parse(raw);
  await validate(db, workspaceId, input);
  const [row] = await db
    .insert(broadcasts)
    .values({ workspaceId, ...values(input), createdBy })
    .returning();
  return row;
}

/** Only a draft changes: after launch its audience and content are frozen. */
export async function updateBroadcast(
  db: Db,
  workspaceId: string,
  id: string,
  raw: unknown,
): Promise<BroadcastRow> {
  const current = await getBroadcast(db, workspaceId, id);
  if (current.status !== 'draft') {
    throw new Conflict('broadcast_not_draft', `the broadcast is ${current.status}; only a draft can change`);
  }
  const input = broadcastInputSchema.parse(raw);
  await validate(db, workspaceId, input);
  const [row] = await db
    .update(broadcasts)
    .set({ ...values(input), updatedAt: new Date() })
    .where(
      and(eq(broadcasts.workspaceId, workspaceId), eq(broadcasts.id, id), eq(broadcasts.status, 'draft')),
    )
    .returning();
  if (!row) throw new Conflict('broadcast_not_draft', 'the broadcast was launched meanwhile');
  return row;
}

export async function getBroadcast(db: Db, workspaceId: string, id: string): Promise<BroadcastRow> {
  const [row] = await db
    .select()
    .from(broadcasts)
    .where(and(eq(broadcasts.workspaceId, workspaceId), eq(broadcasts.id, id)));
  if (!row) throw new NotFound('Broadcast', id);
  return row;
}

export async function listBroadcasts(
  db: Db,
  workspaceId: string,
  options: { campaignId?: string } = {},
): Promise<BroadcastRow[]> {
  const filters = [eq(broadcasts.workspaceId, workspaceId)];
  if (options.campaignId) filters.push(eq(broadcasts.campaignId, options.campaignId));
  return db
    .select()
    .from(broadcasts)
    .where(and(...filters))
    .orderBy(desc(broadcasts.createdAt));
}

export async function deleteBroadcast(db: Db, workspaceId: string, id: string): Promise<void> {
  const current = await getBroadcast(db, workspaceId, id);
  if (current.status !== 'draft') {
    throw new Conflict(
      'broadcast_not_draft',
      `the broadcast is ${current.status}; only a draft can be deleted`,
    );
  }
  await db.delete(broadcasts).where(and(eq(broadcasts.workspaceId, workspaceId), eq(broadcasts.id, id)));
}
