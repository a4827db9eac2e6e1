import { FathomError } from '../errors/FathomError.js';
import { checkCsrArgs } from './checkCsrArgs.js';

/**
 * The edges among `nodes` (the induced subgraph), in local ids: local id i is `nodes[i]`.
 * Reads the graph's CSR by target (`Graph.csr()`): for each node v of the set, in the given
 * order, the sources j of its in-edges j → v that are in the set, in CSR order. Linear time in
 * the set's size plus its in-edges; `scratch` (one entry per graph node, all -1) maps global to
 * local ids and is left all -1 again, so one array serves every batch. With every node in
 * ascending order it returns the graph's own edges in CSR order, from which Graph.fromEdgeIndex
 * rebuilds the same CSR.
 *
 * @example
 * const { rowptr, col } = graph.csr();
 * const scratch = new Int32Array(graph.numNodes).fill(-1);
 * const edgeIndex = inducedSubgraph(rowptr, col, Int32Array.of(0, 4, 7), scratch); // [sources..., targets...]
 */
export function inducedSubgraph(rowptr: Int32Array, col: Int32Array, nodes: Int32Array, scratch: Int32Array): Int32Array {
  const n = checkCsrArgs('inducedSubgraph', rowptr, col, scratch);
  if (!(nodes instanceof Int32Array)) throw new TypeError('inducedSubgraph: nodes must be an Int32Array of node ids');
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i]! < 0 || nodes[i]! >= n) throw new FathomError(`inducedSubgraph: nodes[${i}] = ${nodes[i]} is not a node id in [0, ${n})`, 'RANGE');
  }
  for (let i = 0; i < nodes.length; i++) scratch[nodes[i]] = i;
  try {
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      const v = nodes[i];
      for (let k = rowptr[v]; k < rowptr[v + 1]; k++) if (scratch[col[k]] >= 0) count++;
    }
    const flat = new Int32Array(2 * count);
    let e = 0;
    for (let i = 0; i < nodes.length; i++) {
      const v = nodes[i];
      for (let k = rowptr[v]; k < rowptr[v + 1]; k++) {
        const j = scratch[col[k]];
        if (j < 0) continue;
        flat[e] = j;
        flat[count + e] = i;
        e++;
      }
    }
    return flat;
  } finally {
    for (let i = 0; i < nodes.length; i++) scratch[nodes[i]] = -1;
  }
}
