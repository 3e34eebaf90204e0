import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { events } from '../../db/schema';
import { dot, type LinearFit, leverage, ordinaryLeastSquares } from './least-squares';
import { saveResult } from './results';
import { getPurchaseSettings, orderAmount } from './settings';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The season each granularity can carry: weekly for days, yearly for weeks and months. */
const SEASON: Record<Granularity, number> = { day: 7, week: 52, month: 12 };

export const forecastOptionsSchema = z.object({
  metric: z.enum(['revenue', 'orders']).default('revenue'),
  granularity: z.enum(GRANULARITIES).default('week'),
  history: z.number().int().min(4).max(2000).default(104).describe('Periods of history to fit on'),
  horizon: z.number().int().min(1).max(365).default(12).describe('Periods to forecast'),
  holdout: z.number().int().min(1).max(365).default(4).describe('Last periods held out to measure MAPE'),
});
export type ForecastOptions = z.input<typeof forecastOptionsSchema>;

export interface ForecastPoint {
  index: number;
  value: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  /** Trend per period and the seasonal offsets (relative to the first period of the season). */
  trend: number;
  intercept: number;
  season: number | null;
  seasonal: number[];
  fitted: number[];
  forecast: ForecastPoint[];
  /** Mean absolute percentage error on the held-out periods, in percent (null when all held-out values are 0). */
  mape: number | null;
  residualSd: number;
}

/** Seasonality is used only when the history holds at least two full seasons. */
function design(index: number, season: number | null): number[] {
  const row = [1, index];
  if (season) for (let s = 1; s < season; s++) row.push(index % season === s ? 1 : 0);
  return row;
}

function fitModel(values: number[], season: number | null): LinearFit {
  return ordinaryLeastSquares(
    values.map((_, i) => design(i, season)),
    values,
  );
}

/** 97.5 % quantile of Student's t (Cornish–Fisher expansion; exact enough past 3 degrees of freedom). */
function tQuantile(df: number): number {
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/**
 * Least-squares trend plus seasonal dummies, 95 % prediction intervals
 * ŷ ± t·s·√(1 + xᵀ(XᵀX)⁻¹x), and the MAPE of the same model refitted without the last
 * `holdout` periods and asked to predict them.
 */
export function forecastSeries(
  values: number[],
  granularity: Granularity,
  horizon: number,
  holdout: number,
): Forecast {
  const period = SEASON[granularity];
  const season = values.length >= 2 * period ? period : null;
  const model = fitModel(values, season);
  const t = tQuantile(model.degreesOfFreedom);
  const forecast = Array.from({ length: horizon }, (_, h) => {
    const index = values.length + h;
    const row = design(index, season);
    const value = dot(row, model.coefficients);
    const margin = t * model.residualSd * Math.sqrt(1 + leverage(model, row));
    return { index, value, lower: value - margin, upper: value + margin };
  });
  let mape: number | null = null;
  const train = values.slice(0, values.length - holdout);
  const trainSeason = train.length >= 2 * period ? period : null;
  if (holdout < values.length && train.length > 2 + (trainSeason ?? 0)) {
    const check = fitModel(train, trainSeason);
    const errors = values
      .slice(train.length)
      .map((y, h) => ({ y, yhat: dot(design(train.length + h, trainSeason), check.coefficients) }))
      .filter((e) => e.y !== 0)
      .map((e) => Math.abs((e.y - e.yhat) / e.y));
    mape = errors.length ? (100 * errors.reduce((s, e) => s + e, 0)) / errors.length : null;
  }
  return {
    intercept: model.coefficients[0],
    trend: model.coefficients[1],
    season,
    seasonal: season ? [0, ...model.coefficients.slice(2)] : [],
    fitted: values.map((_, i) => dot(design(i, season), model.coefficients)),
    forecast,
    mape,
    residualSd: model.residualSd,
  };
}

/** Revenue and orders per period, empty periods included, the last period being the current one. */
export async function purchaseSeries(
  db: Db,
  workspaceId: string,
  granularity: Granularity,
  periods: number,
  now = new Date(),
) {
  const settings = await getPurchaseSettings(db, workspaceId);
  const unit = sql.raw(`'${granularity}'`);
  const step = sql.raw(`'1 ${granularity}'`);
  const end = sql`date_trunc(${unit}, ${now.toISOString()}::timestamptz at time zone 'UTC')`;
  const start = sql`(${end} - ${sql.raw(`'${periods - 1} ${granularity}'`)}::interval)`;
  const list = await queryRows<{ period: string; revenue: number; orders: number }>(
    db,
    sql`
    with buckets as (select generate_series(${start}, ${end}, ${step}::interval) as period),
    orders as (
      select date_trunc(${unit}, ${events.timestamp} at time zone 'UTC') as period, ${orderAmount(settings)} as amount
      from ${events}
      where ${events.workspaceId} = ${workspaceId} and ${events.name} = ${settings.purchaseEvent}
        and ${events.timestamp} >= (${start}) at time zone 'UTC'
    )
    select to_char(b.period, 'YYYY-MM-DD') as period, coalesce(sum(o.amount), 0)::double precision as revenue, count(o.amount)::int as orders
    from buckets b left join orders o on o.period = b.period
    group by b.period order by b.period`,
  );
  return list.map((r) => ({ period: r.period, revenue: Number(r.revenue), orders: Number(r.orders) }));
}

export async function refreshForecast(
  db: Db,
  workspaceId: string,
  input: ForecastOptions = {},
  jobId?: string,
) {
  const options = forecastOptionsSchema.parse(input);
  const series = await purchaseSeries(db, workspaceId, options.granularity, options.history);
  const values = series.map((s) => s[options.metric]);
  const result = forecastSeries(
    values,
    options.granularity,
    options.horizon,
    Math.min(options.holdout, values.length - 3),
  );
  const saved = await saveResult(db, workspaceId, 'forecast', options, { history: series, ...result }, jobId);
  return { ...saved.result, computedAt: saved.computedAt, params: saved.params };
}
