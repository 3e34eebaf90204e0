import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { type AudienceSelection, campaigns, channelSettings, workspaces } from '../../db/schema';
import { COUNTED_STATUSES } from '../messaging/policy/frequency-cap';
import { topicKey } from '../messaging/policy/subscriptions';
import { audienceContactIds } from './audience';
import { campaignSpend, roundMoney } from './costs';
import { rowsOf } from './rows';

/** The address a contact has on a channel, as the send path reads it. */
export function recipientSql(channel: string) {
  if (channel === 'email') return sql`nullif(trim(c.email), '')`;
  if (channel === 'sms') return sql`nullif(trim(c.phone), '')`;
  return sql`nullif(c.attributes ->> 'pushSubscription', '')`;
}

function normalizedSql(channel: string) {
  return channel === 'email' ? sql`lower(trim(c.email))` : sql`trim(${recipientSql(channel)})`;
}

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

/**
 * What a launch would do now, set-based over the whole selection: the contacts it holds, and those
 * the send policy would skip, judged in the policy's order (no address, suppression list,
 * unsubscribed, frequency cap), so each contact counts under its first reason. Quiet hours only
 * delay a send and are not counted.
 */
export async function confirmAudience(
  db: Db,
  workspaceId: string,
  input: {
    audience: AudienceSelection;
    channel: string;
    topic?: string | null;
    holdoutShare: number;
    campaignId?: string | null;
    now: number;
  },
): Promise<Confirmation> {
  const [settings] = await db
    .select({ policy: channelSettings.policy })
    .from(channelSettings)
    .where(and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, input.channel)));
  const cap = settings?.policy?.frequencyCap;
  const counted = sql.raw(`(${COUNTED_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  const topic = input.topic ?? null;
  const topicBlock = topic
    ? sql`or (c.subscriptions ->> ${topicKey(topic)}) = 'unsubscribed'
          or ((c.subscriptions ->> ${topicKey(topic)}) is null
              and exists (select 1 from topics t where t.workspace_id = ${workspaceId} and t.name = ${topic} and not t.default_subscribed))`
    : sql``;
  const capBlock = cap
    ? sql`when (select count(*) from messages m where m.workspace_id = ${workspaceId} and m.contact_id = c.id
              and m.channel = ${input.channel} and m.transactional = false and m.status in ${counted}
              and m.created_at > ${new Date(input.now - cap.windowHours * 3_600_000).toISOString()}::timestamptz) >= ${cap.max}
            then 'frequency-cap'`
    : sql``;
  const rows = await rowsOf<{ reason: string | null; n: number }>(
    db,
    sql`select reason, count(*)::int as n from (
          select case
            when ${recipientSql(input.channel)} is null then 'no-recipient'
            when exists (select 1 from suppressions s where s.workspace_id = ${workspaceId}
              and s.channel = ${input.channel} and s.address = ${normalizedSql(input.channel)}) then 'suppressed'
            when (c.subscriptions ->> ${input.channel}) = 'unsubscribed' ${topicBlock} then 'unsubscribed'
            ${capBlock}
            else null end as reason
          from (${audienceContactIds(workspaceId, input.audience)}) a join contacts c on c.id = a.contact_id
        ) x group by reason`,
  );
  const audience = rows.reduce((sum, r) => sum + Number(r.n), 0);
  const allowed = Number(rows.find((r) => r.reason === null)?.n ?? 0);
  const holdout = Math.floor(audience * input.holdoutShare);
  // The holdout is drawn from the whole audience, so it takes its share of the sendable contacts.
  const willSend = audience === 0 ? 0 : Math.round(allowed * (1 - holdout / audience));
  const skipped = rows
    .filter((r) => r.reason !== null)
    .map((r) => ({ reason: r.reason as string, count: Number(r.n) }))
    .sort((a, b) => a.reason.localeCompare(b.reason));
  const budget = await budgetOf(db, workspaceId, input.campaignId, input.channel, willSend);
  return { audience, holdout, skipped, willSend, ...budget };
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
