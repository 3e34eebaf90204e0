import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { type AudienceSelection, campaigns, contacts, workspaces } from '../../db/schema';
import { toSnapshot } from '../audience/contacts/contact-store';
import { previewSends } from '../messaging/messages/send-message';
import { inHoldout, rankedAudience } from './audience';
import { broadcastClaim } from './broadcast-claim';
import { campaignSpend, roundMoney } from './costs';

export interface Confirmation {
  audience: number;
  holdout: number;
  skipped: { reason: string; count: number }[];
  willSend: number;
  estimatedCost: number | null;
  currency: string | null;
  budget: number | null;
  budgetRemaining: number | null;
  overBudget: boolean;
}

/** Contacts the policy is asked about at once: one page of contacts, one preview of their sends. */
const PAGE = 2000;

/**
 * What a launch would do now: the audience (the draft's selection, or the audience a launched
 * broadcast froze), its control group as the freeze draws it, and for every other contact the
 * decision of the send path's own policy (`previewSends`: the same rule and facts a send's claim
 * uses, read-only, nothing claimed or sent), page by page. A blocked send counts under the
 * policy's reason, as the broadcast's progress will show it; a deferred one (quiet hours, the
 * channel's rate) still goes out, later.
 */
export async function confirmAudience(
  db: Db,
  workspaceId: string,
  input: {
    id: string;
    status?: string;
    audience: AudienceSelection;
    channel: string;
    topic?: string | null;
    holdoutShare: number;
    campaignId?: string | null;
    now: number;
  },
): Promise<Confirmation> {
  const frozen = input.status !== undefined && input.status !== 'draft';
  const ranked = await queryRows<{ contactId: string; holdout: boolean }>(
    db,
    frozen
      ? sql`select contact_id as "contactId", grp = 'holdout' as holdout from broadcast_recipients
            where broadcast_id = ${input.id} and workspace_id = ${workspaceId}`
      : sql`select contact_id as "contactId", ${inHoldout(input.holdoutShare)} as holdout
            from (${rankedAudience(workspaceId, input.id, input.audience)}) r`,
  );
  const targets = ranked.filter((r) => !r.holdout).map((r) => r.contactId);
  const reasons = new Map<string, number>();
  let willSend = 0;
  const broadcast = { id: input.id, workspaceId, channel: input.channel, topic: input.topic ?? null };
  for (let i = 0; i < targets.length; i += PAGE) {
    const page = targets.slice(i, i + PAGE);
    const rows = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, page)));
    // A contact deleted since it was frozen is skipped by the send as well.
    if (rows.length < page.length) {
      reasons.set('contact-deleted', (reasons.get('contact-deleted') ?? 0) + page.length - rows.length);
    }
    const decisions = await previewSends(
      db,
      rows.map((row) => broadcastClaim(broadcast, toSnapshot(row), 'preview', input.now)),
    );
    for (const decision of decisions) {
      if (decision.action === 'block') reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
      else willSend++;
    }
  }
  const skipped = [...reasons]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => a.reason.localeCompare(b.reason));
  const budget = await budgetOf(db, workspaceId, input.campaignId, input.channel, willSend);
  return { audience: ranked.length, holdout: ranked.length - targets.length, skipped, willSend, ...budget };
}

async function budgetOf(
  db: Db,
  workspaceId: string,
  campaignId: string | null | undefined,
  channel: string,
  willSend: number,
) {
  const none = {
    estimatedCost: null,
    currency: null,
    budget: null,
    budgetRemaining: null,
    overBudget: false,
  };
  if (!campaignId) return none;
  const [campaign] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  if (!campaign) return none;
  const estimatedCost = roundMoney(willSend * (campaign.costModel[channel] ?? 0));
  if (campaign.budget === null) return { ...none, estimatedCost, currency: campaign.currency };
  const spent = await campaignSpend(db, workspaceId, campaignId);
  const budgetRemaining = roundMoney(campaign.budget - spent.total);
  return {
    estimatedCost,
    currency: campaign.currency,
    budget: campaign.budget,
    budgetRemaining,
    overBudget: estimatedCost > budgetRemaining,
  };
}

export async function workspaceZone(db: Db, workspaceId: string): Promise<string | null> {
  const [row] = await db
    .select({ tz: workspaces.defaultTimezone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.tz ?? null;
}
