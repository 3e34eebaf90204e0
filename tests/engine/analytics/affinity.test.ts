import { describe, expect, it } from 'vitest';
import { associationRules } from '../../../engine/analytics/affinity';

/** Han, Kamber & Pei, "Data Mining: Concepts and Techniques", Table 6.1 (AllElectronics). */
const baskets = [
  ['I1', 'I2', 'I5'],
  ['I2', 'I4'],
  ['I2', 'I3'],
  ['I1', 'I2', 'I4'],
  ['I1', 'I3'],
  ['I2', 'I3'],
  ['I1', 'I3'],
  ['I1', 'I2', 'I3', 'I5'],
  ['I1', 'I2', 'I3'],
];

describe('association rules', () => {
  it('derives the textbook rules of {I1, I2, I5} with their confidences (min support 2 of 9)', async () => {
    const rules = await associationRules(baskets, { minSupport: 2 / 9, minConfidence: 0, minLift: 0 });
    const find = (a: string[], c: string[]) =>
      rules.find((r) => r.antecedent.join() === a.join() && r.consequent.join() === c.join());
    expect(find(['I1', 'I2'], ['I5'])?.confidence).toBeCloseTo(2 / 4, 10);
    expect(find(['I1', 'I5'], ['I2'])?.confidence).toBeCloseTo(1, 10);
    expect(find(['I2', 'I5'], ['I1'])?.confidence).toBeCloseTo(1, 10);
    expect(find(['I1'], ['I2', 'I5'])?.confidence).toBeCloseTo(2 / 6, 10);
    expect(find(['I2'], ['I1', 'I5'])?.confidence).toBeCloseTo(2 / 7, 10);
    expect(find(['I5'], ['I1', 'I2'])?.confidence).toBeCloseTo(1, 10);
    const rule = find(['I5'], ['I1', 'I2']);
    expect(rule?.support).toBeCloseTo(2 / 9, 10);
    // lift = confidence / support(I1 ∧ I2) = 1 / (4/9)
    expect(rule?.lift).toBeCloseTo(9 / 4, 10);
    expect(rule?.orders).toBe(2);
  });

  it('keeps only the rules that pass the analyst’s thresholds, strongest lift first', async () => {
    const rules = await associationRules(baskets, { minSupport: 2 / 9, minConfidence: 0.7, minLift: 1.2 });
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.confidence).toBeGreaterThanOrEqual(0.7);
      expect(r.lift).toBeGreaterThanOrEqual(1.2);
    }
    expect(rules.map((r) => r.lift)).toEqual([...rules.map((r) => r.lift)].sort((a, b) => b - a));
    expect(await associationRules([], { minSupport: 0.1, minConfidence: 0, minLift: 0 })).toEqual([]);
  });
});
