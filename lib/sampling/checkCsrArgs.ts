import { FathomError } from '../errors/FathomError.js';

// inducedSubgraph and oneHopNeighborhood are public and index raw arrays: what they are handed is
// checked first, so a wrong argument is named instead of read out of range.

/**
 * `rowptr`, `col` and `scratch` must be Int32Arrays of a CSR by target over `scratch.length`
 * nodes (rowptr one longer, its last entry col's length); returns the node count.
 *
 * @example
 * const n = checkCsrArgs('inducedSubgraph', rowptr, col, scratch);
 */
export function checkCsrArgs(op: string, rowptr: unknown, col: unknown, scratch: unknown): number {
  for (const [name, v] of [
    ['rowptr', rowptr],
    ['col', col],
    ['scratch', scratch],
  ] as const) {
    if (!(v instanceof Int32Array)) throw new TypeError(`${op}: ${name} must be an Int32Array (Graph.csr() gives rowptr and col)`);
  }
  const r = rowptr as Int32Array;
  const n = (scratch as Int32Array).length;
  if (r.length !== n + 1 || r[n] !== (col as Int32Array).length) {
    throw new FathomError(
      `${op}: rowptr (length ${r.length}, last ${r[r.length - 1]}) and col (length ${(col as Int32Array).length}) are not a CSR over scratch's ${n} nodes`,
      'SHAPE',
    );
  }
  return n;
}
