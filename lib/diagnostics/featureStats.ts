import { Tensor } from '../tensor/Tensor.js';
import { featureMoments } from './featureMoments.js';
import { momentStats } from './momentStats.js';

/** Per-layer feature diagnostics of docs/methods.md §4. */
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
 * Feature scale, mean cosine and similarity μ of a representation Z [N, n], accumulated in
 * float64 by one native pass on Z's device (diagnostics must not inherit the rounding of an f32
 * model); see featureMoments() for the moments behind them.
 *
 * @example
 * const { scale, meanCosine } = featureStats(z);
 */
export function featureStats(z: Tensor): FeatureStats {
  if (!(z instanceof Tensor)) throw new TypeError('featureStats: argument z must be a Tensor');
  if (z.shape.length !== 2) throw new RangeError(`featureStats: z must be 2-D [N, n], got ${z.describe()}`);
  const [n, f] = z.shape;
  if (n < 2 || f < 1) throw new RangeError(`featureStats: z must have at least 2 rows and 1 column, got ${z.describe()}`);
  const { scale, meanCosine, mu, muNormalized } = momentStats(featureMoments(z));
  return { scale, meanCosine, mu, muNormalized };
}
