import { and, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { broadcasts, campaigns } from '../../db/schema';
import { InvalidInput } from '../errors';
import { instantOf, resolveTimeZone } from '../time/zoned';
import { assertAudienceExists, audienceSize, inHoldout, isEmptySelection, rankedAudience } from './audience';
import { broadcastWorkflowId } from './broadcast-claim';
import { assertTemplatesFit, type BroadcastRow, getBroadcast } from './broadcasts';
import { confirmAudience, workspaceZone } from './confirm';

/** A scheduled time may lag the request by this much (a form submitted "now"). */
const PAST_TOLERANCE_MS = 60_000;
/** The latest and earliest UTC offsets in use: a local time has passed everywhere once it passed at UTC−12. */
const LATEST_OFFSET_MS = 12 * 3_600_000;

export { broadcastWorkflowId };

/** The time a broadcast's first message is due, judged at `now`. */
function firstDue(row: BroadcastRow, now: number): number {
  const schedule = row.schedule;
  if (schedule.kind === 'at') {
    const at = Date.parse(schedule.at);
    if (at < now - PAST_TOLERANCE_MS) {
      throw new InvalidInput('schedule_in_past', `the send time ${schedule.at} has passed`, 'schedule.at');
    }
    return Math.max(at, now);
  }
  if (schedule.kind === 'local') {
    const [year, month, day] = schedule.date.split('-').map(Number);
    const [hour, minute] = schedule.time.split(':').map(Number);
    const utc = instantOf({ year, month, day, hour, minute }, 'UTC');
    if (utc + LATEST_OFFSET_MS < now - PAST_TOLERANCE_MS) {
      throw new InvalidInput(
        'schedule_in_past',
        `${schedule.date} ${schedule.time} has passed in every time zone`,
        'schedule.date',
      );
    }
    return now;
  }
  return now;
}

export interface LaunchOutcome {
  broadcast: BroadcastRow;
  /** False when this call found the broadcast launched already (a double click, a retry). */
  launched: boolean;
}

/**
 * Checks a draft and freezes its audience in one transaction: the row moves out of `draft` under a
 * conditional update, so a second launch finds it launched and freezes nothing. Refused with the
 * reason: no audience, a template of the wrong channel, a time in the past, over budget.
 */
export async function freezeBroadcast(
  db: Db,
  workspaceId: string,
  id: string,
  now: number,
): Promise<LaunchOutcome> {
  const row = await getBroadcast(db, workspaceId, id);
  if (row.status !== 'draft') return { broadcast: row, launched: false };
  if (isEmptySelection(row.audience)) {
    throw new InvalidInput('audience_missing', 'choose at least one segment or list', 'audience');
  }
  await assertAudienceExists(db, workspaceId, row.audience);
  await assertTemplatesFit(db, workspaceId, row.channel, row.variants);
  const due = firstDue(row, now);
  if ((await audienceSize(db, workspaceId, row.audience)) === 0) {
    throw new InvalidInput('audience_empty', 'the chosen segments and lists hold no contact', 'audience');
  }
  // Only a budget needs the policy's count (the messages that would be paid for).
  const [campaign] = row.campaignId
    ? await db
        .select({ budget: campaigns.budget })
        .from(campaigns)
        .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, row.campaignId)))
    : [];
  const confirmation =
    campaign && campaign.budget !== null ? await confirmAudience(db, workspaceId, { ...row, now }) : null;
  if (confirmation?.overBudget) {
    throw new InvalidInput(
      'over_budget',
      `the estimated cost ${confirmation.estimatedCost} ${confirmation.currency} exceeds the ${confirmation.budgetRemaining} ${confirmation.currency} left of the campaign budget`,
      'campaignId',
    );
  }
  const zone = await workspaceZone(db, workspaceId);
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [moved] = await t
      .update(broadcasts)
      .set({
        status: 'scheduled',
        launchedAt: new Date(now),
        workflowId: broadcastWorkflowId(workspaceId, id),
        updatedAt: new Date(),
      })
      .where(
        and(eq(broadcasts.workspaceId, workspaceId), eq(broadcasts.id, id), eq(broadcasts.status, 'draft')),
      )
      .returning();
    if (!moved) return { broadcast: await getBroadcast(t, workspaceId, id), launched: false };
    const size = await insertRecipients(t, moved, new Date(due));
    if (moved.schedule.kind === 'local') await scheduleLocalTimes(t, moved, zone, now);
    const [first] = await queryRows<{ due: Date | string | null }>(
      t,
      sql`select min(due_at) as due from broadcast_recipients where broadcast_id = ${id} and status = 'pending'`,
    );
    const firstDueAt = first?.due ? new Date(first.due).getTime() : now;
    const [done] = await t
      .update(broadcasts)
      .set({ audienceSize: size, status: firstDueAt > now ? 'scheduled' : 'sending' })
      .where(eq(broadcasts.id, id))
      .returning();
    return { broadcast: done, launched: true };
  });
}

