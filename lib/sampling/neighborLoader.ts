import { Graph } from '../graph/Graph.js';
import { Rng } from '../random/rng.js';
import { NeighborSampler } from './NeighborSampler.js';
import type { SampledBatch } from './SampledBatch.js';

export interface NeighborLoaderOptions {
  graph: Graph;
  /** The seed nodes: a mask (Uint8Array or boolean[] with one entry per node) or distinct node ids (Int32Array or number[]). */
  nodes: Uint8Array | readonly boolean[] | Int32Array | readonly number[];
  /** Neighbours per node at each hop, the seeds' first (one per layer; -1 = every neighbour). */
  fanouts: readonly number[];
  /** Seed nodes per batch (the last batch may be smaller). */
  batchSize: number;
  /** A fresh order of the seed nodes every epoch (default false, as PyG). */
  shuffle?: boolean;
  /** Fixes the order and every draw (integer ≥ 0, default 0). */
  seed?: number;
  /** Sample with replacement (default false). */
  replace?: boolean;
}

/**
 * Mini-batches of sampled neighbourhoods (PyG's `NeighborLoader`): the seed nodes in batches of
 * `batchSize`, each grown by a {@link NeighborSampler} into one {@link SampledBatch}. `batches(e)`
 * yields the batches of epoch e (the order from (seed, e) when shuffling, the draws from (seed,
 * batch number)), so a run is reproduced epoch by epoch, a resumed one included; iterating the
 * loader itself runs epochs 1, 2, … in turn. While the consumer works on a batch the next one is
 * sampled on a worker thread. The consumer disposes each batch. fit() takes a loader as
 * `batches`.
 *
 * @example
 * using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [25, 10], batchSize: 512, shuffle: true });
 * for await (const batch of loader) { using b = batch; console.log(b.batchSize, b.nodeIds.length); }
 * await fit(model, data, { batches: loader });
 */
export class NeighborLoader implements AsyncIterable<SampledBatch>, Disposable {
  readonly seeds: Int32Array;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly numNodes: number;
  readonly sampler: NeighborSampler;
  #epoch = 0;

  constructor(options: NeighborLoaderOptions) {
    const op = 'neighborLoader';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
    const { graph, batchSize, shuffle = false, seed = 0 } = options;
    if (!(graph instanceof Graph)) throw new TypeError(`${op}: graph must be a Graph`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${op}: batchSize must be a positive integer, got ${String(batchSize)}`);
    if (typeof shuffle !== 'boolean') throw new TypeError(`${op}: shuffle must be true or false, got ${String(shuffle)}`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`);
    this.seeds = seedNodes(op, options.nodes, graph.numNodes);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.numNodes = graph.numNodes;
    this.sampler = new NeighborSampler(graph, { fanouts: options.fanouts, replace: options.replace });
  }

  get fanouts(): readonly number[] {
    return this.sampler.fanouts;
  }

  /** Batches per epoch. */
  get numBatches(): number {
    return Math.ceil(this.seeds.length / this.batchSize);
  }

  /** The batches of epoch `epoch` (integer ≥ 1): the next one is sampled while one is in use. */
  async *batches(epoch: number): AsyncGenerator<SampledBatch, void, undefined> {
    if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`NeighborLoader.batches: epoch must be an integer ≥ 1, got ${String(epoch)}`);
    const order = this.seedOrder(epoch);
    const n = this.numBatches;
    const draw = (b: number) => {
      const p = this.sampler.sampleAsync(order.subarray(b * this.batchSize, (b + 1) * this.batchSize), { seed: this.seed, batch: (epoch - 1) * n + b });
      // A prefetched batch the consumer never asks for must not become an unhandled rejection.
      p.catch(() => undefined);
      return p;
    };
    let next = draw(0);
    for (let b = 0; b < n; b++) {
      const batch = await next;
      if (b + 1 < n) next = draw(b + 1);
      yield batch;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<SampledBatch, void, undefined> {
    this.#epoch += 1;
    return this.batches(this.#epoch);
  }

  /**
   * The seed order of an epoch: as given, or a Fisher–Yates shuffle keyed by (seed, epoch). Batch
   * b holds entries [b · batchSize, (b + 1) · batchSize); its draws are keyed by (seed, (epoch − 1)
   * · numBatches + b). Data-parallel training splits each batch of it across the ranks.
   */
  seedOrder(epoch: number): Int32Array {
    const order = Int32Array.from(this.seeds);
    if (!this.shuffle) return order;
    const rng = new Rng(this.seed * 0x10000 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  get disposed(): boolean {
    return this.sampler.disposed;
  }

  dispose(): void {
    this.sampler.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A {@link NeighborLoader}: sampled mini-batches of `nodes` for `fit(model, data, { batches })`.
 *
 * @example
 * const loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [25, 10], batchSize: 512, shuffle: true, seed: 0 });
 */
export function neighborLoader(options: NeighborLoaderOptions): NeighborLoader {
  return new NeighborLoader(options);
}

function seedNodes(op: string, nodes: unknown, numNodes: number): Int32Array {
  const isMask = nodes instanceof Uint8Array || (Array.isArray(nodes) && nodes.length > 0 && typeof nodes[0] === 'boolean');
  let ids: Int32Array;
  if (isMask) {
    const mask = nodes as ArrayLike<number | boolean>;
    if (mask.length !== numNodes) throw new RangeError(`${op}: nodes is a mask of ${mask.length} entries; the graph has ${numNodes} nodes`);
    const out: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
    ids = Int32Array.from(out);
  } else if (nodes instanceof Int32Array || Array.isArray(nodes)) {
    const arr = nodes as ArrayLike<unknown>;
    const seen = new Map<number, number>();
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= numNodes)
        throw new RangeError(`${op}: nodes[${i}] = ${String(v)} is not a node id in [0, ${numNodes})`);
      const first = seen.get(v);
      if (first !== undefined) throw new RangeError(`${op}: nodes[${i}] = ${v} repeats nodes[${first}]; seed nodes must be distinct`);
      seen.set(v, i);
    }
    ids = Int32Array.from(arr as ArrayLike<number>);
  } else {
    throw new TypeError(`${op}: nodes must be a mask (Uint8Array, boolean[]) or node ids (Int32Array, number[])`);
  }
  if (ids.length === 0) throw new RangeError(`${op}: nodes selects no node; there is nothing to train on`);
  return ids;
}
