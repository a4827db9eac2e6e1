import { coalesce } from './coalesce.js';
import { checkEdgeIndex } from './checkEdgeIndex.js';

/**
 * Adds the reverse of every edge and coalesces, so that `(j, i)` is present whenever `(i, j)`
 * is, each once: PyG's `to_undirected` / `ToUndirected` for an unweighted graph.
 *
 * @example
 * toUndirected(Int32Array.of(0, 1, 1, 2), 3); // [0, 1, 1, 2, 1, 0, 2, 1]: (0,1), (1,0), (1,2), (2,1)
 */
export function toUndirected(edgeIndex: Int32Array, numNodes: number): Int32Array {
  checkEdgeIndex('toUndirected', edgeIndex, numNodes);
  const e = edgeIndex.length / 2;
  const both = new Int32Array(4 * e);
  both.set(edgeIndex.subarray(0, e), 0);
  both.set(edgeIndex.subarray(e), e);
  both.set(edgeIndex.subarray(e), 2 * e);
  both.set(edgeIndex.subarray(0, e), 3 * e);
  return coalesce(both, numNodes);
}
