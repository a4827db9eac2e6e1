import { checkEdgeIndex } from './checkEdgeIndex.js';

/**
 * Drops the edges `(i, i)` of a `[2, E]` edge index, keeping the order of the rest, as PyG's
 * `remove_self_loops`.
 *
 * @example
 * removeSelfLoops(Int32Array.of(0, 1, 0, 1, 1, 0)); // [0, 1, 1, 0]: edges (0,1), (1,0)
 */
export function removeSelfLoops(edgeIndex: Int32Array): Int32Array {
  checkEdgeIndex('removeSelfLoops', edgeIndex);
  const e = edgeIndex.length / 2;
  let kept = 0;
  for (let i = 0; i < e; i++) if (edgeIndex[i] !== edgeIndex[e + i]) kept++;
  const out = new Int32Array(2 * kept);
  let k = 0;
  for (let i = 0; i < e; i++) {
    if (edgeIndex[i] === edgeIndex[e + i]) continue;
    out[k] = edgeIndex[i]!;
    out[kept + k] = edgeIndex[e + i]!;
    k++;
  }
  return out;
}
