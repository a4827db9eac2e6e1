import { sortEdges } from './sortEdges.js';
import { checkEdgeIndex } from './checkEdgeIndex.js';

/**
 * Sorts a `[2, E]` edge index by (source, target) and drops repeated edges, as PyG's
 * `coalesce` (and `torch_geometric.transforms` that call it) do for an unweighted graph.
 *
 * @example
 * coalesce(Int32Array.of(1, 0, 1, 0, 1, 0), 2); // [0, 1, 1, 0]: edges (0,1), (1,0)
 */
export function coalesce(edgeIndex: Int32Array, numNodes: number): Int32Array {
  checkEdgeIndex('coalesce', edgeIndex, numNodes);
  const sorted = sortEdges(edgeIndex, numNodes);
  const e = sorted.length / 2;
  let kept = 0;
  for (let i = 0; i < e; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1] && sorted[e + i] === sorted[e + i - 1]) continue;
    sorted[kept] = sorted[i]!;
    sorted[e + kept] = sorted[e + i]!;
    kept++;
  }
  const out = new Int32Array(2 * kept);
  out.set(sorted.subarray(0, kept));
  out.set(sorted.subarray(e, e + kept), kept);
  return out;
}
