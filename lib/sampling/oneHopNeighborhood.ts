import { checkCsrArgs } from './checkCsrArgs.js';

/**
 * The full one-hop neighbourhood of the target nodes `start … end − 1` as a bipartite block's
 * pieces (what layer-wise inference runs one layer on): `nodes` are the global ids of the
 * block's sources, the targets first in order, then each in-neighbour not among them in order
 * of first appearance; `edgeIndex` holds every in-edge of every target, [sources..., targets...]
 * in local ids, in the graph's CSR order, so the block's mean over a target's row sums the same
 * neighbours in the same order as the full graph's. Reads the graph's CSR by target
 * (`Graph.csr()`) in time linear in the targets and their in-edges; `scratch` (one entry per
 * graph node, all -1) maps global to local ids and is left all -1 again.
 *
 * @example
 * const { nodes, edgeIndex } = oneHopNeighborhood(rowptr, col, 0, 512, scratch);
 * using block = Block.fromEdgeIndex(edgeIndex, { numSources: nodes.length, numTargets: 512 });
 */
export function oneHopNeighborhood(
  rowptr: Int32Array,
  col: Int32Array,
  start: number,
  end: number,
  scratch: Int32Array,
): { nodes: Int32Array; edgeIndex: Int32Array } {
  const n = checkCsrArgs('oneHopNeighborhood', rowptr, col, scratch);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > n) {
    throw new RangeError(`oneHopNeighborhood: targets start … end − 1 must lie in [0, ${n}), got start ${String(start)}, end ${String(end)}`);
  }
  const T = end - start;
  const E = rowptr[end] - rowptr[start];
  const nodes: number[] = [];
  for (let v = start; v < end; v++) {
    scratch[v] = nodes.length;
    nodes.push(v);
  }
  const edgeIndex = new Int32Array(2 * E);
  try {
    let e = 0;
    for (let i = 0; i < T; i++) {
      const v = start + i;
      for (let k = rowptr[v]; k < rowptr[v + 1]; k++) {
        const j = col[k];
        if (scratch[j] < 0) {
          scratch[j] = nodes.length;
          nodes.push(j);
        }
        edgeIndex[e] = scratch[j];
        edgeIndex[E + e] = i;
        e++;
      }
    }
    return { nodes: Int32Array.from(nodes), edgeIndex };
  } finally {
    for (const v of nodes) scratch[v] = -1;
  }
}
