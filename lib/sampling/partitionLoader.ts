import { NodeData } from '../data/NodeData.js';
import { Graph } from '../graph/Graph.js';
import { inducedSubgraph } from './inducedSubgraph.js';
import { metisParts, metisPartsSync, requireMetis } from './metisParts.js';
import { PartitionBatch } from './PartitionBatch.js';
import { randomParts, shuffledParts } from './randomParts.js';

/** How the nodes are split: METIS's k-way clusters (ClusterGCN) or random parts (RevGNN). */
export type PartitionMethod = 'metis' | 'random';

export interface PartitionLoaderOptions {
  /** The data whose graph is split (or give `graph`). */
  data?: NodeData;
  /** The graph to split (or give `data`). */
  graph?: Graph;
  /** Parts the nodes are split into (integer in [1, numNodes]). */
  numParts: number;
  /** Parts per batch (integer in [1, numParts]); the last batch may have fewer. */
  partsPerBatch: number;
  /**
   * 'random' (default): random parts whose sizes differ by at most one. 'metis': METIS's k-way
   * partition of the symmetrized graph, parts within METIS's 3 % load imbalance that cut far fewer
   * edges; needs libmetis (FathomError MISSING_MODULE without it). See docs/partition-batches.md.
   */
  method?: PartitionMethod;
  /**
   * Random parts: a fresh partition every epoch, keyed by (seed, epoch). METIS: the one partition
   * grouped into batches in a fresh order every epoch (ClusterGCN's stochastic multiple
   * partitions). Default false: one partition and one grouping, keyed by seed.
   */
  shuffle?: boolean;
  /** Fixes every partition and grouping (integer ≥ 0, default 0); METIS's own seed is seed mod 2^31. */
  seed?: number;
}

/**
 * Partition mini-batches (ClusterGCN's protocol, and RevGNN's with random parts; PyG's
 * `ClusterLoader` and `RandomNodeLoader`): the nodes are split into `numParts` parts, and each
 * batch is `partsPerBatch` parts with the subgraph they induce, a {@link PartitionBatch} holding
 * an ordinary Graph, so any full-batch model trains on it unchanged. Edges between batches are
 * dropped, as in ClusterGCN, which is why METIS's clusters (`method: 'metis'`, few edges between
 * parts) keep more of the graph in each batch than random parts. `batches(e)` yields the
 * batches of epoch e, a function of (seed, e) alone, so a run is reproduced epoch by epoch, a
 * resumed one included; iterating the loader runs epochs 1, 2, … in turn. METIS runs once, on
 * a worker thread when fit() calls {@link prepare} (or on the calling thread at the first
 * `parts()` or `batches()` without it). A batch's subgraph is extracted from a host copy of the
 * CSR taken once, in time linear in the batch's nodes and their in-edges. The consumer disposes
 * each batch. fit() takes a loader as `batches` (loss on each batch's training nodes).
 *
 * @example
 * using loader = partitionLoader({ data, numParts: 1500, partsPerBatch: 20, method: 'metis', shuffle: true, seed: 0 });
 * await fit(model, data, { epochs: 100, batches: loader });
 */
export class PartitionLoader implements Iterable<PartitionBatch>, Disposable {
  readonly numNodes: number;
  readonly numParts: number;
  readonly partsPerBatch: number;
  readonly method: PartitionMethod;
  readonly shuffle: boolean;
  readonly seed: number;
  #csr: { rowptr: Int32Array; col: Int32Array } | null;
  #scratch: Int32Array;
  #metis: Int32Array[] | null = null;
  #epoch = 0;

