import type { Rng } from '../random/rng.js';

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or orthonormal columns
 * (rows > cols), times `gain`: Gram–Schmidt (twice, for stability) on a Gaussian matrix, as
 * PyTorch's `orthogonal_` up to the sign convention.
 *
 * @example
 * const u = orthogonal(32, 64, new Rng(0));   // 32 orthonormal rows of length 64
 */
export function orthogonal(rows: number, cols: number, rng: Rng, gain = 1): Float64Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`orthogonal: rows and cols must be positive integers, got ${rows}×${cols}`);
  }
  // Orthonormalize the shorter side: vectors of length `len`, `count` of them.
  const transpose = rows > cols;
  const count = transpose ? cols : rows;
  const len = transpose ? rows : cols;
  const v = new Float64Array(count * len);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  for (let i = 0; i < count; i++) {
    const vi = v.subarray(i * len, (i + 1) * len);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const vj = v.subarray(j * len, (j + 1) * len);
        let d = 0;
        for (let k = 0; k < len; k++) d += vi[k] * vj[k];
        for (let k = 0; k < len; k++) vi[k] -= d * vj[k];
      }
    }
    let n = 0;
    for (let k = 0; k < len; k++) n += vi[k] * vi[k];
    n = Math.sqrt(n);
    if (!(n > 1e-12)) throw new RangeError('orthogonal: degenerate random draw (retry with another seed)');
    for (let k = 0; k < len; k++) vi[k] /= n;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < len; k++) {
      if (transpose) out[k * cols + i] = gain * v[i * len + k];
      else out[i * cols + k] = gain * v[i * len + k];
    }
  }
  return out;
}
