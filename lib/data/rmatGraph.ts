import { assembleGraph } from './assembleGraph.js';
import { Rng } from '../random/rng.js';
import { resolveSyntheticOptions, type SyntheticOptions } from './syntheticOptions.js';
import type { SyntheticGraph } from './types.js';

/** Options of {@link rmatGraph}: the common ones plus the R-MAT quadrant probabilities. */
export interface RmatOptions extends SyntheticOptions {
  /** Probability of the top-left quadrant at each recursion level. Default 0.57 (Graph500). */
  a?: number;
  /** Top-right. Default 0.19. */
  b?: number;
  /** Bottom-left. Default 0.19; bottom-right is `1 - a - b - c` (0.05). */
  c?: number;
  /** Relabel nodes by a random permutation, as Graph500 does, so degree is not tied to node id. Default true. */
  permute?: boolean;
}

/**
 * Generates an R-MAT / Graph500-style power-law graph (Chakrabarti et al.
 * 2004): each edge picks one quadrant of the adjacency matrix per bit of
 * the node id, with probabilities a, b, c, d = 0.57, 0.19, 0.19, 0.05, which
 * gives a heavily skewed degree distribution (a few hubs, many low-degree
 * nodes), the regime where GNN kernels load-imbalance.
 *
 * - Node ids are drawn in `[0, 2^ceil(log2 N))`; draws `>= N` and self-loops
 *   are redrawn, so the graph has exactly `numEdges` directed entries and no
 *   self-loops.
 * - DUPLICATE edges are kept (the same pair can appear several times, mostly
 *   between hubs), as in Graph500; kernels must treat them as multi-edges.
 * - `symmetric` (default false) stores each drawn edge in both directions.
 * - Labels are uniform in `[0, numClasses)` and features are i.i.d. N(0, 1):
 *   neither carries signal. This graph is for speed and memory benchmarks,
 *   not accuracy; use {@link sbmGraph} for a learnable task.
 * - Edges come sorted by (source, target); masks are a random 60/20/20 split.
 *
 * 1M nodes and 10M edges take a few seconds and about 300 MB at peak
 * (Int32Arrays only). Deterministic for a given seed and options.
 *
 * @throws RangeError for invalid sizes or probabilities.
 * @example
 * ```ts
 * const g = rmatGraph({ numNodes: 1 << 20, numEdges: 10_000_000, numFeatures: 64, seed: 7 });
 * g.edgeIndex.length;   // 20_000_000
 * ```
 */
export function rmatGraph(options: RmatOptions): SyntheticGraph {
  const o = resolveSyntheticOptions('rmatGraph', options, false);
  const a = options.a ?? 0.57;
  const b = options.b ?? 0.19;
  const c = options.c ?? 0.19;
  for (const [key, v] of [
    ['a', a],
    ['b', b],
    ['c', c],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`rmatGraph: ${key} must be in [0, 1], got ${v}`);
  }
  if (a + b + c > 1 + 1e-12) throw new RangeError(`rmatGraph: a + b + c must be at most 1, got ${a + b + c}`);
  if (b + c === 0 && o.numEdges > 0) {
    // Only diagonal quadrants: source and target bits always agree, so every draw is a self-loop.
    throw new RangeError('rmatGraph: b + c must be positive, otherwise every edge is a self-loop');
  }
  const permute = options.permute ?? true;
  const rng = new Rng(o.seed);
  const n = o.numNodes;
  const pairs = o.symmetric ? o.numEdges / 2 : o.numEdges;
  const scale = Math.ceil(Math.log2(n));
  const top = 1 << (scale - 1);
  // Each level consumes 16 random bits (two levels per 32-bit draw): quadrant
  // probabilities are resolved to 1/65536, and the RNG cost halves.
  const ta = Math.round(a * 65536);
  const tab = Math.round((a + b) * 65536);
  const tabc = Math.round((a + b + c) * 65536);
  const wordsPerEdge = Math.ceil(scale / 2);
  const chunkEdges = 4096;
  const words = new Uint32Array(chunkEdges * wordsPerEdge);
  let w = words.length;

  const edgeIndex = new Int32Array(2 * o.numEdges);
  // Pairs go to [0, pairs) and [half, half + pairs): the layout assembleGraph expects.
  const half = o.symmetric ? pairs : o.numEdges;
  const perm = permute ? rng.permutation(n) : null;
  for (let k = 0; k < pairs; ) {
    if (w === words.length) {
      rng.fillUint32(words);
      w = 0;
    }
    let u = 0;
    let v = 0;
    let r = 0;
    for (let level = 0, bit = top; level < scale; level++, bit >>>= 1) {
      if ((level & 1) === 0) r = words[w++]!;
      else r >>>= 16;
      const q = r & 0xffff;
      // Branch-free quadrant choice: the draws are random, so branches would mispredict.
      const geA = (ta - 1 - q) >>> 31;
      const geAB = (tab - 1 - q) >>> 31;
      const geABC = (tabc - 1 - q) >>> 31;
      u |= -geAB & bit;
      v |= -(geA ^ geAB ^ geABC) & bit;
    }
    if (u >= n || v >= n || u === v) continue;
    edgeIndex[k] = perm === null ? u : perm[u]!;
    edgeIndex[half + k] = perm === null ? v : perm[v]!;
    k++;
  }

  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.nextInt(o.numClasses);
  const x = rng.fillNormal(new Float32Array(n * o.numFeatures));
  return assembleGraph({
    name: `rmat-n${n}-e${o.numEdges}`,
    generator: 'rmat',
    options: o,
    edgeIndex,
    x,
    y,
    rng,
    params: { a, b, c, d: Math.max(0, 1 - a - b - c), permute },
  });
}
