import type { FeatureMoments } from './featureMoments.js';

/** Scale, μ and mean cosine of docs/methods.md §4, from a matrix's moments. */
export interface MomentStats {
  /** M = ‖Z‖²_F / (N·n). */
  scale: number;
  /** μ(Z) = ‖Z − 1·meanᵀ‖_F. */
  mu: number;
  /** μ(Z)/‖Z‖_F (0 when Z = 0). */
  muNormalized: number;
  /** (‖Σ_i ẑ_i‖² − N′)/(N′(N′−1)) over the N′ nonzero rows (0 when N′ < 2). */
  meanCosine: number;
  /** ‖Z‖_F. */
  norm: number;
}

/**
 * The moment-only statistics, in float64.
 *
 * @example
 * const { mu, meanCosine } = momentStats(featureMoments(z));
 */
export function momentStats(m: FeatureMoments): MomentStats {
  if (!m || typeof m !== 'object' || !(m.mean instanceof Float64Array) || !(m.unitSum instanceof Float64Array)) {
    throw new TypeError('momentStats: argument m must be the result of featureMoments()');
  }
  const { rows, cols } = m;
  const mu2 = m.centeredSumSquares;
  const mu = Math.sqrt(mu2);
  const norm = Math.sqrt(m.sumSquares);
  let unit2 = 0;
  for (const v of m.unitSum) unit2 += v * v;
  const k = m.nonzeroRows;
  return {
    scale: rows * cols > 0 ? m.sumSquares / (rows * cols) : 0,
    mu,
    muNormalized: norm > 0 ? mu / norm : 0,
    meanCosine: k > 1 ? (unit2 - k) / (k * (k - 1)) : 0,
    norm,
  };
}
