import { nelderMead } from './nelder-mead';
import { hyp2f1, lnBeta, lnGamma } from './special-functions';

/** A customer's purchase history in the shape both models read (any one time unit). */
export interface PurchaseSummary {
  /** Repeat purchases: purchases after the first. */
  frequency: number;
  /** Age of the customer at their last purchase (0 with no repeat purchase). */
  recency: number;
  /** Age of the customer at the end of the observation period. */
  age: number;
}

/** |ln θ| ≤ 12 for every fitted parameter: θ between 6·10⁻⁶ and 1.6·10⁵. */
export const LOG_BOUND = 12;

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Log-likelihood of one customer under BG/NBD (Fader, Hardie & Lee 2005, eq. 3), summed by
 * `bgNbdLogLikelihood` over a sample.
 */
export function customerLogLikelihood(p: BgNbdParams, c: PurchaseSummary): number {
  const { r, alpha, a, b } = p;
  const x = c.frequency;
  const a1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const a2 = lnBeta(a, b + x) - lnBeta(a, b);
  const a3 = -(r + x) * Math.log(alpha + c.age);
  if (x === 0) return a1 + a2 + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + c.recency);
  const max = Math.max(a3, a4);
  return a1 + a2 + max + Math.log(Math.exp(a3 - max) + Math.exp(a4 - max));
}

export function bgNbdLogLikelihood(p: BgNbdParams, sample: readonly PurchaseSummary[]): number {
  let sum = 0;
  for (const c of sample) sum += customerLogLikelihood(p, c);
  return sum;
}

/** Maximum-likelihood fit (Nelder-Mead on the logs of the four parameters, which keeps them positive). */
export function fitBgNbd(
  sample: readonly PurchaseSummary[],
  onIteration?: (iteration: number) => void,
): BgNbdParams & { logLikelihood: number; converged: boolean } {
  const unpack = (x: number[]): BgNbdParams => ({
    r: Math.exp(x[0]),
    alpha: Math.exp(x[1]),
    a: Math.exp(x[2]),
    b: Math.exp(x[3]),
  });
  const meanAge = sample.reduce((s, c) => s + c.age, 0) / Math.max(1, sample.length);
  // A box keeps degenerate histories (no visible drop-out, no heterogeneity) from sending the
  // parameters to infinity, where the predictions lose all precision.
  const inBox = (x: number[]) => x.every((v) => Math.abs(v) <= LOG_BOUND);
  const result = nelderMead(
    (x) => (inBox(x) ? -bgNbdLogLikelihood(unpack(x), sample) / sample.length : Number.POSITIVE_INFINITY),
    [0, Math.log(Math.max(meanAge, 1e-3)), 0, 0],
    {
      onIteration: onIteration && ((i) => onIteration(i)),
    },
  );
  return { ...unpack(result.x), logLikelihood: -result.value * sample.length, converged: result.converged };
}

/** P(alive | x, t_x, T) (Fader, Hardie & Lee 2005, eq. 11). */
export function probabilityAlive(p: BgNbdParams, c: PurchaseSummary): number {
  if (c.frequency === 0) return 1;
  const { r, alpha, a, b } = p;
  const x = c.frequency;
  const ratio = (a / (b + x - 1)) * ((alpha + c.age) / (alpha + c.recency)) ** (r + x);
  return 1 / (1 + ratio);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units (eq. 10). */
export function expectedPurchases(p: BgNbdParams, c: PurchaseSummary, t: number): number {
  const { r, alpha, a, b } = p;
  const x = c.frequency;
  const z = t / (alpha + c.age + t);
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, z);
  const numerator =
    ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + c.age) / (alpha + c.age + t)) ** (r + x) * hyp);
  const denominator = x > 0 ? 1 + (a / (b + x - 1)) * ((alpha + c.age) / (alpha + c.recency)) ** (r + x) : 1;
  const value = numerator / denominator;
  if (Number.isFinite(value) && value >= 0) return value;
  // Where the series loses precision (extreme parameters): a live customer's expected rate over
  // the horizon times P(alive). It ignores drop-out during the horizon, so it is an upper bound.
  return probabilityAlive(p, c) * ((r + x) / (alpha + c.age)) * t;
}
