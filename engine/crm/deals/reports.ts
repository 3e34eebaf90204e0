import { and, count, desc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { dealStageHistory, dealStages, deals, users } from '../../../db/schema';
import { InvalidInput } from '../../errors';
import { getPipeline } from './pipelines';

export const dealReportQuerySchema = z.object({
  from: z.iso
    .date()
    .optional()
    .describe('First day of the period (UTC), inclusive; 89 days before `to` when absent'),
  to: z.iso.date().optional().describe('Last day of the period (UTC), inclusive; today when absent'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .describe("Values are summed over deals in this currency; the pipeline's most used one when absent"),
});

export type DealReportQuery = z.infer<typeof dealReportQuerySchema>;

export interface DealReports {
  pipelineId: string;
  from: string;
  to: string;
  currency: string;
  /** Deals created in the period that reached each stage (or a later one), lost stages left out. */
  funnel: { stageId: string; stage: string; reached: number; conversionFromPrevious: number | null }[];
  /** Completed stays that began in the period: their mean length. */
  timeInStage: { stageId: string; stage: string; stays: number; averageSeconds: number | null }[];
  /** Deals closed in the period. */
  winRate: { won: number; lost: number; rate: number | null };
  /** Open deals by the month of their expected close date: value and value × stage probability. */
  forecast: { month: string; deals: number; value: number; weightedValue: number }[];
  /** Deals closed in the period per owner; `open` counts the owner's deals open now. */
  owners: {
    ownerUserId: string | null;
    name: string;
    won: number;
    lost: number;
    open: number;
    wonValue: number;
    winRate: number | null;
  }[];
}

const num = (expression: ReturnType<typeof sql>) => expression.mapWith(Number);

/**
 * The pipeline reports over a period `[from, to]` (whole UTC days). Counts take every deal;
 * values only those in the report's currency, never adding euros to dollars.
 */
export async function dealReports(
  db: Db,
  workspaceId: string,
  pipelineId: string,
  query: DealReportQuery,
): Promise<DealReports> {
  const to = query.to ?? new Date().toISOString().slice(0, 10);
  const from =
    query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000);
  if (end <= start) throw new InvalidInput('period_reversed', 'to must not be before from', 'to');
  const pipeline = await getPipeline(db, workspaceId, pipelineId);
  const inPipeline = and(eq(deals.workspaceId, workspaceId), eq(deals.pipelineId, pipelineId));
  const currency = query.currency ?? (await mainCurrency(db, inPipeline));
  const inCurrency = eq(deals.currency, currency);

  // Funnel: the furthest non-lost stage each deal created in the period ever entered.
  const furthest = await db
    .select({ position: num(sql`max(${dealStages.position})`) })
    .from(dealStageHistory)
    .innerJoin(deals, eq(deals.id, dealStageHistory.dealId))
    .innerJoin(dealStages, eq(dealStages.id, dealStageHistory.stageId))
    .where(
      and(
        inPipeline,
        gte(deals.createdAt, start),
        lt(deals.createdAt, end),
        eq(dealStages.closedLost, false),
      ),
    )
    .groupBy(deals.id);
  const funnelStages = pipeline.stages.filter((s) => !s.closedLost);
  const funnel = funnelStages.map((stage, i) => {
    const reached = furthest.filter((f) => f.position >= stage.position).length;
    const before = i === 0 ? null : furthest.filter((f) => f.position >= funnelStages[i - 1].position).length;
    return {
      stageId: stage.id,
      stage: stage.name,
      reached,
      conversionFromPrevious: before === null ? null : before === 0 ? null : reached / before,
    };
  });

  const stays = await db
    .select({
      stageId: dealStageHistory.stageId,
      stays: count(),
      averageSeconds: num(
        sql`avg(extract(epoch from (${dealStageHistory.leftAt} - ${dealStageHistory.enteredAt})))::float8`,
      ),
    })
    .from(dealStageHistory)
    .innerJoin(deals, eq(deals.id, dealStageHistory.dealId))
    .where(
      and(
        inPipeline,
        isNotNull(dealStageHistory.leftAt),
        gte(dealStageHistory.enteredAt, start),
        lt(dealStageHistory.enteredAt, end),
      ),
    )
    .groupBy(dealStageHistory.stageId);
  const timeInStage = pipeline.stages.map((stage) => {
    const row = stays.find((s) => s.stageId === stage.id);
    return {
      stageId: stage.id,
      stage: stage.name,
      stays: row?.stays ?? 0,
      averageSeconds: row ? row.averageSeconds : null,
    };
  });

  const closedInPeriod = and(inPipeline, gte(deals.closedAt, start), lt(deals.closedAt, end));
  const ownerRows = await db
    .select({
      ownerUserId: deals.ownerUserId,
      name: sql<string>`coalesce(nullif(${users.name}, ''), ${users.email}, 'Unassigned')`,
      won: num(sql`count(*) filter (where ${deals.status} = 'won')::int`),
      lost: num(sql`count(*) filter (where ${deals.status} = 'lost')::int`),
      wonValue: num(
        sql`coalesce(sum(${deals.value}) filter (where ${deals.status} = 'won' and ${inCurrency}), 0)::float8`,
      ),
    })
    .from(deals)
    .leftJoin(users, eq(users.id, deals.ownerUserId))
    .where(closedInPeriod)
    .groupBy(deals.ownerUserId, users.name, users.email);
  const openRows = await db
    .select({ ownerUserId: deals.ownerUserId, open: count() })
    .from(deals)
    .where(and(inPipeline, eq(deals.status, 'open')))
    .groupBy(deals.ownerUserId);
  const won = ownerRows.reduce((sum, r) => sum + r.won, 0);
  const lost = ownerRows.reduce((sum, r) => sum + r.lost, 0);
  const owners = ownerRows
    .map((r) => ({
      ...r,
      open: openRows.find((o) => o.ownerUserId === r.ownerUserId)?.open ?? 0,
      winRate: r.won + r.lost > 0 ? r.won / (r.won + r.lost) : null,
    }))
    .sort((a, b) => b.wonValue - a.wonValue || b.won - a.won || a.name.localeCompare(b.name));

  const month = sql<string>`to_char(${deals.expectedCloseDate}, 'YYYY-MM')`;
  const forecast = await db
    .select({
      month,
      deals: count(),
      value: num(sql`sum(${deals.value})::float8`),
      weightedValue: num(sql`sum(${deals.value} * ${dealStages.winProbability} / 100.0)::float8`),
    })
    .from(deals)
    .innerJoin(dealStages, eq(dealStages.id, deals.stageId))
    .where(and(inPipeline, inCurrency, eq(deals.status, 'open'), isNotNull(deals.expectedCloseDate)))
    .groupBy(month)
    .orderBy(month);

  return {
    pipelineId,
    from,
    to,
    currency,
    funnel,
    timeInStage,
    winRate: { won, lost, rate: won + lost > 0 ? won / (won + lost) : null },
    forecast: forecast.map((f) => ({ ...f, value: round2(f.value), weightedValue: round2(f.weightedValue) })),
    owners: owners.map((o) => ({ ...o, wonValue: round2(o.wonValue) })),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function mainCurrency(db: Db, where: ReturnType<typeof and>): Promise<string> {
  const [row] = await db
    .select({ currency: deals.currency, n: count() })
    .from(deals)
    .where(where)
    .groupBy(deals.currency)
    .orderBy(desc(count()), deals.currency)
    .limit(1);
  return row?.currency ?? 'EUR';
}
