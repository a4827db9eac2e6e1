import { requireArrayLike } from '../errors/args.js';

/**
 * Eigenvalues (descending) of a symmetric n×n matrix, row-major, in float64: Householder
 * reduction to tridiagonal form, then the implicit QL iteration (Numerical Recipes' tred2 /
 * tqli without the eigenvectors). O(n³) with a small constant: a 256×256 Gram takes
 * milliseconds, where the Jacobi sweeps of {@link symmetricEigen} take seconds; absolute errors
 * are ~n·ε·‖A‖, enough for the rank diagnostics' 1e-6 threshold on singular values
 * (1e-12 on the Gram's eigenvalues). gramSpectrum() prefers the addon's LAPACK dsyevd (about
 * 4× faster at n = 64) and falls back to this where the build has no LAPACK.
 *
 * @example
 * symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2);   // Float64Array [3, 1]
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): Float64Array {
  requireArrayLike('symmetricEigenvalues', 'matrix', matrix);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigenvalues: n must be a non-negative integer, got ${n}`);
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigenvalues: matrix has ${matrix.length} values, expected ${n}×${n}`);
  const a = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(a, n, d, e);
  tridiagonalQL(d, e, n);
  return d.sort().reverse();
}

// Householder: a becomes garbage, d the diagonal and e[1..] the sub-diagonal (e[0] = 0).
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[i * n + k]);
      if (scale === 0) {
        e[i] = a[i * n + l];
      } else {
        for (let k = 0; k <= l; k++) {
          a[i * n + k] /= scale;
          h += a[i * n + k] * a[i * n + k];
        }
        let f = a[i * n + l];
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          let gj = 0;
          for (let k = 0; k <= j; k++) gj += a[j * n + k] * a[i * n + k];
          for (let k = j + 1; k <= l; k++) gj += a[k * n + j] * a[i * n + k];
          e[j] = gj / h;
          f += e[j] * a[i * n + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = a[i * n + j];
          e[j] -= hh * fj;
          const gj = e[j];
          for (let k = 0; k <= j; k++) a[j * n + k] -= fj * e[k] + gj * a[i * n + k];
        }
      }
    } else {
      e[i] = a[i * n + l];
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
}

// Implicit QL with Wilkinson shifts on the tridiagonal (d, e); d receives the eigenvalues.
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter === 60) throw new RangeError('symmetricEigenvalues: the QL iteration did not converge (non-finite input?)');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        f = 0;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
