import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * Softmax of per-entry logits over each CSR row of `op`, i.e. over every target node's
 * in-entries (its neighbourhood under that operator), max-subtracted so large logits stay
 * finite. `logits` is [nnz] or [nnz, H] (H heads, each normalized on its own), in the
 * operator's entry order; the result has the same shape. Rows without entries stay empty.
 * The native op checks the dtype, the shape against the operator's nnz and the device.
 *
 * @example
 * const op = graph.operator('gin');                       // N(i) ∪ {i}
 * const alpha = edgeSoftmax(op, logits);                  // Σ_{entries of row i} α = 1
 * const h = propagateWeighted(op, x, alpha);
 */
export function edgeSoftmax(op: GraphOperator, logits: Tensor): Tensor {
  const name = 'edgeSoftmax';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator(kind))`);
  tensorArg(name, 'logits', logits);
  const b = native();
  const alpha = new Tensor(b.edgeSoftmax(op.forward(name), logits.handle(name)));
  return record(alpha, name, [logits], (g) => [new Tensor(b.edgeSoftmaxBackward(op.forward(name), alpha.handle(name), g.handle(name)))]);
}
