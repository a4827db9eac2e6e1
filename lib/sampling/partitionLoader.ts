import { NodeData } from '../data/NodeData.js';
import { Graph } from '../graph/Graph.js';
import { Rng } from '../random/rng.js';
import { inducedSubgraph } from './inducedSubgraph.js';
import { PartitionBatch } from './PartitionBatch.js';

export interface PartitionLoaderOptions {
  /** The data whose graph is split (or give `graph`). */
  data?: NodeData;
  /** The graph to split (or give `data`). */
  graph?: Graph;
  /** Random parts the nodes are split into (integer in [1, numNodes]); part sizes differ by at most one. */
  numParts: number;
  /** Parts per batch (integer in [1, numParts]); the last batch may have fewer. */
  partsPerBatch: number;
  /** A fresh random partition every epoch, keyed by (seed, epoch) (default false: one partition, keyed by seed). */
  shuffle?: boolean;
  /** Fixes every partition (integer ≥ 0, default 0). */
  seed?: number;
}

/**
 * Random-partition mini-batches (ClusterGCN's and RevGNN's protocol, with random parts instead of
 * METIS clusters; PyG's `RandomNodeLoader` with `shuffle`): the nodes are split into `numParts`
 * random parts of near-equal size, and each batch is `partsPerBatch` parts with the subgraph they
 * induce, a {@link PartitionBatch} holding an ordinary Graph, so any full-batch model trains on it
 * unchanged. Edges between batches are dropped, as in ClusterGCN. `batches(e)` yields the
 * batches of epoch e: with `shuffle` the partition is drawn from (seed, e), else from seed alone,
 * so a run is reproduced epoch by epoch, a resumed one included; iterating the loader runs
 * epochs 1, 2, … in turn. A batch's subgraph is extracted in TypeScript from a host copy of the
 * CSR taken once, in time linear in the batch's nodes and their in-edges. The consumer
 * disposes each batch. fit() takes a loader as `batches` (loss on each batch's training nodes).
 *
 * @example
 * using loader = partitionLoader({ data, numParts: 1500, partsPerBatch: 20, shuffle: true, seed: 0 });
 * await fit(model, data, { epochs: 100, batches: loader });
 */
export class PartitionLoader implements Iterable<PartitionBatch>, Disposable {
  readonly numNodes: number;
  readonly numParts: number;
  readonly partsPerBatch: number;
  readonly shuffle: boolean;
  readonly seed: number;
  #csr: { rowptr: Int32Array; col: Int32Array } | null;
  #scratch: Int32Array;
  #epoch = 0;

  constructor(options: PartitionLoaderOptions) {
    const op = 'partitionLoader';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
    const { data, numParts, partsPerBatch, shuffle = false, seed = 0 } = options;
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
    if (typeof shuffle !== 'boolean') throw new TypeError(`${op}: shuffle must be true or false, got ${String(shuffle)}`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`);
    this.numNodes = n;
    this.numParts = numParts;
    this.partsPerBatch = partsPerBatch;
    this.shuffle = shuffle;
    this.seed = seed;
    this.#csr = graph.csr();
    this.#scratch = new Int32Array(n).fill(-1);
  }

  /** Batches per epoch. */
  get numBatches(): number {
    return Math.ceil(this.numParts / this.partsPerBatch);
  }

  /**
   * The parts of epoch `epoch` (integer ≥ 1): `numParts` disjoint node sets covering every node,
   * each in ascending order; the first numNodes mod numParts parts have one node more.
   */
  parts(epoch: number): Int32Array[] {
    checkEpoch('PartitionLoader.parts', epoch);
    const n = this.numNodes;
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const rng = new Rng(this.seed * 0x10000 + (this.shuffle ? epoch : 0));
    for (let i = n - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const base = Math.floor(n / this.numParts);
    const extra = n % this.numParts;
    const parts: Int32Array[] = [];
    let at = 0;
    for (let p = 0; p < this.numParts; p++) {
      const size = base + (p < extra ? 1 : 0);
      parts.push(perm.slice(at, at + size).sort());
      at += size;
    }
    return parts;
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
      yield this.batchOf(nodes);
    }
  }

  /** The batch of an arbitrary set of distinct nodes, in ascending order (what batches() yields). */
  batchOf(nodes: Int32Array): PartitionBatch {
    if (!this.#csr) throw new TypeError('PartitionLoader: the loader was disposed');
    const { rowptr, col } = this.#csr;
    const edges = inducedSubgraph(rowptr, col, nodes, this.#scratch);
    return new PartitionBatch(nodes, Graph.fromEdgeIndex(edges, { numNodes: nodes.length }));
  }

  [Symbol.iterator](): Generator<PartitionBatch, void, undefined> {
    this.#epoch += 1;
    return this.batches(this.#epoch);
  }

  get disposed(): boolean {
    return this.#csr === null;
  }

  /** Drops the host copy of the CSR (the loader holds no native memory). */
  dispose(): void {
    this.#csr = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A {@link PartitionLoader}: random-partition mini-batches for `fit(model, data, { batches })`.
 *
 * @example
 * const loader = partitionLoader({ data, numParts: 10, partsPerBatch: 2, shuffle: true, seed: 0 });
 */
export function partitionLoader(options: PartitionLoaderOptions): PartitionLoader {
  return new PartitionLoader(options);
}

function checkEpoch(op: string, epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`${op}: epoch must be an integer ≥ 1, got ${String(epoch)}`);
}
