import { assembleGraph } from './assembleGraph.js';
import { Rng } from '../random/rng.js';
import { resolveSyntheticOptions, type SyntheticOptions } from './syntheticOptions.js';
import type { SyntheticGraph } from './types.js';

/** Options of {@link sbmGraph}: the common ones plus how strongly the graph and features follow the blocks. */
export interface SbmOptions extends SyntheticOptions {
  /** Fraction of edges that join two nodes of the same block (edge homophily). Default 0.8 (Cora: 0.81). */
  homophily?: number;
  /** Standard deviation of the per-entry feature noise around the class mean. Default 1. */
  featureNoise?: number;
}

/**
 * Generates a stochastic block model graph with `numClasses` blocks, a
 * learnable node-classification task of any size.
 *
 * - Labels: block ids, balanced (sizes differ by at most one), assigned to
 *   nodes in random order.
 * - Edges: each edge picks a uniform random source; with probability
 *   `homophily` its target is uniform within the source's block, otherwise
 *   uniform over the other blocks. Self-loops are redrawn. Duplicates are
 *   possible but rare (about E / (2 N^2 / k) of the edges), and kept.
 * - `symmetric` defaults to TRUE here: each drawn edge is stored in both
 *   directions, so `numEdges` (directed entries) must be even.
 * - Features: `x_i = mu[y_i] + featureNoise * N(0, I)`, where each class mean
 *   `mu[c]` has i.i.d. N(0, 1 / numFeatures) entries (norm about 1). The
 *   signal-to-noise ratio therefore does not change with the width: with the
 *   defaults, features alone give well above chance but far from perfect,
 *   and averaging over neighbours (mostly same-class) helps, which is the
 *   regime where a GNN beats an MLP.
 * - Edges come sorted by (source, target); masks are a random 60/20/20 split.
 *
 * Deterministic for a given seed and options.
 *
 * @throws RangeError for invalid sizes, or fewer than 2 nodes per block.
 * @example
 * ```ts
 * const g = sbmGraph({ numNodes: 100_000, numEdges: 1_000_000, numFeatures: 32, numClasses: 5, seed: 1 });
 * g.y;           // block ids in [0, 5)
 * g.meta.params; // { homophily: 0.8, featureNoise: 1, ... }
 * ```
 */
export function sbmGraph(options: SbmOptions): SyntheticGraph {
  const o = resolveSyntheticOptions('sbmGraph', options, true);
  const homophily = options.homophily ?? 0.8;
  const featureNoise = options.featureNoise ?? 1;
  if (typeof homophily !== 'number' || !(homophily >= 0 && homophily <= 1)) {
    throw new RangeError(`sbmGraph: homophily must be in [0, 1], got ${homophily}`);
  }
  if (typeof featureNoise !== 'number' || !(featureNoise >= 0) || !Number.isFinite(featureNoise)) {
    throw new RangeError(`sbmGraph: featureNoise must be a finite number >= 0, got ${featureNoise}`);
  }
  const n = o.numNodes;
  const k = o.numClasses;
  if (n < 2 * k) {
    // A block of one node has no in-block target that is not a self-loop.
    throw new RangeError(`sbmGraph: need at least 2 nodes per block: numNodes ${n} < 2 * numClasses ${k}`);
  }
  const rng = new Rng(o.seed);

  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % k;
  rng.shuffle(y);
  // Members of each block, contiguous: block c is members[start[c] .. start[c+1]).
  const start = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) start[y[i]! + 1]!++;
  for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
  const members = new Int32Array(n);
  const fill = start.slice(0, k);
  for (let i = 0; i < n; i++) members[fill[y[i]!]!++] = i;

  const pairs = o.symmetric ? o.numEdges / 2 : o.numEdges;
  const half = o.symmetric ? pairs : o.numEdges;
  const edgeIndex = new Int32Array(2 * o.numEdges);
  // With one block every edge is in-block, whatever homophily says.
  const pIn = k === 1 ? 1 : homophily;
  for (let e = 0; e < pairs; ) {
    const s = rng.nextInt(n);
    const c = y[s]!;
    let t: number;
    if (rng.nextFloat() < pIn) {
      t = members[start[c]! + rng.nextInt(start[c + 1]! - start[c]!)]!;
      if (t === s) continue;
    } else {
      // Rejection keeps the target uniform over the other blocks; expected k / (k - 1) tries.
      do t = rng.nextInt(n);
      while (y[t] === c);
    }
    edgeIndex[e] = s;
    edgeIndex[half + e] = t;
    e++;
  }

  const f = o.numFeatures;
  const means = rng.fillNormal(new Float32Array(k * f), 0, 1 / Math.sqrt(f));
  const x = new Float32Array(n * f);
  for (let i = 0, off = 0; i < n; i++, off += f) {
    const m = y[i]! * f;
    for (let j = 0; j < f; j++) x[off + j] = means[m + j]! + featureNoise * rng.normal();
  }

  return assembleGraph({
    name: `sbm-n${n}-e${o.numEdges}-k${k}`,
    generator: 'sbm',
    options: o,
    edgeIndex,
    x,
    y,
    rng,
    params: { homophily, featureNoise },
  });
}
