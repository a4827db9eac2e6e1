import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { requireFloat, tensorArg } from './checks.js';
import { scalarArg, sumOfProducts } from './scaleByScalar.js';

/**
 * GIN's aggregation with a learnable ε: S·x + (1 + ε)·x for a [1] tensor ε, in one fused
 * propagate pass (the self term is the kernel's selfScale, 1 + ε read by the op itself, so no
 * host read: a compiled step replays it; a non-finite ε is a RANGE error). The
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
  const out = new Tensor(native().spmmSelfTensor(op.forward(name), x.handle(name), 1, 1, eps.handle(name), name));
  return record(out, name, [x, eps], (g) => [
    x.requiresGrad ? new Tensor(native().spmmSelfTensor(op.transposed(name), g.handle(name), 1, 1, eps.handle(name), name)) : null,
    eps.requiresGrad ? sumOfProducts(g, x) : null,
  ]);
}
