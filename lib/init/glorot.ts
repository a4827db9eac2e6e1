import type { Rng } from '../random/rng.js';
import { uniform } from './uniform.js';

/**
 * Glorot (Xavier) uniform values for a weight [fanOut, fanIn]: U(−a, a), a = gain·√(6/(fanIn+fanOut)).
 * PyTorch Geometric's default for GCNConv and GATConv.
 *
 * @example
 * const w = glorotUniform(64, 1433, new Rng(0));
 */
export function glorotUniform(fanOut: number, fanIn: number, rng: Rng, gain = 1): Float64Array {
  return uniform(fanOut * fanIn, gain * Math.sqrt(6 / (fanIn + fanOut)), rng);
}
