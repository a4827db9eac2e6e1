import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { floatArg, rankArg } from './checks.js';
import { scalarArg, sumOfProducts } from './scaleByScalar.js';

/**
 * GIN's aggregation with a learnable ε: S·x + (1 + ε)·x for a [1] tensor ε, in one fused
 * propagate pass (the self term is the kernel's selfScale, read from ε's current value). The
 * backward is Sᵀg + (1 + ε)·g for x, through the transposed CSR in one pass, and Σ g ⊙ x for ε.
 * Equal to `add(propagate(op, x, { selfScale: 1 }), scaleByScalar(eps, x))` without the two
 * extra passes.
 *
 * @example
 * const h = ginAggregate(graph.operator('sum'), x, conv.eps);
 */
export function ginAggregate(op: GraphOperator, x: Tensor, eps: Tensor): Tensor {
  const name = 'ginAggregate';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator(kind))`);
  floatArg(name, 'x', x);
  rankArg(name, 'x', x, 2);
  scalarArg(name, 'eps', eps, x);
  if (x.shape[0] !== op.numNodes) throw new RangeError(`${name}: x ${x.describe()} must have one row per node (${op.numNodes})`);
  if (x.dtype !== op.dtype) throw new TypeError(`${name}: x is ${x.describe()} but the ${op.kind} operator is ${op.dtype}`);
  if (x.device !== op.device) throw new RangeError(`${name}: x is on ${x.device} but the ${op.kind} operator is on ${op.device}`);
  const selfScale = 1 + eps.item();
  if (!Number.isFinite(selfScale)) throw new RangeError(`${name}: eps must be finite, got ${selfScale - 1}`);
  const out = new Tensor(native().spmm(op.forward(name), null, x.handle(name), 1, selfScale));
  return record(out, name, [x, eps], (g) => [
    x.requiresGrad ? new Tensor(native().spmm(op.transposed(name), null, g.handle(name), 1, selfScale)) : null,
    eps.requiresGrad ? sumOfProducts(g, x) : null,
  ]);
}
