import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { clvScores, contactClusters, rfmScores } from '../../../db/schema';
import { propertyConditionSchema } from './filter-schema';

/**
 * What a segment rule or a branch can test of the analytics results (engine/analytics writes
 * them; this layer only reads the tables, so nothing here imports analytics).
 */
export const ANALYTICS_FIELDS = [
  'rfm.segment',
  'rfm.value_class',
  'rfm.r',
  'rfm.f',
  'rfm.m',
  'rfm.fm',
  'rfm.score',
  'rfm.recency_days',
  'rfm.frequency',
  'rfm.monetary',
  'cluster',
  'clv.value',
  'clv.expected_purchases',
  'clv.probability_alive',
  'clv.expected_spend',
] as const;

export const analyticsConditionSchema = z.object({
  kind: z.literal('analytics'),
  field: z
    .enum(ANALYTICS_FIELDS)
    .describe('A result of the last analytics refresh: RFM scores and classes, cluster, predicted CLV'),
  op: propertyConditionSchema.shape.op,
  value: z.unknown().optional(),
});

export type AnalyticsCondition = z.infer<typeof analyticsConditionSchema>;

/** The contact's analytics results as one jsonb document `{rfm: {...}, cluster, clv: {...}}`. */
export function analyticsDocumentSql(workspaceId: SQL | string, contactId: SQL | string): SQL {
  return sql`jsonb_build_object(
    'rfm', (select jsonb_build_object(
        'segment', ${rfmScores.segment}, 'value_class', ${rfmScores.valueClass},
        'r', ${rfmScores.r}, 'f', ${rfmScores.f}, 'm', ${rfmScores.m},
        'fm', (${rfmScores.f} + ${rfmScores.m} + 1) / 2,
        'score', ${rfmScores.r}::text || ${rfmScores.f}::text || ${rfmScores.m}::text,
        'recency_days', ${rfmScores.recencyDays}, 'frequency', ${rfmScores.frequency}, 'monetary', ${rfmScores.monetary})
      from ${rfmScores} where ${rfmScores.workspaceId} = ${workspaceId} and ${rfmScores.contactId} = ${contactId}),
    'cluster', (select ${contactClusters.cluster} from ${contactClusters}
      where ${contactClusters.workspaceId} = ${workspaceId} and ${contactClusters.contactId} = ${contactId}),
    'clv', (select jsonb_build_object(
        'value', ${clvScores.clv}, 'expected_purchases', ${clvScores.expectedPurchases},
        'probability_alive', ${clvScores.probabilityAlive}, 'expected_spend', ${clvScores.expectedSpend})
      from ${clvScores} where ${clvScores.workspaceId} = ${workspaceId} and ${clvScores.contactId} = ${contactId}))`;
}

export interface AnalyticsProfile {
  rfm?: Record<string, unknown> | null;
  cluster?: number | null;
  clv?: Record<string, unknown> | null;
}

export async function loadAnalyticsProfile(
  db: Db,
  workspaceId: string,
  contactId: string,
): Promise<AnalyticsProfile> {
  const rows = (await db.execute(
    sql`select ${analyticsDocumentSql(sql`${workspaceId}::uuid`, sql`${contactId}::uuid`)} as doc`,
  )) as unknown as { doc: AnalyticsProfile }[] | { rows: { doc: AnalyticsProfile }[] };
  const list = Array.isArray(rows) ? rows : rows.rows;
  const doc = list[0]?.doc;
  return typeof doc === 'string' ? JSON.parse(doc) : (doc ?? {});
}
