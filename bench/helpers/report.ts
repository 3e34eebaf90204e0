/**
 * What every benchmark shares with `npm run bench`: how many runs to make, and one result line
 * per measure, a ratio against a baseline measured in the same run. `bench/run-all.ts` collects
 * the `BENCH_RESULT` lines and prints min / median / max of each ratio.
 */

import os from 'node:os';

/** Prefix of the one line per measure that `bench/run-all.ts` reads. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface BenchResult {
  /** Short name of the measure, e.g. `journey throughput`. */
  name: string;
  /** What the measure and its baseline are, in words. */
  baseline: string;
  unit: string;
  /** The measure in each run. */
  values: number[];
  /** The baseline in the same runs. */
  baselineValues: number[];
  /** The goal for the ratio value ÷ baseline, when the product has one: `≥ atLeast` (throughput) or `≤ atMost` (time). */
  target?: { atLeast?: number; atMost?: number };
  /** One line on an absolute budget or anything the ratio does not say, shown in the summary table. */
  note?: string;
  /** Anything else worth keeping (peak RSS, sizes, …). */
  extra?: Record<string, unknown>;
}

/** Runs per benchmark: `BENCH_RUNS`, else 2 with `BENCH_QUICK=1`, else `fallback` (≥ 5 for `npm run bench`). */
export function benchRuns(fallback = 5): number {
  const fromEnv = Number(process.env.BENCH_RUNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return process.env.BENCH_QUICK === '1' ? 2 : fallback;
}

export function isQuick(): boolean {
  return process.env.BENCH_QUICK === '1';
}

/** value ÷ baseline per run. */
export function ratios(result: Pick<BenchResult, 'values' | 'baselineValues'>): number[] {
  return result.values.map((value, i) => value / result.baselineValues[i]);
}

/** The target in words, and whether the median ratio meets it. */
export function targetText(result: BenchResult, median: number): string {
  const { atLeast, atMost } = result.target ?? {};
  if (atLeast !== undefined) return `≥ ${atLeast} (${median >= atLeast ? 'met' : 'not met'})`;
  if (atMost !== undefined) return `≤ ${atMost} (${median <= atMost ? 'met' : 'not met'})`;
  return '';
}

export function summary(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Prints the human summary and the machine line `bench/run-all.ts` reads. */
export function reportResult(result: BenchResult): void {
  const r = summary(ratios(result));
  const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(2));
  const target = targetText(result, r.median);
  console.log(
    `${result.name}: ${result.values.map(fmt).join(', ')} ${result.unit} against ${result.baselineValues.map(fmt).join(', ')} (${result.baseline}); ratio min ${r.min.toFixed(2)} / median ${r.median.toFixed(2)} / max ${r.max.toFixed(2)}${target ? `, target ${target}` : ''}${result.note ? `; ${result.note}` : ''}`,
  );
  console.log(RESULT_PREFIX + JSON.stringify({ ...result, ratio: r }));
}

/** The machine's load average over 1, 5 and 15 minutes, as `1.2 / 3.4 / 5.6`: say it with every number. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}
