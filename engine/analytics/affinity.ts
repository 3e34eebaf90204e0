import { desc, eq, sql } from 'drizzle-orm';
import { FPGrowth } from 'node-fpgrowth';
import { z } from 'zod';
import type { Db } from '../../db';
import { affinityRules, events } from '../../db/schema';
import { saveResult } from './results';
import { getPurchaseSettings, pathLiteral } from './settings';

export const affinityOptionsSchema = z.object({
  minSupport: z.number().gt(0).max(1).default(0.01).describe('Share of orders holding the whole rule'),
  minConfidence: z.number().min(0).max(1).default(0.2).describe('P(consequent | antecedent)'),
  minLift: z.number().min(0).default(1).describe('Confidence over the consequent’s own support'),
  windowDays: z.number().int().min(1).max(3650).default(365),
  maxRules: z.number().int().min(1).max(10_000).default(1000),
});
export type AffinityOptions = z.input<typeof affinityOptionsSchema>;

export interface AssociationRule {
  antecedent: string[];
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  /** Orders holding antecedent and consequent together. */
  orders: number;
}

/**
 * Association rules from baskets: frequent itemsets by FP-growth (`node-fpgrowth`), then every
 * split of each itemset into antecedent ⇒ consequent, kept when it passes the thresholds.
 */
export async function associationRules(
  baskets: readonly string[][],
  options: Pick<z.infer<typeof affinityOptionsSchema>, 'minSupport' | 'minConfidence' | 'minLift'>,
): Promise<AssociationRule[]> {
  const total = baskets.length;
  if (total === 0) return [];
  const unique = baskets.map((b) => [...new Set(b)]);
  const itemsets = await new FPGrowth<string>(options.minSupport).exec(unique);
  const counts = new Map<string, number>();
  const key = (items: string[]) => [...items].sort().join('\u0000');
  for (const set of itemsets) counts.set(key(set.items), set.support);
  const rules: AssociationRule[] = [];
  for (const set of itemsets) {
    if (set.items.length < 2) continue;
    const items = [...set.items].sort();
    for (let mask = 1; mask < (1 << items.length) - 1; mask++) {
      const antecedent = items.filter((_, i) => mask & (1 << i));
      const consequent = items.filter((_, i) => !(mask & (1 << i)));
      const a = counts.get(key(antecedent));
      const c = counts.get(key(consequent));
      if (!a || !c) continue;
      const confidence = set.support / a;
      const lift = confidence / (c / total);
      if (confidence < options.minConfidence || lift < options.minLift) continue;
      rules.push({
        antecedent,
        consequent,
        support: set.support / total,
        confidence,
        lift,
        orders: set.support,
      });
    }
  }
  return rules.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.confidence - x.confidence ||
      x.antecedent.join().localeCompare(y.antecedent.join()),
  );
}

/** One basket per purchase event: the distinct product keys of its line items. */
export async function orderBaskets(db: Db, workspaceId: string, since: Date): Promise<string[][]> {
  const settings = await getPurchaseSettings(db, workspaceId);
  const items = sql`(${events.properties} #> ${pathLiteral(settings.productsPath)}::text[])`;
  const rows = await db
    .select({
      items: sql<string[]>`array(select distinct item #>> ${pathLiteral(settings.productKey)}::text[]
        from jsonb_array_elements(case when jsonb_typeof(${items}) = 'array' then ${items} else '[]'::jsonb end) as item
        where item #>> ${pathLiteral(settings.productKey)}::text[] is not null)`,
    })
    .from(events)
    .where(
      sql`${events.workspaceId} = ${workspaceId} and ${events.name} = ${settings.purchaseEvent} and ${events.timestamp} >= ${since.toISOString()}::timestamptz`,
    );
  return rows.map((r) => r.items).filter((b) => b.length > 0);
}

export async function refreshAffinity(
  db: Db,
  workspaceId: string,
  input: AffinityOptions = {},
  jobId?: string,
) {
  const options = affinityOptionsSchema.parse(input);
  const since = new Date(Date.now() - options.windowDays * 86_400_000);
  const baskets = await orderBaskets(db, workspaceId, since);
  const rules = (await associationRules(baskets, options)).slice(0, options.maxRules);
  const computedAt = new Date();
  await db.transaction(async (tx) => {
    await tx.delete(affinityRules).where(eq(affinityRules.workspaceId, workspaceId));
    for (let i = 0; i < rules.length; i += 500) {
      await tx
        .insert(affinityRules)
        .values(rules.slice(i, i + 500).map((r) => ({ ...r, workspaceId, computedAt })));
    }
  });
  await saveResult(
    db,
    workspaceId,
    'affinity',
    options,
    { orders: baskets.length, rules: rules.length },
    jobId,
  );
  return { orders: baskets.length, rules: rules.length, computedAt };
}

export async function listAffinityRules(db: Db, workspaceId: string, limit = 1000) {
  return db
    .select()
    .from(affinityRules)
    .where(eq(affinityRules.workspaceId, workspaceId))
    .orderBy(desc(affinityRules.lift), desc(affinityRules.confidence))
    .limit(limit);
}
