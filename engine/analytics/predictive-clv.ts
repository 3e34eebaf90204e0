import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { clvScores, contacts, events } from '../../db/schema';
import { type BgNbdParams, expectedPurchases, fitBgNbd, probabilityAlive } from './bgnbd';
import { expectedSpend, fitGammaGamma, type GammaGammaParams } from './gamma-gamma';
import { saveResult } from './results';
import { inSegment } from './segment-filter';
import { getPurchaseSettings, orderAmount } from './settings';

export const predictiveClvOptionsSchema = z.object({
  horizonDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(365)
    .describe('CLV and expected purchases over the next N days'),
  monthlyDiscountRate: z.number().min(0).max(1).default(0.01).describe('Discount per 30 days'),
  historyDays: z
    .number()
    .int()
    .min(30)
    .max(3650)
    .default(730)
    .describe('Purchases of the last N days are the history'),
});
export type PredictiveClvOptions = z.input<typeof predictiveClvOptionsSchema>;

/**
 * Expected value over `horizon` days: the expected purchases of each 30-day step times the
 * expected spend, discounted per step (the convention of the `lifetimes` package).
 */
export function discountedValue(
  bgnbd: BgNbdParams,
  customer: { frequency: number; recency: number; age: number },
  spend: number,
  horizon: number,
  monthlyRate: number,
): number {
  let value = 0;
  let before = 0;
  for (let month = 1; month * 30 <= horizon + 29; month++) {
    const t = Math.min(month * 30, horizon);
    const upTo = expectedPurchases(bgnbd, customer, t);
    // Expected purchases only grow with time; a step never subtracts value.
    value += (Math.max(0, upTo - before) * spend) / (1 + monthlyRate) ** month;
    before = Math.max(before, upTo);
    if (t === horizon) break;
  }
  return value;
}

/**
 * Fits BG/NBD and Gamma-Gamma on every buyer's history (repeat purchases counted per day, in
 * days), then writes each buyer's expected purchases, P(alive), expected spend and CLV.
 */
