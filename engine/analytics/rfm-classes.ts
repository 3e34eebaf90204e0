import { type SQL, sql } from 'drizzle-orm';

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose_them',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * The named classes on the recency score (rows, R = 5 first) and the rounded mean of the
 * frequency and monetary scores (columns, FM = 1..5). Every cell has exactly one class, so the
 * grid in docs/analytics.md is the whole rule.
 */
const GRID: Record<number, [RfmSegment, RfmSegment, RfmSegment, RfmSegment, RfmSegment]> = {
  5: ['new', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
  4: ['promising', 'potential_loyalists', 'loyal', 'champions', 'champions'],
  3: ['promising', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  2: ['hibernating', 'about_to_sleep', 'at_risk', 'at_risk', 'at_risk'],
  1: ['lost', 'hibernating', 'at_risk', 'cant_lose_them', 'cant_lose_them'],
};

export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  const fm = Math.floor((f + m + 1) / 2);
  return GRID[r][fm - 1];
}

export const VALUE_CLASSES = [
  'important_value',
  'important_develop',
  'important_keep',
  'important_retain',
  'general_value',
  'general_develop',
  'general_keep',
  'general_retain',
] as const;
export type ValueClass = (typeof VALUE_CLASSES)[number];

/**
 * Seed 003's classes: each of R, F and M is high or low against the workspace mean (recent is
 * high). High M makes a customer "important"; then R·F high·high is value, high·low develop,
 * low·high keep, low·low retain.
 */
export function valueClass(recentHigh: boolean, frequentHigh: boolean, monetaryHigh: boolean): ValueClass {
  const tier = monetaryHigh ? 'important' : 'general';
  const kind = recentHigh ? (frequentHigh ? 'value' : 'develop') : frequentHigh ? 'keep' : 'retain';
  return `${tier}_${kind}` as ValueClass;
}

/** All 125 (r, f, m) → class rows as a SQL VALUES list, so SQL and `rfmSegment` cannot disagree. */
export function segmentTableSql(): SQL {
  const rows: SQL[] = [];
  for (let r = 1; r <= 5; r++)
    for (let f = 1; f <= 5; f++)
      for (let m = 1; m <= 5; m++)
        rows.push(
          sql`(${sql.raw(String(r))}, ${sql.raw(String(f))}, ${sql.raw(String(m))}, ${sql.raw(`'${rfmSegment(r, f, m)}'`)})`,
        );
  return sql`(values ${sql.join(rows, sql`, `)}) as rfm_class(r, f, m, segment)`;
}
