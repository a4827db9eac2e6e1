import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { finiteNumber, floatArg, rankArg } from './checks.js';

/**
 * Message passing with a graph operator P: returns alpha·P·x + selfScale·x in one fused
 * kernel. The residual operator P_t = (1−t)I + tP of docs/methods.md §1 is
 * `propagate(P, x, { alpha: t, selfScale: 1 - t })`. The backward applies Pᵀ through the
 * operator's transposed CSR.
 *
 * @example
 * const h = propagate(graph.operator('gcn'), x);
 */
export function propagate(op: GraphOperator, x: Tensor, options: { alpha?: number; selfScale?: number } = {}): Tensor {
  const name = 'propagate';
  if (!(op instanceof GraphOperator)) throw new TypeError('propagate: argument op must be a GraphOperator (graph.operator(kind))');
  floatArg(name, 'x', x);
  rankArg(name, 'x', x, 2);
  const alpha = finiteNumber(name, 'alpha', options.alpha ?? 1);
  const selfScale = finiteNumber(name, 'selfScale', options.selfScale ?? 0);
  if (x.shape[0] !== op.numNodes) {
    throw new RangeError(`propagate: x ${x.describe()} must have one row per node (${op.numNodes})`);
  }
  if (x.dtype !== op.dtype) throw new TypeError(`propagate: x is ${x.describe()} but the ${op.kind} operator is ${op.dtype}`);
  if (x.device !== op.device) throw new RangeError(`propagate: x is on ${x.device} but the ${op.kind} operator is on ${op.device}`);
  const out = new Tensor(native().spmm(op.forward(name), null, x.handle(name), alpha, selfScale));
  return record(out, name, [x], (g) => [
    new Tensor(native().spmm(op.transposed(name), null, g.handle(name), alpha, selfScale)),
  ]);
}
