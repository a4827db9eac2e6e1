import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';
import { edgeTransposeIndex } from './edgeTransposeIndex.js';

/**
 * Weighted message passing out_i = Σ_{entries (i, j)} w_e x_j over the sparsity pattern of `op`,
 * with `edgeValues` [nnz] in the operator's CSR entry order replacing its own values. It is
 * differentiable with respect to both x and the edge values (the learnable-weight and softmax
 * aggregations of SKP layers, docs/methods.md §2.3).
 *
 * Backward: dx = Wᵀ g runs over the transposed CSR, with the values moved into its entry
 * order by a cached index (no atomics); dw_e = ⟨g_i, x_j⟩ is one SDDMM over the forward CSR.
 * The native SpMM checks x and edgeValues against the operator and each other.
 *
 * @example
 * const op = graph.operator('sum', { dtype: 'f64' });
 * const h = propagateWeighted(op, x, Tensor.full([op.nnz], 0.5, { dtype: 'f64' }));
 */
export function propagateWeighted(op: GraphOperator, x: Tensor, edgeValues: Tensor): Tensor {
  const name = 'propagateWeighted';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator(kind))`);
  tensorArg(name, 'x', x);
  tensorArg(name, 'edgeValues', edgeValues);
  const b = native();
  const out = new Tensor(b.spmm(op.forward(name), edgeValues.handle(name), x.handle(name), 1, 0, name));
  return record(out, name, [x, edgeValues], (g) => {
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const moved = new Tensor(b.edgeGather(edgeValues.handle(name), edgeTransposeIndex(op, name)));
      dx = new Tensor(b.spmm(op.transposed(name), moved.handle(name), g.handle(name), 1, 0, name));
      moved.dispose();
    }
    const dw = edgeValues.requiresGrad ? new Tensor(b.sddmm(op.forward(name), g.handle(name), x.handle(name))) : null;
    return [dx, dw];
  });
}
