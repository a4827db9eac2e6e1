import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg } from './checks.js';

/**
 * Message passing with a graph operator P: returns alpha·P·x + selfScale·x in one fused
 * kernel. The residual operator P_t = (1−t)I + tP of docs/methods.md §1 is
 * `propagate(P, x, { alpha: t, selfScale: 1 - t })`. The backward applies Pᵀ through the
 * operator's transposed CSR. The native SpMM checks x against the operator (dtype, one row per
 * node, device) and that alpha and selfScale are finite.
 *
 * @example
 * const h = propagate(graph.operator('gcn'), x);
 */
export function propagate(op: GraphOperator, x: Tensor, options: { alpha?: number; selfScale?: number } = {}): Tensor {
  const name = 'propagate';
  if (!(op instanceof GraphOperator)) throw new TypeError('propagate: argument op must be a GraphOperator (graph.operator(kind))');
  tensorArg(name, 'x', x);
  const alpha = numberArg(name, 'alpha', options.alpha ?? 1);
  const selfScale = numberArg(name, 'selfScale', options.selfScale ?? 0);
  const out = new Tensor(native().spmm(op.forward(name), null, x.handle(name), alpha, selfScale, name));
  return record(out, name, [x], (g) => [new Tensor(native().spmm(op.transposed(name), null, g.handle(name), alpha, selfScale, name))]);
}
