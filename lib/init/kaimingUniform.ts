import type { Rng } from '../random/rng.js';
import { uniform } from './uniform.js';

/**
 * PyTorch's default for `Linear`: kaiming_uniform with a = √5, i.e. U(−b, b) with
 * b = 1/√fanIn, for the weight [fanOut, fanIn]. PyTorch draws the bias from the same bound.
 *
 * @example
 * const w = kaimingUniform(7, 64, new Rng(0));
 */
export function kaimingUniform(fanOut: number, fanIn: number, rng: Rng): Float64Array {
  return uniform(fanOut * fanIn, 1 / Math.sqrt(Math.max(1, fanIn)), rng);
}
