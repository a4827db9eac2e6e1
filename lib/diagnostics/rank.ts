import { requireArrayLike } from '../errors/args.js';

/** Rank diagnostics of a feature matrix (docs/methods.md §4, "rank"). */
export interface RankReport {
  /** Singular values, descending. */
  singularValues: Float64Array;
  /** Number of σ_i > 1e-6·σ_1 (0 for a zero matrix). */
  numericalRank: number;
  /** exp(−Σ p_i log p_i) with p = σ/Σσ (0 for a zero matrix). */
  effectiveRank: number;
  /** σ₂/σ₁ (0 when σ₁ = 0 or there is one column). */
  sigmaRatio: number;
}

/**
 * Eigenvalues and eigenvectors of a symmetric n×n matrix (row-major, f64) by cyclic Jacobi
 * rotations: slow (O(n³) per sweep) but accurate to rounding, which the rank tests need for
 * σ₂/σ₁ ratios down to 1e-6. Meant for n up to a few hundred. Returns eigenvalues descending
 * and the matching eigenvectors as the columns of an n×n row-major matrix.
 *
 * @example
 * const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);   // [3, 1]
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  requireArrayLike('symmetricEigen', 'matrix', matrix);
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: matrix has ${matrix.length} values, expected ${n}×${n}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, the stable tan formula).
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/**
 * Singular values of X [rows, cols] (row-major, f64 or f32 values), the numerical rank
 * (σ_i > 1e-6·σ_1), the effective rank exp(−Σ p log p) with p = σ/Σσ, and σ₂/σ₁.
 * σ_i = √λ_i(XᵀX) by Jacobi on the cols×cols Gram (or the rows×rows one when smaller): meant
 * for narrow feature matrices (widths up to a few hundred).
 *
 * @example
 * const r = rankDiagnostics(h.toArray(), n, width);
 * console.log(r.sigmaRatio, r.effectiveRank);
 */
export function rankDiagnostics(x: ArrayLike<number>, rows: number, cols: number): RankReport {
  requireArrayLike('rankDiagnostics', 'x', x);
  if (x.length !== rows * cols) throw new RangeError(`rankDiagnostics: x has ${x.length} values, expected ${rows}×${cols}`);
  const m = Math.min(rows, cols);
  const gram = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let s = 0;
      if (cols <= rows) for (let r = 0; r < rows; r++) s += x[r * cols + i] * x[r * cols + j];
      else for (let c = 0; c < cols; c++) s += x[i * cols + c] * x[j * cols + c];
      gram[i * m + j] = gram[j * m + i] = s;
    }
  }
  const singularValues = symmetricEigen(gram, m).values.map((l) => Math.sqrt(Math.max(l, 0)));
  const s1 = singularValues[0] ?? 0;
  if (!(s1 > 0)) return { singularValues, numericalRank: 0, effectiveRank: 0, sigmaRatio: 0 };
  const numericalRank = singularValues.filter((s) => s > 1e-6 * s1).length;
  const total = singularValues.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const s of singularValues) if (s > 0) entropy -= (s / total) * Math.log(s / total);
  return { singularValues, numericalRank, effectiveRank: Math.exp(entropy), sigmaRatio: m > 1 ? singularValues[1] / s1 : 0 };
}
