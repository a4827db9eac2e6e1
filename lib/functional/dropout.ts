import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg } from './checks.js';

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p).
 * The mask is a pure function of (seed, element index), identical on CPU and CUDA, so a run
 * replays exactly. With `training` false (or p = 0) it is the identity. Constant
 * {@link SparseFeatures} stay sparse: the stored values get the mask dense dropout would give.
 * The native op checks p ∈ [0, 1) and the seed (a non-negative integer) when it runs: FathomError
 * RANGE.
 *
 * @example
 * const h = dropout(x, 0.5, { seed: 42, training: true });
 */
export function dropout(x: Tensor, p: number, options: { seed: number; training?: boolean }): Tensor;
export function dropout(x: SparseFeatures, p: number, options: { seed: number; training?: boolean }): SparseFeatures;
export function dropout(x: Tensor | SparseFeatures, p: number, options: { seed: number; training?: boolean }): Tensor | SparseFeatures;
export function dropout(x: Tensor | SparseFeatures, p: number, options: { seed: number; training?: boolean }): Tensor | SparseFeatures {
  const op = 'dropout';
  if (!(x instanceof SparseFeatures)) tensorArg(op, 'x', x);
  numberArg(op, 'p', p);
  const seed = numberArg(op, 'seed', options?.seed);
  if (options.training === false || p === 0) return x;
  if (x instanceof SparseFeatures) return x.dropout(p, seed);
  const [outHandle, maskHandle] = native().dropout(x.handle(op), p, seed);
  const out = new Tensor(outHandle);
  const mask = new Tensor(maskHandle);
  record(out, op, [x], (g) => [new Tensor(native().dropoutBackward(g.handle(op), mask.handle(op), p))]);
  // Without a recorded backward nothing will read the mask again.
  if (!out.gradFn) mask.dispose();
  return out;
}
