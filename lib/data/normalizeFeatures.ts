import { requireInstance } from '../errors/args.js';

/**
 * Row-normalizes a dense `[numNodes, numFeatures]` feature matrix in place so
 * every row sums to 1, and returns it. This is the Planetoid GCN baseline's
 * `preprocess_features` and PyG's `NormalizeFeatures` for non-negative
 * features (every bundled file); all-zero rows stay zero instead of becoming
 * NaN.
 *
 * Rows are divided by the sum of absolute values (L1 norm). For non-negative
 * data that is the plain row sum; for rows with negative entries (the random
 * Gaussian fallback features) it keeps values bounded, where dividing by a
 * signed sum near zero would blow them up. Sums are accumulated in float64.
 *
 * @throws RangeError when `x.length !== numNodes * numFeatures`.
 * @example
 * ```ts
 * const ds = loadDataset('cora');
 * normalizeFeatures(ds.x!, ds.numNodes, ds.numFeatures);   // each row of x now sums to 1
 * ```
 */
export function normalizeFeatures(x: Float32Array, numNodes: number, numFeatures: number): Float32Array {
  requireInstance('normalizeFeatures', 'x', x, Float32Array, 'a Float32Array');
  if (x.length !== numNodes * numFeatures) {
    throw new RangeError(
      `normalizeFeatures: x has ${x.length} values, expected numNodes * numFeatures = ${numNodes} * ${numFeatures} = ${numNodes * numFeatures}`,
    );
  }
  for (let row = 0, off = 0; row < numNodes; row++, off += numFeatures) {
    let sum = 0;
    for (let j = off; j < off + numFeatures; j++) sum += Math.abs(x[j]!);
    if (sum === 0) continue;
    const inv = 1 / sum;
    for (let j = off; j < off + numFeatures; j++) x[j] = x[j]! * inv;
  }
  return x;
}
