import type { Rng } from '../random/rng.js';

/**
 * GNN He initialization (docs/methods.md §3, source 1) of a weight [fanOut, fanIn]:
 * W ~ N(0, C/fanIn). C = C_W = 2/ρ(P_t)² for a layer after a ReLU (2 for normalized operators),
 * C = 1 for the first layer, which sees no ReLU. Biases are 0 (the caller's default).
 *
 * @example
 * const w1 = gnnHe(64, 1433, rng, { first: true });   // C = 1
 * const w = gnnHe(64, 64, rng);                       // C = 2
 */
export function gnnHe(fanOut: number, fanIn: number, rng: Rng, options: { cW?: number; first?: boolean } = {}): Float64Array {
  if (!Number.isInteger(fanOut) || !Number.isInteger(fanIn) || fanOut < 1 || fanIn < 1) {
    throw new RangeError(`gnnHe: fanOut and fanIn must be positive integers, got ${fanOut}×${fanIn}`);
  }
  const cW = options.cW ?? 2;
  if (!(cW > 0 && Number.isFinite(cW))) throw new RangeError(`gnnHe: cW must be a finite number > 0, got ${cW}`);
  const c = options.first ? 1 : cW;
  const std = Math.sqrt(c / fanIn);
  const out = new Float64Array(fanOut * fanIn);
  for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
  return out;
}
