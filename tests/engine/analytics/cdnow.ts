import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The CDNOW sample of Fader, Hardie & Lee (2005): 2,357 customers over 39 weeks of calibration,
 * as shipped in PyPI's `lifetimes` 0.11.3 (MIT) at
 * `lifetimes/datasets/cdnow_customers_summary_with_transactions.csv`; columns: repeat purchases
 * `x`, recency `t_x` and age `T` in weeks, mean repeat-purchase value `zbar` in dollars.
 */
export function cdnowSample() {
  const text = readFileSync(
    path.join(import.meta.dirname, '../../fixtures/cdnow-customers-summary.csv'),
    'utf8',
  );
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, x, tx, T, zbar] = line.split(',').map(Number);
      return { frequency: x, recency: tx, age: T, averageSpend: zbar };
    });
}
