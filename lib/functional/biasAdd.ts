import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * x [R, C] + bias [C], broadcast over rows. The native op checks the dtypes, shapes and devices.
 *
 * @example
 * const h = biasAdd(matmul(x, w, { transB: true }), b);
 */
export function biasAdd(x: Tensor, bias: Tensor): Tensor {
  const op = 'biasAdd';
  tensorArg(op, 'x', x);
  tensorArg(op, 'bias', bias);
  const out = new Tensor(native().biasAdd(x.handle(op), bias.handle(op)));
  return record(out, op, [x, bias], (g) => [x.requiresGrad ? g : null, bias.requiresGrad ? new Tensor(native().sumRows(g.handle(op))) : null]);
}
