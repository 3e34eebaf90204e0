import { eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { analyticsSettings, events } from '../../db/schema';

const dottedPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^.]+(\.[^.]+)*$/, 'a dotted path such as "revenue" or "order.total"');

export const analyticsSettingsInputSchema = z.object({
  purchaseEvent: z.string().min(1).max(200).describe('The event that records a purchase'),
  revenuePaths: z.array(dottedPath).min(1).max(10).describe('Amount properties, tried in order'),
  productsPath: dottedPath.describe('The line-item array of a purchase'),
  productKey: dottedPath.describe('The field of a line item that names the product'),
});

export type PurchaseSettings = z.infer<typeof analyticsSettingsInputSchema>;

export const DEFAULT_PURCHASE_SETTINGS: PurchaseSettings = {
  purchaseEvent: 'Order Completed',
  revenuePaths: ['revenue', 'total'],
  productsPath: 'products',
  productKey: 'product_id',
};

export async function getPurchaseSettings(db: Db, workspaceId: string): Promise<PurchaseSettings> {
  const [row] = await db
    .select()
    .from(analyticsSettings)
    .where(eq(analyticsSettings.workspaceId, workspaceId));
  if (!row) return DEFAULT_PURCHASE_SETTINGS;
  const { purchaseEvent, revenuePaths, productsPath, productKey } = row;
  return { purchaseEvent, revenuePaths, productsPath, productKey };
}

export async function savePurchaseSettings(
  db: Db,
  workspaceId: string,
  input: PurchaseSettings,
): Promise<PurchaseSettings> {
  const values = analyticsSettingsInputSchema.parse(input);
  await db
    .insert(analyticsSettings)
    .values({ workspaceId, ...values })
    .onConflictDoUpdate({ target: analyticsSettings.workspaceId, set: { ...values, updatedAt: new Date() } });
  return values;
}

const NUMERIC = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';

/** `{"a","b"}`, the text[] path literal of `#>>`. */
export function pathLiteral(dotted: string): string {
  return `{${dotted
    .split('.')
    .map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`)
    .join(',')}}`;
}

/** A jsonb value at a dotted path as a number, null when absent or not numeric. */
export function numberAt(document: SQL, dotted: string): SQL {
  const text = sql`(${document} #>> ${pathLiteral(dotted)}::text[])`;
  return sql`(case when ${text} ~ ${NUMERIC} then (${text})::double precision end)`;
}

/** An order's amount: the first numeric revenue path, else 0. */
export function orderAmount(settings: PurchaseSettings, document: SQL = sql`${events.properties}`): SQL {
  return sql`coalesce(${sql.join(
    settings.revenuePaths.map((p) => numberAt(document, p)),
    sql`, `,
  )}, 0)`;
}
