import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { analyticsResults, contacts, events, rfmScores } from '../../db/schema';
import { loadResult, saveResult } from './results';
import { segmentTableSql } from './rfm-classes';
import { inSegment } from './segment-filter';
import { getPurchaseSettings, orderAmount } from './settings';

export const rfmOptionsSchema = z.object({
  windowDays: z.number().int().min(1).max(3650).default(365).describe('Purchases of the last N days count'),
  monetary: z.enum(['total', 'average']).default('total').describe('M is the total or the average order'),
  asOf: z.coerce.date().optional().describe('End of the window; now when absent'),
});
export type RfmOptions = z.input<typeof rfmOptionsSchema>;

const segmentFilter = (workspaceId: string, segmentId: string | undefined) =>
  segmentId ? sql`true ${inSegment(workspaceId, segmentId, sql`${rfmScores.contactId}`)}` : undefined;

/** A score 1–5 by quintile of rank: ntile's boundaries, but equal values always share a score. */
const quintile = (order: ReturnType<typeof sql>) =>
  sql`least(5, 1 + floor(5.0 * (rank() over (order by ${order}) - 1) / count(*) over ()))::int`;

/**
 * Recomputes every contact's RFM in one set-based statement: purchases in the window grouped
 * per contact, quintile scores over the whole workspace, the named class from the (r, f, m)
 * table and the high/low class against the workspace means. Replaces the previous scores.
 */
export async function refreshRfm(db: Db, workspaceId: string, options: RfmOptions = {}) {
  const { windowDays, monetary, asOf } = rfmOptionsSchema.parse(options);
  const settings = await getPurchaseSettings(db, workspaceId);
  const end = asOf ?? new Date();
  const start = new Date(end.getTime() - windowDays * 86_400_000);
  const computedAt = new Date();
  const monetaryValue = monetary === 'total' ? sql`sum(amount)` : sql`avg(amount)`;
  const n = await db.transaction(async (tx) => {
    await tx.delete(rfmScores).where(eq(rfmScores.workspaceId, workspaceId));
    const [inserted] = await queryRows<{ n: number }>(
      tx as unknown as Db,
      sql`with inserted as (
      insert into ${rfmScores} (workspace_id, contact_id, recency_days, frequency, monetary, r, f, m, segment, value_class, computed_at)
      with purchases as (
        select ${events.contactId} as contact_id, ${events.timestamp} as at, ${orderAmount(settings)} as amount
        from ${events}
        where ${events.workspaceId} = ${workspaceId}
          and ${events.name} = ${settings.purchaseEvent}
          and ${events.contactId} is not null
          and ${events.timestamp} > ${start.toISOString()}::timestamptz
          and ${events.timestamp} <= ${end.toISOString()}::timestamptz
      ), per_contact as (
        select contact_id,
               extract(epoch from (${end.toISOString()}::timestamptz - max(at))) / 86400.0 as recency_days,
               count(*)::int as frequency,
               coalesce(${monetaryValue}, 0)::double precision as monetary
        from purchases group by contact_id
      ), scored as (
        select *,
               ${quintile(sql`recency_days desc`)} as r,
               ${quintile(sql`frequency`)} as f,
               ${quintile(sql`monetary`)} as m,
               recency_days < avg(recency_days) over () as recent_high,
               frequency > avg(frequency) over () as frequent_high,
               monetary > avg(monetary) over () as monetary_high
        from per_contact
      )
      select ${workspaceId}::uuid, s.contact_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,
             rfm_class.segment,
             (case when s.monetary_high then 'important_' else 'general_' end) ||
             (case when s.recent_high and s.frequent_high then 'value'
                   when s.recent_high then 'develop'
                   when s.frequent_high then 'keep' else 'retain' end),
             ${computedAt.toISOString()}::timestamptz
      from scored s
      join ${segmentTableSql()} on rfm_class.r = s.r and rfm_class.f = s.f and rfm_class.m = s.m
      returning 1)
      select count(*)::int as n from inserted`,
    );
    return Number(inserted.n);
  });
  const saved = await saveResult(
    db,
    workspaceId,
    'rfm',
    { windowDays, monetary, asOf: end.toISOString() },
    { contacts: n },
  );
  return { contacts: n, computedAt: saved.computedAt, params: saved.params };
}

