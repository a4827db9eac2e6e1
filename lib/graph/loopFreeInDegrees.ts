/**
 * Every node's in-degree without self loops, from a CSR by target (`Graph.csr()`): the degrees
 * GCN normalization on a sampled or one-hop Block uses (Block.gcnNorm), so that a block's rows
 * equal the full graph's.
 *
 * @example
 * const { rowptr, col } = graph.csr();
 * const degrees = loopFreeInDegrees(rowptr, col);
 */
export function loopFreeInDegrees(rowptr: Int32Array, col: Int32Array): Int32Array {
  const n = rowptr.length - 1;
  const degrees = new Int32Array(Math.max(n, 0));
  for (let v = 0; v < n; v++) {
    for (let k = rowptr[v]; k < rowptr[v + 1]; k++) if (col[k] !== v) degrees[v] += 1;
  }
  return degrees;
}
