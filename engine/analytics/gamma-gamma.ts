import { LOG_BOUND } from './bgnbd';
import { nelderMead } from './nelder-mead';
import { lnGamma } from './special-functions';

/** Repeat customers only: `frequency` > 0 repeat purchases with mean value `averageSpend`. */
export interface SpendSummary {
  frequency: number;
  averageSpend: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** Log-likelihood of one customer's mean spend (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 3). */
export function spendLogLikelihood(params: GammaGammaParams, c: SpendSummary): number {
  const { p, q, gamma } = params;
  const x = c.frequency;
  const m = c.averageSpend;
  return (
    lnGamma(p * x + q) -
    lnGamma(p * x) -
    lnGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x)
  );
}

/** Maximum-likelihood fit on the customers with at least one repeat purchase and a positive spend. */
export function fitGammaGamma(
  sample: readonly SpendSummary[],
): GammaGammaParams & { logLikelihood: number; customers: number; converged: boolean } {
  const used = sample.filter((c) => c.frequency > 0 && c.averageSpend > 0);
  const unpack = (x: number[]): GammaGammaParams => ({
    p: Math.exp(x[0]),
    q: Math.exp(x[1]),
    gamma: Math.exp(x[2]),
  });
  const nll = (x: number[]) => {
    if (x.some((v) => Math.abs(v) > LOG_BOUND)) return Number.POSITIVE_INFINITY;
    const params = unpack(x);
    let sum = 0;
    for (const c of used) sum += spendLogLikelihood(params, c);
    return -sum / used.length;
  };
  const result = nelderMead(nll, [0, 0, 0]);
  return {
    ...unpack(result.x),
    logLikelihood: -result.value * used.length,
    customers: used.length,
    converged: result.converged,
  };
}

/** E[M | p, q, γ, m̄_x, x]: the customer's expected spend per purchase (eq. 5). */
export function expectedSpend(params: GammaGammaParams, c: SpendSummary, populationMean?: number): number {
  const { p, q, gamma } = params;
  if (c.frequency === 0 || c.averageSpend <= 0) return populationMean ?? (p * gamma) / (q - 1);
  return (p * (gamma + c.frequency * c.averageSpend)) / (p * c.frequency + q - 1);
}
