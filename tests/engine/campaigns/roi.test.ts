import { describe, expect, it } from 'vitest';
import { budgetState, returnOnSpend } from '../../../engine/campaigns/roi';
import { normalCdf, twoProportionZTest } from '../../../engine/campaigns/significance';

describe('ROI and ROAS', () => {
  it('cost 1000, revenue 2000 → ROI 100 %, ROAS 200 %', () => {
    expect(returnOnSpend(2000, 1000)).toEqual({ roi: 1, roas: 2 });
  });

  it('a loss is a negative ROI and a ROAS below 100 %', () => {
    expect(returnOnSpend(500, 1000)).toEqual({ roi: -0.5, roas: 0.5 });
  });

  it('no cost, no ratio', () => {
    expect(returnOnSpend(100, 0)).toEqual({ roi: null, roas: null });
  });

  it('warns below a fifth of the budget and when it is spent', () => {
    expect(budgetState(1000, 700).warning).toBe(null);
    expect(budgetState(1000, 850)).toEqual({
      budget: 1000,
      spent: 850,
      remaining: 150,
      warning: 'running-out',
    });
    expect(budgetState(1000, 1000).warning).toBe('exhausted');
  });
});

describe('two-proportion z-test', () => {
  it('matches a hand-computed example', () => {
    // 120 of 1000 against 90 of 1000: pooled p = 210/2000 = 0.105,
    // se = sqrt(0.105 · 0.895 · (1/1000 + 1/1000)) = sqrt(0.000187950) = 0.0137095,
    // z = (0.12 − 0.09) / 0.0137095 = 2.18827, two-sided p = 2 · (1 − Φ(2.18827)) = 0.02865.
    const result = twoProportionZTest(120, 1000, 90, 1000)!;
    expect(result.z).toBeCloseTo(2.18827, 4);
    expect(result.pValue).toBeCloseTo(0.02865, 4);
  });

  it('the normal CDF hits its table values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('no data, no test', () => {
    expect(twoProportionZTest(0, 0, 1, 10)).toBe(null);
  });
});
