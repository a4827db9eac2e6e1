import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * Row-wise log-softmax of a 2-D tensor (max-subtracted, stable for large logits).
 *
 * @example
 * const logp = logSoftmax(logits);
 */
export function logSoftmax(x: Tensor): Tensor {
  const op = 'logSoftmax';
  tensorArg(op, 'x', x);
  const out = new Tensor(native().logSoftmax(x.handle(op)));
  return record(out, op, [x], (g) => [new Tensor(native().logSoftmaxBackward(g.handle(op), out.handle(op)))]);
}
