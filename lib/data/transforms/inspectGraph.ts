import { sortEdges } from './sortEdges.js';
import { checkEdgeIndex } from './checkEdgeIndex.js';

/** What a graph holds that training code may not expect: the counts a loader reports. */
export interface GraphFindings {
  /** Edges `(i, i)`, each repetition counted. */
  selfLoops: number;
  /** Edges beyond the first copy of each `(i, j)`. */
  duplicateEdges: number;
  /** Distinct edges `(i, j)`, `i ≠ j`, whose reverse `(j, i)` is absent. 0 means the graph is stored symmetric. */
  asymmetricPairs: number;
  /** Nodes on no edge other than a self loop (PyG's `contains_isolated_nodes`). */
  isolatedNodes: number;
  /** Feature rows that are all zero; null when there are no features from a file. */
  zeroFeatureRows: number | null;
}

/**
 * Counts self loops, duplicate edges, asymmetric pairs, isolated nodes and all-zero feature
 * rows of a `[2, E]` edge index and `[N, F]` features: O(E log E / 11) for one radix sort
 * plus O(N·F).
 *
 * @example
 * inspectGraph(Int32Array.of(0, 0, 1, 1, 0, 2), 3, null, 0);
 * // { selfLoops: 1, duplicateEdges: 0, asymmetricPairs: 1, isolatedNodes: 0, zeroFeatureRows: null }
 */
export function inspectGraph(edgeIndex: Int32Array, numNodes: number, x: Float32Array | null, numFeatures: number): GraphFindings {
  checkEdgeIndex('inspectGraph', edgeIndex, numNodes);
  if (x !== null && !(x instanceof Float32Array)) throw new TypeError('inspectGraph: x must be a Float32Array [N, F] or null');
  if (x !== null && (!Number.isSafeInteger(numFeatures) || numFeatures < 0 || x.length !== numNodes * numFeatures)) {
    throw new RangeError(`inspectGraph: x holds ${x.length} values, not numNodes × numFeatures = ${numNodes} × ${numFeatures}`);
  }
  const e = edgeIndex.length / 2;
  const sorted = sortEdges(edgeIndex, numNodes);
  const src = sorted.subarray(0, e);
  const dst = sorted.subarray(e);
  // Row pointers of the sorted edges, to look up reverse edges by binary search.
  const rowStart = new Int32Array(numNodes + 1);
  for (let i = 0; i < e; i++) rowStart[src[i]! + 1]!++;
  for (let v = 0; v < numNodes; v++) rowStart[v + 1]! += rowStart[v]!;
  const touched = new Uint8Array(numNodes);
  let selfLoops = 0;
  let duplicateEdges = 0;
  let asymmetricPairs = 0;
  for (let i = 0; i < e; i++) {
    const s = src[i]!;
    const d = dst[i]!;
    if (i > 0 && s === src[i - 1] && d === dst[i - 1]) {
      duplicateEdges++;
      if (s === d) selfLoops++;
      continue;
    }
    if (s === d) {
      selfLoops++;
      continue;
    }
    touched[s] = 1;
    touched[d] = 1;
    if (!hasEdge(dst, rowStart[d]!, rowStart[d + 1]!, s)) asymmetricPairs++;
  }
  let isolatedNodes = 0;
  for (let v = 0; v < numNodes; v++) if (touched[v] === 0) isolatedNodes++;
  let zeroFeatureRows: number | null = null;
  if (x !== null && numFeatures > 0) {
    zeroFeatureRows = 0;
    for (let v = 0; v < numNodes; v++) {
      let zero = true;
      for (let f = v * numFeatures; f < (v + 1) * numFeatures; f++) {
        if (x[f] !== 0) {
          zero = false;
          break;
        }
      }
      if (zero) zeroFeatureRows++;
    }
  }
  return { selfLoops, duplicateEdges, asymmetricPairs, isolatedNodes, zeroFeatureRows };
}

/** Whether the sorted slice `dst[lo, hi)` holds `target`. */
function hasEdge(dst: Int32Array, lo: number, hi: number, target: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = dst[mid]!;
    if (v === target) return true;
    if (v < target) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
