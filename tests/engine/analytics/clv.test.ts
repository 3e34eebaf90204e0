import { describe, expect, it } from 'vitest';
import { expectedPurchases, fitBgNbd, probabilityAlive } from '../../../engine/analytics/bgnbd';
import { customerLifetimeValue } from '../../../engine/analytics/clv';
import { expectedSpend, fitGammaGamma } from '../../../engine/analytics/gamma-gamma';
import { cdnowSample } from './cdnow';

const within = (actual: number, expected: number, tolerance = 0.01) =>
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);

describe('CLTV formula', () => {
  it('sums M/(1+r)^t over t = 1..T as written: 3790.79 for M = 1000, r = 10 %, T = 5', () => {
    expect(customerLifetimeValue({ margin: 1000, rate: 0.1, periods: 5 })).toBeCloseTo(3790.79, 2);
  });

  it('leaves the first payment undiscounted on request: 4169.87, the seed example', () => {
    expect(
      customerLifetimeValue({ margin: 1000, rate: 0.1, periods: 5, convention: 'first-undiscounted' }),
    ).toBeCloseTo(4169.87, 2);
  });

  it('takes one margin per period', () => {
    expect(customerLifetimeValue({ margin: [110, 121], rate: 0.1 })).toBeCloseTo(200, 10);
  });
});

describe('BG/NBD and Gamma-Gamma on the CDNOW sample', () => {
  const sample = cdnowSample();

  it('holds 2,357 customers', () => {
    expect(sample).toHaveLength(2357);
  });

  it('fits r = 0.243, α = 4.414, a = 0.793, b = 2.426 (Fader, Hardie & Lee 2005) within 1 %', () => {
    const fit = fitBgNbd(sample);
    within(fit.r, 0.243);
    within(fit.alpha, 4.414);
    within(fit.a, 0.793);
    within(fit.b, 2.426);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 0);
  });

  it('fits the Gamma-Gamma spend model to p ≈ 6.25, q ≈ 3.74, γ ≈ 15.44 within 1 %', () => {
    const fit = fitGammaGamma(sample);
    expect(fit.customers).toBe(946);
    within(fit.p, 6.25);
    within(fit.q, 3.74);
    within(fit.gamma, 15.44);
  });

  it('predicts purchases and P(alive) as the paper does for a customer with x = 2, t_x = 30.43, T = 38.86', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const customer = { frequency: 2, recency: 30.43, age: 38.86 };
    // The paper's worked example: 1.226 expected purchases in the next 39 weeks.
    within(expectedPurchases(params, customer, 39), 1.226, 0.005);
    // A one-time buyer is certainly alive under BG/NBD; a quiet frequent buyer much less so.
    expect(probabilityAlive(params, { frequency: 0, recency: 0, age: 38.86 })).toBe(1);
    expect(probabilityAlive(params, { frequency: 10, recency: 5, age: 38.86 })).toBeLessThan(0.1);
    const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
    // Shrinks a customer's own mean toward the population mean p·γ/(q−1).
    const mean = (spend.p * spend.gamma) / (spend.q - 1);
    const e = expectedSpend(spend, { frequency: 2, averageSpend: 100 });
    expect(e).toBeGreaterThan(mean);
    expect(e).toBeLessThan(100);
  });
});