/**
 * One row per contact, in an order fixed by a hash of broadcast and contact (random-like, yet the
 * same on every database): the first `holdoutShare` are the control group, the next `testShare`
 * the A/B test split round-robin between the variants, the rest wait for the winner. Without a
 * test, everyone gets a variant round-robin.
 */
async function insertRecipients(db: Db, row: BroadcastRow, due: Date): Promise<number> {
  const keys = row.variants.map((v) => v.key);
  const keyArray = sql`array[${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )}]::text[]`;
  const holdout = row.holdoutShare;
  const test = row.abTest?.testShare ?? 0;
  const ab = row.abTest ? sql`true` : sql`false`;
  const [result] = await queryRows<{ n: number }>(
    db,
    sql`with ranked as (${rankedAudience(row.workspaceId, row.id, row.audience)}), placed as (
          select contact_id, seq::int as seq,
            case when ${inHoldout(holdout)} then 'holdout'
                 when ${ab} and seq <= floor(total * ${holdout}::float8) + greatest(${keys.length}, floor(total * ${test}::float8)) then 'test'
                 when ${ab} then 'rest'
                 else 'all' end as grp
          from ranked
        ), inserted as (
          insert into broadcast_recipients (workspace_id, broadcast_id, contact_id, seq, grp, variant, due_at, status)
          select ${row.workspaceId}, ${row.id}, contact_id, seq, grp,
                 case when grp in ('test', 'all') then (${keyArray})[(seq % ${keys.length}) + 1] end,
                 ${due.toISOString()}::timestamptz,
                 case when grp = 'holdout' then 'holdout' else 'pending' end
          from placed
          returning 1
        )
        select count(*)::int as n from inserted`,
  );
  return Number(result?.n ?? 0);
}

/**
 * Local-time delivery: each contact is due at the date and time on its own clock (its zone, else
 * the workspace's, else UTC), computed once per zone; a time that has already passed there is due now.
 */
async function scheduleLocalTimes(db: Db, row: BroadcastRow, workspaceTz: string | null, now: number) {
  if (row.schedule.kind !== 'local') return;
  const [year, month, day] = row.schedule.date.split('-').map(Number);
  const [hour, minute] = row.schedule.time.split(':').map(Number);
  const zones = await queryRows<{ tz: string }>(
    db,
    sql`select distinct coalesce(c.timezone, '') as tz from broadcast_recipients r
        join contacts c on c.id = r.contact_id where r.broadcast_id = ${row.id}`,
  );
  const dues = zones.map(({ tz }) => ({
    tz,
    due: new Date(
      Math.max(now, instantOf({ year, month, day, hour, minute }, resolveTimeZone(tz, workspaceTz))),
    ).toISOString(),
  }));
  if (dues.length === 0) return;
  await db.execute(sql`update broadcast_recipients r set due_at = v.due::timestamptz
      from contacts c, jsonb_to_recordset(${JSON.stringify(dues)}::jsonb) as v(tz text, due text)
      where r.broadcast_id = ${row.id} and c.id = r.contact_id and coalesce(c.timezone, '') = v.tz`);
}
