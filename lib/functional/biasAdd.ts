import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { floatArg, rankArg, sameDevice, sameDtype } from './checks.js';

/**
 * x [R, C] + bias [C], broadcast over rows.
 *
 * @example
 * const h = biasAdd(matmul(x, w, { transB: true }), b);
 */
export function biasAdd(x: Tensor, bias: Tensor): Tensor {
  const op = 'biasAdd';
  floatArg(op, 'x', x);
  floatArg(op, 'bias', bias);
  rankArg(op, 'x', x, 2);
  rankArg(op, 'bias', bias, 1);
  sameDtype(op, ['x', x], ['bias', bias]);
  sameDevice(op, ['x', x], ['bias', bias]);
  if (bias.shape[0] !== x.shape[1]) {
    throw new RangeError(`biasAdd: bias ${bias.describe()} does not match the columns of x ${x.describe()}`);
  }
  const out = new Tensor(native().biasAdd(x.handle(op), bias.handle(op)));
  return record(out, op, [x, bias], (g) => [
    x.requiresGrad ? g : null,
    bias.requiresGrad ? new Tensor(native().sumRows(g.handle(op))) : null,
  ]);
}
