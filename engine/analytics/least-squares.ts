/** Solves A x = b by Gaussian elimination with partial pivoting; A is n×n. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const p = m[col][col];
    if (Math.abs(p) < 1e-12) throw new Error('singular design matrix');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r][col] / p;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) m[r][c] -= factor * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

export interface LinearFit {
  coefficients: number[];
  /** (XᵀX)⁻¹, for the variance of a prediction. */
  inverse: number[][];
  residualSd: number;
  degreesOfFreedom: number;
}

/** Ordinary least squares through the normal equations (small designs: a trend and a season). */
export function ordinaryLeastSquares(x: number[][], y: number[]): LinearFit {
  const p = x[0].length;
  const xtx = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => x.reduce((s, row) => s + row[i] * row[j], 0)),
  );
  const xty = Array.from({ length: p }, (_, i) => x.reduce((s, row, n) => s + row[i] * y[n], 0));
  const coefficients = solve(xtx, xty);
  const inverse = Array.from({ length: p }, (_, j) =>
    solve(
      xtx,
      Array.from({ length: p }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  const sse = x.reduce((s, row, n) => s + (y[n] - dot(row, coefficients)) ** 2, 0);
  const degreesOfFreedom = Math.max(1, y.length - p);
  return { coefficients, inverse, residualSd: Math.sqrt(sse / degreesOfFreedom), degreesOfFreedom };
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Variance factor xᵀ(XᵀX)⁻¹x of a new point. */
export function leverage(fit: LinearFit, row: number[]): number {
  return dot(
    row,
    fit.inverse.map((column) => dot(column, row)),
  );
}
