// Plain-TypeScript float64 references for GCN2Conv, APPNP and the GCNII and APPNP networks,
// built from the dense operators of test/helpers/randomGraph.ts (never from Fathom's kernels).
import { denseMatmul } from '../helpers/randomGraph.js';

/** Bᵀ of a row-major [rows, cols] matrix. */
export function transpose(b: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = b[i * cols + j];
  return t;
}

/** a·x + b·y elementwise. */
export function comb(a: number, x: ArrayLike<number>, b: number, y: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => a * x[i] + b * y[i]);
}

/** (1 − β)·I + β·Wᵀ for W [c, c] stored out×in: the factor GCN2Conv multiplies by on the right. */
export function identityMapping(w: ArrayLike<number>, c: number, beta: number): Float64Array {
  const m = transpose(w, c, c);
  for (let i = 0; i < m.length; i++) m[i] *= beta;
  for (let i = 0; i < c; i++) m[i * c + i] += 1 - beta;
  return m;
}

/**
 * GCN2Conv by its definition: ((1 − α)P̃x + αx₀)((1 − β)I + βWᵀ), or with a second weight
 * (1 − α)P̃x((1 − β)I + βW₁ᵀ) + αx₀((1 − β)I + βW₂ᵀ).
 */
export function gcn2Reference(
  p: Float64Array,
  x: ArrayLike<number>,
  x0: ArrayLike<number>,
  w: ArrayLike<number>,
  w2: ArrayLike<number> | null,
  alpha: number,
  beta: number,
  n: number,
  c: number,
): Float64Array {
  const px = denseMatmul(p, x, n, n, c);
  if (w2 === null) return denseMatmul(comb(1 - alpha, px, alpha, x0), identityMapping(w, c, beta), n, c, c);
  const a = denseMatmul(px, identityMapping(w, c, beta), n, c, c);
  const b = denseMatmul(x0, identityMapping(w2, c, beta), n, c, c);
  return comb(1 - alpha, a, alpha, b);
}

/** K steps of h ← (1 − α)P̃h + αx from h = x. */
export function appnpReference(p: Float64Array, x: ArrayLike<number>, K: number, alpha: number, n: number, c: number): Float64Array {
  let h: Float64Array = Float64Array.from(x);
  for (let k = 0; k < K; k++) h = comb(1 - alpha, denseMatmul(p, h, n, n, c), alpha, x);
  return h;
}

/** Solves A X = B (A [n, n], B [n, c]) by Gaussian elimination with partial pivoting. */
export function solve(a: ArrayLike<number>, b: ArrayLike<number>, n: number, c: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[piv * n + k])) piv = i;
    for (let j = 0; j < n; j++) [m[k * n + j], m[piv * n + j]] = [m[piv * n + j], m[k * n + j]];
    for (let j = 0; j < c; j++) [x[k * c + j], x[piv * c + j]] = [x[piv * c + j], x[k * c + j]];
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / m[k * n + k];
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
      for (let j = 0; j < c; j++) x[i * c + j] -= f * x[k * c + j];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    for (let j = 0; j < c; j++) {
      let s = x[k * c + j];
      for (let i = k + 1; i < n; i++) s -= m[k * n + i] * x[i * c + j];
      x[k * c + j] = s / m[k * n + k];
    }
  }
  return x;
}

/** x Wᵀ + b for W [out, in] (a Linear layer). */
export function linear(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, n: number, fin: number, fout: number): Float64Array {
  const y = denseMatmul(x, transpose(w, fout, fin), n, fin, fout);
  if (b) for (let i = 0; i < n; i++) for (let j = 0; j < fout; j++) y[i * fout + j] += b[j];
  return y;
}

export const reluRef = (x: ArrayLike<number>): Float64Array => Float64Array.from(x, (v) => Math.max(v, 0));