export async function refreshPredictiveClv(
  db: Db,
  workspaceId: string,
  input: PredictiveClvOptions = {},
  progress: (step: string, done: number, total: number) => void = () => {},
  jobId?: string,
) {
  const options = predictiveClvOptionsSchema.parse(input);
  const settings = await getPurchaseSettings(db, workspaceId);
  const now = new Date();
  const since = new Date(now.getTime() - options.historyDays * 86_400_000);
  const days = sql`date_trunc('day', ${events.timestamp} at time zone 'UTC')`;
  const perDay = db
    .select({
      contactId: sql<string>`${events.contactId}`.as('contact_id'),
      day: sql<Date>`${days}`.as('day'),
      amount: sql<number>`sum(${orderAmount(settings)})`.as('amount'),
    })
    .from(events)
    .where(
      sql`${events.workspaceId} = ${workspaceId} and ${events.name} = ${settings.purchaseEvent} and ${events.contactId} is not null and ${events.timestamp} >= ${since.toISOString()}::timestamptz`,
    )
    .groupBy(events.contactId, days)
    .as('per_day');
  const nowDay = sql`(${now.toISOString()}::timestamptz at time zone 'UTC')`;
  const rows = await db
    .select({
      contactId: perDay.contactId,
      frequency: sql<number>`(count(*) - 1)::int`,
      recency: sql<number>`extract(epoch from (max(${perDay.day}) - min(${perDay.day}))) / 86400.0`,
      age: sql<number>`extract(epoch from (${nowDay} - min(${perDay.day}))) / 86400.0`,
      // Gamma-Gamma models the value of repeat purchases: the first day is left out.
      averageSpend: sql<number>`coalesce((sum(${perDay.amount}) - (array_agg(${perDay.amount} order by ${perDay.day}))[1]) / nullif(count(*) - 1, 0), 0)::double precision`,
    })
    .from(perDay)
    .groupBy(perDay.contactId)
    .orderBy(perDay.contactId);
  const sample = rows.map((r) => ({
    contactId: r.contactId,
    frequency: Number(r.frequency),
    recency: Number(r.recency),
    age: Number(r.age),
    averageSpend: Number(r.averageSpend),
  }));
  progress('fit BG/NBD', 1, 4);
  const bgnbd = fitBgNbd(sample);
  progress('fit Gamma-Gamma', 2, 4);
  const repeaters = sample.filter((c) => c.frequency > 0 && c.averageSpend > 0);
  const gg: (GammaGammaParams & { customers: number; converged: boolean }) | null =
    repeaters.length >= 3 ? fitGammaGamma(sample) : null;
  const populationMean =
    gg && gg.q > 1
      ? (gg.p * gg.gamma) / (gg.q - 1)
      : sample.reduce((s, c) => s + c.averageSpend, 0) / Math.max(1, repeaters.length);
  progress('score contacts', 3, 4);
  const computedAt = new Date();
  const scores = sample.map((c) => {
    const spend = gg ? expectedSpend(gg, c, populationMean) : c.averageSpend || populationMean;
    return {
      workspaceId,
      contactId: c.contactId,
      frequency: c.frequency,
      recencyDays: c.recency,
      ageDays: c.age,
      averageSpend: c.averageSpend,
      expectedPurchases: expectedPurchases(bgnbd, c, options.horizonDays),
      probabilityAlive: probabilityAlive(bgnbd, c),
      expectedSpend: spend,
      clv: discountedValue(bgnbd, c, spend, options.horizonDays, options.monthlyDiscountRate),
      computedAt,
    };
  });
  await db.transaction(async (tx) => {
    await tx.delete(clvScores).where(eq(clvScores.workspaceId, workspaceId));
    for (let i = 0; i < scores.length; i += 1000)
      await tx.insert(clvScores).values(scores.slice(i, i + 1000));
  });
  progress('done', 4, 4);
  const saved = await saveResult(
    db,
    workspaceId,
    'clv',
    options,
    {
      customers: sample.length,
      bgnbd: {
        r: bgnbd.r,
        alpha: bgnbd.alpha,
        a: bgnbd.a,
        b: bgnbd.b,
        logLikelihood: bgnbd.logLikelihood,
        converged: bgnbd.converged,
      },
      gammaGamma: gg && {
        p: gg.p,
        q: gg.q,
        gamma: gg.gamma,
        customers: gg.customers,
        converged: gg.converged,
      },
      totalClv: scores.reduce((s, c) => s + c.clv, 0),
    },
    jobId,
  );
  return { ...saved.result, computedAt: saved.computedAt, params: saved.params };
}

/** Predicted CLV per contact, highest first; one segment's members when `segmentId` is given. */
export async function listClvScores(db: Db, workspaceId: string, segmentId?: string, limit = 10_000) {
  return db
    .select({
      contactId: clvScores.contactId,
      email: contacts.email,
      frequency: clvScores.frequency,
      recencyDays: clvScores.recencyDays,
      ageDays: clvScores.ageDays,
      averageSpend: clvScores.averageSpend,
      expectedPurchases: clvScores.expectedPurchases,
      probabilityAlive: clvScores.probabilityAlive,
      expectedSpend: clvScores.expectedSpend,
      clv: clvScores.clv,
      computedAt: clvScores.computedAt,
    })
    .from(clvScores)
    .innerJoin(contacts, eq(contacts.id, clvScores.contactId))
    .where(
      and(
        eq(clvScores.workspaceId, workspaceId),
        segmentId ? sql`true ${inSegment(workspaceId, segmentId, sql`${clvScores.contactId}`)}` : undefined,
      ),
    )
    .orderBy(desc(clvScores.clv), asc(clvScores.contactId))
    .limit(limit);
}
