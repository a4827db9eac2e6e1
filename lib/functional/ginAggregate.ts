import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { requireFinite, requireFloat, tensorArg } from './checks.js';
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
  tensorArg(name, 'x', x);
  requireFloat(name, 'x', x);
  scalarArg(name, 'eps', eps, x);
  // x's shape, dtype and device against the operator: the native product checks them.
  const selfScale = 1 + eps.item();
  requireFinite(name, 'eps', selfScale - 1);
  const out = new Tensor(native().spmm(op.forward(name), null, x.handle(name), 1, selfScale, name));
  return record(out, name, [x, eps], (g) => [
    x.requiresGrad ? new Tensor(native().spmm(op.transposed(name), null, g.handle(name), 1, selfScale, name)) : null,
    eps.requiresGrad ? sumOfProducts(g, x) : null,
  ]);
}
