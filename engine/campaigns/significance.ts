/**
 * Two-proportion z-test: is rate a (xa of na) different from rate b (xb of nb)? Uses the pooled
 * proportion for the standard error; the p-value is two-sided.
 */
export function twoProportionZTest(
  xa: number,
  na: number,
  xb: number,
  nb: number,
): { z: number; pValue: number } | null {
  if (na === 0 || nb === 0) return null;
  const pooled = (xa + xb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (xa / na - xb / nb) / se;
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Standard normal CDF (Abramowitz and Stegun 26.2.17, error below 7.5e-8). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const d = 0.3989422804014327 * Math.exp((-x * x) / 2);
  const tail =
    d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return x >= 0 ? 1 - tail : tail;
}
