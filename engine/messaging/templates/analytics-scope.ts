import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../../db';
import { affinityRules, analyticsSettings, events } from '../../../db/schema';
import { type AnalyticsProfile, loadAnalyticsProfile } from '../../audience/conditions/analytics';

export interface TemplateAnalytics extends AnalyticsProfile {
  /** Products the rules suggest for this contact, strongest lift first, none already bought. */
  recommendations: string[];
  /** For each product the contact bought: the products often bought with it. */
  boughtTogether: Record<string, string[]>;
  /**
   * For every product of a one-product rule, the products often bought with it (the `bought_with`
   * filter): read on the first use in a render, so sends whose templates never ask cost nothing.
   */
  productPairs: () => Promise<Record<string, string[]>>;
}

type Row = { product: string; source: string | null };

/**
 * What templates see of the analytics results: `contact.rfm`, `contact.clv`, `contact.cluster`,
 * `recommendations` and `bought_together`. Read from the results tables only.
 */
export async function loadTemplateAnalytics(
  db: Db,
  workspaceId: string,
  contactId: string,
  limit = 5,
): Promise<TemplateAnalytics> {
  const profile = await loadAnalyticsProfile(db, workspaceId, contactId);
  const settings = sql`(select coalesce((select ${analyticsSettings.purchaseEvent} from ${analyticsSettings} where ${analyticsSettings.workspaceId} = ${workspaceId}), 'Order Completed'))`;
  const productsPath = sql`(select coalesce((select ${analyticsSettings.productsPath} from ${analyticsSettings} where ${analyticsSettings.workspaceId} = ${workspaceId}), 'products'))`;
  const productKey = sql`(select coalesce((select ${analyticsSettings.productKey} from ${analyticsSettings} where ${analyticsSettings.workspaceId} = ${workspaceId}), 'product_id'))`;
  const result = await db.execute(sql`
    with bought as (
      select distinct item #>> string_to_array(${productKey}, '.') as product
      from ${events}, jsonb_array_elements(
        case when jsonb_typeof(${events.properties} #> string_to_array(${productsPath}, '.')) = 'array'
             then ${events.properties} #> string_to_array(${productsPath}, '.') else '[]'::jsonb end) as item
      where ${events.workspaceId} = ${workspaceId} and ${events.contactId} = ${contactId} and ${events.name} = ${settings}
    ), owned as (select coalesce(array_agg(product), '{}') as products from bought where product is not null),
    suggested as (
      select c.product, max(${affinityRules.lift}) as lift, null::text as source
      from ${affinityRules}, owned, unnest(${affinityRules.consequent}) as c(product)
      where ${affinityRules.workspaceId} = ${workspaceId} and ${affinityRules.antecedent} <@ owned.products
        and not (c.product = any(owned.products))
      group by c.product order by lift desc, c.product limit ${limit}
    ), pairs as (
      select c.product, ${affinityRules.antecedent}[1] as source, max(${affinityRules.lift}) as lift
      from ${affinityRules}, owned, unnest(${affinityRules.consequent}) as c(product)
      where ${affinityRules.workspaceId} = ${workspaceId} and cardinality(${affinityRules.antecedent}) = 1
        and ${affinityRules.antecedent}[1] = any(owned.products)
      group by c.product, ${affinityRules.antecedent}[1]
    )
    select product, source from suggested
    union all
    select product, source from (select product, source from pairs order by source, lift desc, product) p`);
  const rows = rowsOf<Row>(result);
  const boughtTogether: Record<string, string[]> = {};
  for (const row of rows) {
    if (row.source === null) continue;
    const list = boughtTogether[row.source] ?? [];
    if (list.length < limit) list.push(row.product);
    boughtTogether[row.source] = list;
  }
  return {
    ...profile,
    recommendations: rows.filter((r) => r.source === null).map((r) => r.product),
    boughtTogether,
    productPairs: once(() => productPairs(db, workspaceId, limit)),
  };
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/**
 * Every one-product rule as product → the products bought with it, strongest lift first, so a
 * template can ask about any product (one in the event, an item of a cart) at render time.
 */
async function productPairs(db: Db, workspaceId: string, limit: number): Promise<Record<string, string[]>> {
  const result = await db.execute(sql`
    select ${affinityRules.antecedent}[1] as source, c.product, max(${affinityRules.lift}) as lift
    from ${affinityRules}, unnest(${affinityRules.consequent}) as c(product)
    where ${affinityRules.workspaceId} = ${workspaceId} and cardinality(${affinityRules.antecedent}) = 1
    group by 1, 2 order by 1, 3 desc, 2`);
  const pairs: Record<string, string[]> = {};
  for (const row of rowsOf<Row>(result)) {
    const list = pairs[row.source as string] ?? [];
    if (list.length < limit) list.push(row.product);
    pairs[row.source as string] = list;
  }
  return pairs;
}
