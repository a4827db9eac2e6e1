import type { Rng } from '../random/rng.js';

/**
 * `count` values drawn from U(−bound, bound).
 *
 * @example
 * const b = uniform(64, 1 / Math.sqrt(1433), new Rng(0));
 */
export function uniform(count: number, bound: number, rng: Rng): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * rng.nextFloat() - 1) * bound;
  return out;
}
