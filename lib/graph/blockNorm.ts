import { FathomError } from '../errors/FathomError.js';

/**
 * @internal The degrees a block's GCN normalization uses, checked: one count per source (the
 * in-degree in the graph the block was sampled from, self loops not counted), or, when none were
 * given, each source's non-loop in-degree inside the block (0 for sources that are not targets).
 */
export function blockDegrees(op: string, given: ArrayLike<number> | undefined, edgeIndex: Int32Array, numSources: number): Float64Array {
  if (given === undefined) {
    const own = new Float64Array(numSources);
    const E = edgeIndex.length / 2;
    for (let e = 0; e < E; e++) if (edgeIndex[e] !== edgeIndex[E + e]) own[edgeIndex[E + e]] += 1;
    return own;
  }
  const isArrayLike = Array.isArray(given) || given instanceof Int32Array || given instanceof Float64Array || given instanceof Float32Array;
  if (!isArrayLike) throw new TypeError(`${op}: degrees must be an Int32Array, Float64Array or number[] with one count per source`);
  if (given.length !== numSources) {
    throw new FathomError(`${op}: degrees has ${given.length} entries but the block has ${numSources} sources; give one count per source`, 'SHAPE');
  }
  const out = Float64Array.from(given);
  const bad = out.findIndex((d) => !Number.isInteger(d) || d < 0);
  if (bad >= 0) throw new FathomError(`${op}: degrees[${bad}] = ${String(given[bad])} must be an integer ≥ 0`, 'RANGE');
  return out;
}

/**
 * @internal GCN's entry values for a block's operator [numTargets × numSources] with one self loop
 * per target: with d̃_v = degrees[v] + 1,
 *   self loop (i, i):   1 / d̃_i,
 *   edge j → i:         (degrees[i] / k_i) / sqrt(d̃_i d̃_j),
 * k_i the non-loop edges of target i in the block. The factor degrees[i] / k_i scales the k_i
 * sampled of target i's degrees[i] neighbours up to the whole neighbourhood, so a block's
 * aggregation is an unbiased estimate of the full graph's D̃^-1/2 (A+I) D̃^-1/2 row (sampling
 * uniform); with every neighbour kept it is 1, and the row equals the full graph's bit for bit.
 * `rowptr` is the operator's (rows = targets); `values(rowptr, col, transposed)` fills the
 * entries of the operator's CSR or, with `transposed`, of its transpose (rows = sources).
 */
export function gcnBlockWeights(op: string, rowptr: Int32Array, degrees: Float64Array) {
  const targets = rowptr.length - 1;
  const scale = new Float64Array(targets);
  for (let i = 0; i < targets; i++) {
    const sampled = rowptr[i + 1] - rowptr[i] - 1;
    if (sampled > 0 && degrees[i] === 0) {
      throw new FathomError(`${op}: degrees[${i}] = 0 but target ${i} has ${sampled} in-edges in the block; degrees must be the graph's in-degrees`, 'RANGE');
    }
    scale[i] = sampled > 0 ? degrees[i] / sampled : 1;
  }
  // As the native 'gcn' operator computes it (1 / sqrt(d̃_i d̃_j) in double), so that a block of
  // whole neighbourhoods reproduces the full graph's values exactly.
  const weight = (i: number, j: number) => {
    const norm = 1 / Math.sqrt((degrees[i] + 1) * (degrees[j] + 1));
    return i === j ? norm : scale[i] * norm;
  };
  return (ptr: Int32Array, col: Int32Array, transposed: boolean): Float64Array => {
    const w = new Float64Array(col.length);
    for (let r = 0; r + 1 < ptr.length; r++) {
      for (let k = ptr[r]; k < ptr[r + 1]; k++) w[k] = transposed ? weight(col[k], r) : weight(r, col[k]);
    }
    return w;
  };
}

/** @internal The block's edges without self loops, plus one self loop (i, i) per target. */
export function withTargetLoops(edgeIndex: Int32Array, numTargets: number): Int32Array {
  const E = edgeIndex.length / 2;
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < E; e++) {
    if (edgeIndex[e] === edgeIndex[E + e]) continue;
    src.push(edgeIndex[e]);
    dst.push(edgeIndex[E + e]);
  }
  for (let i = 0; i < numTargets; i++) {
    src.push(i);
    dst.push(i);
  }
  return Int32Array.from([...src, ...dst]);
}
