import { Tensor } from '../tensor/Tensor.js';

/** Per-layer feature diagnostics of METHODS.md §4. */
export interface FeatureStats {
  /** M = ‖Z‖²_F / (N·n). */
  scale: number;
  /** (‖Σ_i x̂_i‖² − N) / (N(N−1)), x̂_i = x_i/‖x_i‖; zero rows are left out (they have no direction). */
  meanCosine: number;
  /** μ(Z) = ‖Z − 1·meanᵀ‖_F. */
  mu: number;
  /** μ(Z)/‖Z‖_F (0 when Z = 0). */
  muNormalized: number;
}

/**
 * Feature scale, mean cosine and similarity μ of a representation Z [N, n], computed on the host
 * in float64 (diagnostics must not inherit the rounding of an f32 model).
 *
 * @example
 * const { scale, meanCosine } = featureStats(z);
 */
export function featureStats(z: Tensor): FeatureStats {
  if (!(z instanceof Tensor)) throw new TypeError('featureStats: argument z must be a Tensor');
  if (z.shape.length !== 2) throw new RangeError(`featureStats: z must be 2-D [N, n], got ${z.describe()}`);
  const [n, f] = z.shape;
  if (n < 2 || f < 1) throw new RangeError(`featureStats: z must have at least 2 rows and 1 column, got ${z.describe()}`);
  const x = z.toArray();
  const mean = new Float64Array(f);
  const unitSum = new Float64Array(f);
  let sq = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < f; j++) {
      const v = x[i * f + j];
      r += v * v;
      mean[j] += v / n;
    }
    sq += r;
    if (r > 0) {
      rows++;
      const inv = 1 / Math.sqrt(r);
      for (let j = 0; j < f; j++) unitSum[j] += x[i * f + j] * inv;
    }
  }
  let centered = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) centered += (x[i * f + j] - mean[j]) ** 2;
  let s2 = 0;
  for (const v of unitSum) s2 += v * v;
  const mu = Math.sqrt(centered);
  return {
    scale: sq / (n * f),
    meanCosine: rows > 1 ? (s2 - rows) / (rows * (rows - 1)) : 0,
    mu,
    muNormalized: sq > 0 ? mu / Math.sqrt(sq) : 0,
  };
}
