import { dropout } from './dropout.js';
import { relu } from './relu.js';
import { reluBits } from './reluBits.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * dropout(relu(x)), keeping for backward only what it reads. Dropout's backward reads its own
 * mask, not its input, so when dropout is active the ReLU's output is dead once dropped: the ReLU
 * keeps its mask as bits ({@link reluBits}) and its values are freed at once. Inactive (p = 0 or
 * `training` false) it is relu(x). Same values and gradients as the composition.
 *
 * @example
 * const h = reluDropout(z, 0.5, { seed: 7, training: model.training });
 */
export function reluDropout(x: Tensor, p: number, options: { seed: number; training?: boolean }): Tensor {
  if (options?.training === false || p === 0) return dropout(relu(x), p, options);
  const r = reluBits(x);
  const out = dropout(r, p, options);
  r.releaseData();
  return out;
}
