import { describe, expect, it } from 'vitest';
import { forecastSeries } from '../../../engine/analytics/forecast';

const weekly = [12, -4, -6, 0, 3, 9, -14];

describe('forecast', () => {
  it('recovers a known trend and weekly season and forecasts them exactly', () => {
    const truth = (i: number) => 100 + 2.5 * i + weekly[i % 7];
    const values = Array.from({ length: 56 }, (_, i) => truth(i));
    const result = forecastSeries(values, 'day', 14, 7);
    expect(result.season).toBe(7);
    expect(result.trend).toBeCloseTo(2.5, 8);
    // Offsets relative to the season's first day.
    expect(result.seasonal.map((s) => Number(s.toFixed(6)))).toEqual(weekly.map((w) => w - weekly[0]));
    for (const p of result.forecast) expect(p.value).toBeCloseTo(truth(p.index), 6);
    expect(result.mape).toBeLessThan(1e-6);
  });

  it('puts the truth inside the 95 % interval on a noisy series and reports the held-out MAPE', () => {
    // Deterministic noise: a fixed pseudo-random sequence.
    let state = 7;
    const noise = () => {
      state = (state * 48271) % 2147483647;
      return (state / 2147483647 - 0.5) * 10;
    };
    const truth = (i: number) => 500 + 4 * i + weekly[i % 7] * 5;
    const values = Array.from({ length: 140 }, (_, i) => truth(i) + noise());
    const result = forecastSeries(values, 'day', 28, 14);
    expect(result.trend).toBeGreaterThan(3.9);
    expect(result.trend).toBeLessThan(4.1);
    const inside = result.forecast.filter(
      (p) => p.lower <= truth(p.index) && truth(p.index) <= p.upper,
    ).length;
    expect(inside).toBe(28);
    expect(result.mape).not.toBeNull();
    expect(result.mape as number).toBeLessThan(1.5);
    expect(result.forecast.every((p) => p.upper - p.lower > 0)).toBe(true);
  });

  it('fits a trend alone when the history is shorter than two seasons', () => {
    const values = Array.from({ length: 10 }, (_, i) => 3 * i + 1);
    const result = forecastSeries(values, 'month', 2, 2);
    expect(result.season).toBeNull();
    expect(result.forecast[0].value).toBeCloseTo(31, 8);
  });
});
