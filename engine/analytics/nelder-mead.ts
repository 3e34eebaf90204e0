export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when the simplex's values and points differ by less than this. */
  tolerance?: number;
  /**
   * Stop when the best value improved by less than `tolerance` (relative) over this many
   * iterations: on a flat likelihood the simplex would otherwise drift for ever.
   */
  stallIterations?: number;
  /** Initial step per coordinate. */
  step?: number;
  onIteration?: (iteration: number, value: number) => void;
}

/**
 * Nelder-Mead downhill simplex (standard coefficients 1, 2, ½, ½), restarted once from its own
 * optimum so a collapsed simplex cannot stop it short. Deterministic: no randomness. Written
 * here because the likelihoods we fit have 3–4 parameters and need nothing more, and the
 * maintained optimizer packages bring far more than this.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  let result = simplexRun(f, start, options);
  const again = simplexRun(f, result.x, options);
  if (again.value <= result.value) result = { ...again, iterations: result.iterations + again.iterations };
  return result;
}

function simplexRun(f: (x: number[]) => number, start: number[], options: MinimizeOptions): MinimizeResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 5000;
  const stallIterations = options.stallIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-10;
  const step = options.step ?? 0.1;
  const safe = (x: number[]) => {
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  let points = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] = p[i] === 0 ? step : p[i] + step * Math.max(1, Math.abs(p[i]));
    points.push(p);
  }
  let values = points.map(safe);
  let iteration = 0;
  let checkpoint = { iteration: 0, value: Number.POSITIVE_INFINITY };
  for (; iteration < maxIterations; iteration++) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    points = order.map((i) => points[i]);
    values = order.map((i) => values[i]);
    options.onIteration?.(iteration, values[0]);
    const spreadValue = Math.abs(values[n] - values[0]);
    const spreadPoint = Math.max(
      ...points.slice(1).map((p) => Math.max(...p.map((v, j) => Math.abs(v - points[0][j])))),
    );
    if (spreadValue <= tolerance * (Math.abs(values[0]) + tolerance) && spreadPoint <= 1e-8) {
      return { x: points[0], value: values[0], iterations: iteration, converged: true };
    }
    if (iteration - checkpoint.iteration >= stallIterations) {
      if (checkpoint.value - values[0] <= tolerance * (Math.abs(values[0]) + tolerance)) {
        return { x: points[0], value: values[0], iterations: iteration, converged: false };
      }
      checkpoint = { iteration, value: values[0] };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += points[i][j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (points[n][j] - c));
    const reflected = along(-1);
    const fr = safe(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = safe(expanded);
      if (fe < fr) [points[n], values[n]] = [expanded, fe];
      else [points[n], values[n]] = [reflected, fr];
    } else if (fr < values[n - 1]) {
      [points[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = safe(contracted);
      if (fc < Math.min(fr, values[n])) {
        [points[n], values[n]] = [contracted, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          points[i] = points[i].map((v, j) => points[0][j] + 0.5 * (v - points[0][j]));
          values[i] = safe(points[i]);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: points[best], value: values[best], iterations: iteration, converged: false };
}
