import { native } from '../binding/native.js';
import type { TensorHandle } from '../binding/types.js';
import type { GraphOperator } from '../graph/GraphOperator.js';

// One index per operator, built on first use (a host pass over the CSR) and reused by every
// backward. A raw handle rather than a Tensor, so no tidy() scope frees it; the WeakMap drops it
// when the operator object becomes unreachable, and the handle's native memory goes with it.
const cache = new WeakMap<GraphOperator, TensorHandle>();

/**
 * @internal The i32 index that moves per-entry edge values from `op`'s CSR order into its
 * transposed CSR's order: transposedValues[k] = values[index[k]].
 *
 * @example
 * const index = edgeTransposeIndex(graph.operator('sum'), 'propagateWeighted');
 */
export function edgeTransposeIndex(op: GraphOperator, name: string): TensorHandle {
  let index = cache.get(op);
  if (!index || index.disposed) {
    index = native().csrTransposeIndex(op.forward(name));
    cache.set(op, index);
  }
  return index;
}