  constructor(options: PartitionLoaderOptions) {
    const op = 'partitionLoader';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
    const { data, numParts, partsPerBatch, method = 'random', shuffle = false, seed = 0 } = options;
    if (data !== undefined && !(data instanceof NodeData)) throw new TypeError(`${op}: data must be NodeData (NodeData.from(dataset))`);
    if (data !== undefined && options.graph !== undefined) throw new TypeError(`${op}: give data or graph, not both`);
    const graph = data ? data.graph : options.graph;
    if (!(graph instanceof Graph)) throw new TypeError(`${op}: graph must be a Graph (or give data)`);
    const n = graph.numNodes;
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > n) {
      throw new RangeError(`${op}: numParts must be an integer in [1, numNodes = ${n}], got ${String(numParts)}`);
    }
    if (!Number.isInteger(partsPerBatch) || partsPerBatch < 1 || partsPerBatch > numParts) {
      throw new RangeError(`${op}: partsPerBatch must be an integer in [1, numParts = ${numParts}], got ${String(partsPerBatch)}`);
    }
    if (method !== 'metis' && method !== 'random') throw new RangeError(`${op}: method must be 'metis' or 'random', got ${String(method)}`);
    if (typeof shuffle !== 'boolean') throw new TypeError(`${op}: shuffle must be true or false, got ${String(shuffle)}`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`);
    if (method === 'metis') requireMetis(`${op}: method 'metis'`, "method: 'random'");
    this.numNodes = n;
    this.numParts = numParts;
    this.partsPerBatch = partsPerBatch;
    this.method = method;
    this.shuffle = shuffle;
    this.seed = seed;
    this.#csr = graph.csr();
    this.#scratch = new Int32Array(n).fill(-1);
  }

  /** Batches per epoch (at most: a batch of empty METIS parts is skipped). */
  get numBatches(): number {
    return Math.ceil(this.numParts / this.partsPerBatch);
  }

  /**
   * Runs METIS (once) on a libuv worker thread, so that the event loop stays free while it
   * works; with random parts it does nothing. fit() awaits it before the first epoch.
   */
  async prepare(): Promise<void> {
    if (this.method !== 'metis' || this.#metis) return;
    const parts = await metisParts(this.#hostCsr('PartitionLoader.prepare'), this.numParts, this.seed);
    if (this.#csr) this.#metis ??= parts;
  }

  /**
   * The parts of epoch `epoch` (integer ≥ 1) in the order batches take them: `numParts`
   * disjoint node sets covering every node, each in ascending order. Random parts: the first
   * numNodes mod numParts have one node more. METIS parts: the same sets every epoch (a set may
   * be empty when parts are a few nodes each), reordered per epoch with `shuffle`.
   */
  parts(epoch: number): Int32Array[] {
    checkEpoch('PartitionLoader.parts', epoch);
    const key = this.seed * 0x10000 + (this.shuffle ? epoch : 0);
    if (this.method === 'random') return randomParts(this.numNodes, this.numParts, key);
    this.#metis ??= metisPartsSync(this.#hostCsr('PartitionLoader.parts'), this.numParts, this.seed);
    // Copies: the caller may change what it gets; the loader keeps its partition.
    const parts = this.#metis.map((p) => p.slice());
    return this.shuffle ? shuffledParts(parts, key) : parts;
  }

  /** The batches of epoch `epoch` (integer ≥ 1), each built when it is asked for. */
  *batches(epoch: number): Generator<PartitionBatch, void, undefined> {
    checkEpoch('PartitionLoader.batches', epoch);
    const parts = this.parts(epoch);
    for (let b = 0; b < this.numBatches; b++) {
      const chosen = parts.slice(b * this.partsPerBatch, (b + 1) * this.partsPerBatch);
      const nodes = new Int32Array(chosen.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of chosen) {
        nodes.set(p, at);
        at += p.length;
      }
      nodes.sort();
      if (nodes.length > 0) yield this.batchOf(nodes);
    }
  }

  /** The batch of an arbitrary set of distinct nodes, in ascending order (what batches() yields). */
  batchOf(nodes: Int32Array): PartitionBatch {
    const { rowptr, col } = this.#hostCsr('PartitionLoader');
    const edges = inducedSubgraph(rowptr, col, nodes, this.#scratch);
    return new PartitionBatch(nodes, Graph.fromEdgeIndex(edges, { numNodes: nodes.length }));
  }

  #hostCsr(op: string): { rowptr: Int32Array; col: Int32Array } {
    if (!this.#csr) throw new TypeError(`${op}: the loader was disposed`);
    return this.#csr;
  }

  [Symbol.iterator](): Generator<PartitionBatch, void, undefined> {
    this.#epoch += 1;
    return this.batches(this.#epoch);
  }

  get disposed(): boolean {
    return this.#csr === null;
  }

  /** Drops the host copy of the CSR and the parts (the loader holds no native memory). */
  dispose(): void {
    this.#csr = null;
    this.#metis = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A {@link PartitionLoader}: METIS or random-partition mini-batches for `fit(model, data, { batches })`.
 *
 * @example
 * const loader = partitionLoader({ data, numParts: 10, partsPerBatch: 2, method: 'metis', shuffle: true, seed: 0 });
 */
export function partitionLoader(options: PartitionLoaderOptions): PartitionLoader {
  return new PartitionLoader(options);
}

function checkEpoch(op: string, epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`${op}: epoch must be an integer ≥ 1, got ${String(epoch)}`);
}
