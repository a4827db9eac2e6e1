import { FathomError } from '../errors/FathomError.js';
import { Graph } from '../graph/Graph.js';
import { metisParts, metisStatus } from '../sampling/metisParts.js';
import { randomParts } from '../sampling/randomParts.js';
import { shareOf } from './shareOf.js';

/**
 * How the nodes are split among the ranks for partitioned features: METIS's k-way clusters (few
 * edges cross ranks, so a batch fetches fewer remote rows), a random split, or contiguous ranges
 * of node ids (sizes differ by at most one). 'auto': METIS where libmetis loads, else contiguous.
 */
export type FeaturePartitionMethod = 'auto' | 'metis' | 'random' | 'contiguous';

export const FEATURE_PARTITION_METHODS: readonly FeaturePartitionMethod[] = ['auto', 'metis', 'random', 'contiguous'];

/**
 * The partition book of `graph` over `numParts` ranks: the owning rank of every node, a function
 * of (graph, numParts, method, seed) alone. METIS runs on a libuv worker thread.
 *
 * @example
 * const owner = await partitionBook(data.graph, 4, { method: 'contiguous' }); // [0, 0, …, 3, 3]
 */
export async function partitionBook(graph: Graph, numParts: number, options: { method?: FeaturePartitionMethod; seed?: number } = {}): Promise<Int32Array> {
  const op = 'partitionBook';
  if (!(graph instanceof Graph)) throw new TypeError(`${op}: graph must be a Graph, got ${graph === null ? 'null' : typeof graph}`);
  const n = graph.numNodes;
  if (!Number.isInteger(numParts) || numParts < 1) throw new FathomError(`${op}: numParts must be an integer ≥ 1, got ${String(numParts)}`, 'RANGE');
  const method = resolveMethod(op, options.method ?? 'auto');
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new FathomError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`, 'RANGE');
  const owner = new Int32Array(n);
  if (method === 'contiguous' || numParts === 1) {
    for (let r = 0; r < numParts; r++) {
      const [lo, hi] = shareOf(n, r, numParts);
      owner.fill(r, lo, hi);
    }
    return owner;
  }
  // METIS needs at least one node per part; more ranks than nodes get a random (partly empty) split.
  const parts = method === 'metis' && n >= numParts ? await metisParts(graph.csr(), numParts, seed) : randomParts(n, Math.min(numParts, Math.max(n, 1)), seed);
  parts.forEach((nodes, r) => {
    for (const v of nodes) owner[v] = r;
  });
  return owner;
}

/** 'auto' made concrete: 'metis' where libmetis loads, else 'contiguous'. */
export function resolveMethod(op: string, method: FeaturePartitionMethod): Exclude<FeaturePartitionMethod, 'auto'> {
  if (!FEATURE_PARTITION_METHODS.includes(method)) {
    throw new FathomError(`${op}: method must be one of ${FEATURE_PARTITION_METHODS.map((m) => `'${m}'`).join(', ')}, got ${String(method)}`, 'RANGE');
  }
  if (method !== 'auto') {
    if (method === 'metis' && !metisStatus().available) {
      throw new FathomError(
        `${op}: method 'metis' needs METIS: ${metisStatus().reason ?? 'libmetis did not load'}, or use 'contiguous' or 'random'`,
        'MISSING_MODULE',
      );
    }
    return method;
  }
  return metisStatus().available ? 'metis' : 'contiguous';
}