/**
 * Counts and revenue per cell of R × FM (FM: the rounded mean of F and M), the axes of the named
 * classes; over one segment's members when `segmentId` is given.
 */
export async function rfmGrid(db: Db, workspaceId: string, segmentId?: string) {
  const run = await loadResult(db, workspaceId, 'rfm');
  const revenue =
    run?.params.monetary === 'average'
      ? sql`${rfmScores.monetary} * ${rfmScores.frequency}`
      : sql`${rfmScores.monetary}`;
  const fm = sql<number>`((${rfmScores.f} + ${rfmScores.m} + 1) / 2)::int`;
  const cells = await db
    .select({
      r: rfmScores.r,
      fm,
      segment: rfmScores.segment,
      contacts: sql<number>`count(*)::int`,
      revenue: sql<number>`coalesce(sum(${revenue}), 0)::double precision`,
    })
    .from(rfmScores)
    .where(and(eq(rfmScores.workspaceId, workspaceId), segmentFilter(workspaceId, segmentId)))
    .groupBy(rfmScores.r, fm, rfmScores.segment)
    .orderBy(asc(rfmScores.r), asc(fm));
  return { computedAt: run?.computedAt ?? null, params: run?.params ?? null, cells };
}

/** Contacts per named class and per high/low class, with revenue. */
export async function rfmSummary(db: Db, workspaceId: string, segmentId?: string) {
  const run = await loadResult(db, workspaceId, 'rfm');
  const revenue =
    run?.params.monetary === 'average'
      ? sql`${rfmScores.monetary} * ${rfmScores.frequency}`
      : sql`${rfmScores.monetary}`;
  const by = async (column: typeof rfmScores.segment | typeof rfmScores.valueClass) =>
    db
      .select({
        name: column,
        contacts: sql<number>`count(*)::int`,
        revenue: sql<number>`coalesce(sum(${revenue}), 0)::double precision`,
      })
      .from(rfmScores)
      .where(and(eq(rfmScores.workspaceId, workspaceId), segmentFilter(workspaceId, segmentId)))
      .groupBy(column)
      .orderBy(column);
  return {
    computedAt: run?.computedAt ?? null,
    segments: await by(rfmScores.segment),
    valueClasses: await by(rfmScores.valueClass),
  };
}

/** The scores with the contact's email, for the table and its CSV. */
export async function listRfmScores(db: Db, workspaceId: string, limit = 10_000) {
  return db
    .select({
      contactId: rfmScores.contactId,
      email: contacts.email,
      recencyDays: rfmScores.recencyDays,
      frequency: rfmScores.frequency,
      monetary: rfmScores.monetary,
      r: rfmScores.r,
      f: rfmScores.f,
      m: rfmScores.m,
      segment: rfmScores.segment,
      valueClass: rfmScores.valueClass,
      computedAt: rfmScores.computedAt,
    })
    .from(rfmScores)
    .innerJoin(contacts, and(eq(contacts.id, rfmScores.contactId)))
    .where(eq(rfmScores.workspaceId, workspaceId))
    .orderBy(asc(rfmScores.r), asc(rfmScores.f), asc(rfmScores.m), asc(rfmScores.contactId))
    .limit(limit);
}

/**
 * The scheduled refresh: every workspace that has computed RFM gets it again with the same
 * window and monetary choice, ending now. The same schedule refits the fitted models as jobs.
 */
export async function refreshAllRfm(db: Db): Promise<{ workspaces: number; contacts: number }> {
  const computed = await db
    .select({ workspaceId: analyticsResults.workspaceId, params: analyticsResults.params })
    .from(analyticsResults)
    .where(eq(analyticsResults.model, 'rfm'));
  let contacts = 0;
  for (const { workspaceId, params } of computed) {
    const { asOf: _asOf, ...options } = params as RfmOptions;
    contacts += (await refreshRfm(db, workspaceId, rfmOptionsSchema.parse(options))).contacts;
  }
  return { workspaces: computed.length, contacts };
}
