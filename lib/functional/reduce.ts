import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

function reduction(name: 'sum' | 'mean', x: Tensor): Tensor {
  tensorArg(name, 'x', x);
  const out = new Tensor(native()[name](x.handle(name)));
  const n = x.numel;
  // The upstream gradient stays on the device: the op reads it (no host read in a step).
  return record(out, name, [x], (g) => [new Tensor(native().expandScalar(g.handle(name), [...x.shape], name === 'mean' ? 1 / n : 1))]);
}

/**
 * The sum of all elements, as a one-element tensor (deterministic: independent of thread count).
 *
 * @example
 * const total = sum(x).item();
 */
export function sum(x: Tensor): Tensor {
  return reduction('sum', x);
}

/** The mean of all elements, as a one-element tensor. */
export function mean(x: Tensor): Tensor {
  return reduction('mean', x);
}
