import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * max(x, 0), elementwise. The backward keeps only the output (its sign is the mask).
 *
 * @example
 * const h = relu(conv.forward(x, graph));
 */
export function relu(x: Tensor): Tensor {
  const op = 'relu';
  tensorArg(op, 'x', x);
  const out = new Tensor(native().relu(x.handle(op)));
  return record(out, op, [x], (g) => [new Tensor(native().reluBackward(g.handle(op), out.handle(op)))]);
}
