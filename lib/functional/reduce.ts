import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

function reduction(name: 'sum' | 'mean', x: Tensor): Tensor {
  tensorArg(name, 'x', x);
  const out = new Tensor(native()[name](x.handle(name)));
  const n = x.numel;
  return record(out, name, [x], (g) => {
    const v = g.item() * (name === 'mean' ? 1 / n : 1);
    return [Tensor.full(x.shape, v, { dtype: x.dtype, device: x.device })];
  });
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
