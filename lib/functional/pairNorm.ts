import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg } from './checks.js';

export interface PairNormOptions {
  /** s in docs/methods.md §2.5 (default 1). */
  scale?: number;
  /** PN-SI: normalize each centered row by its own norm instead of the mean row norm (default false). */
  scaleIndividually?: boolean;
  /** Added under the square root so all-equal rows (a fully over-smoothed input) give 0, not NaN (default 1e-5, as PyG). */
  eps?: number;
}

/**
 * PairNorm (docs/methods.md §2.5): centers the rows of x [N, F] and rescales them so the mean squared
 * row norm is s² (PN), or every row has norm s (PN-SI). One native kernel each way; reductions
 * are deterministic. The native op checks x (f32 or f64, 2-D), scale (finite, > 0) and eps
 * (finite, ≥ 0).
 *
 * @example
 * const h = pairNorm(x, { scale: 1 });                          // PN
 * const hi = pairNorm(x, { scaleIndividually: true });          // PN-SI
 */
export function pairNorm(x: Tensor, options: PairNormOptions = {}): Tensor {
  const op = 'pairNorm';
  tensorArg(op, 'x', x);
  const s = numberArg(op, 'scale', options.scale ?? 1);
  const eps = numberArg(op, 'eps', options.eps ?? 1e-5);
  const si = options.scaleIndividually ?? false;
  const out = new Tensor(native().pairNorm(x.handle(op), s, eps, si));
  // The backward recomputes the centering from x, which the graph keeps alive anyway.
  return record(out, op, [x], (g) => [new Tensor(native().pairNormBackward(g.handle(op), x.handle(op), s, eps, si))]);
}
