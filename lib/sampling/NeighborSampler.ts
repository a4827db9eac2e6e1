import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import type { SamplerHandle } from '../binding/types.js';
import { Graph } from '../graph/Graph.js';
import { loopFreeInDegrees } from '../graph/loopFreeInDegrees.js';
import { SampledBatch } from './SampledBatch.js';

export interface NeighborSamplerOptions {
  /** Neighbours drawn per node at each hop, the seeds' hop first (PyG's num_neighbors); -1 = every one. */
  fanouts: readonly number[];
  /** Draw with replacement: exactly fanout neighbours (repeats kept) for every node that has any (default false). */
  replace?: boolean;
}

/** Keys of one batch's draws: the run's seed and the batch's number. */
export interface SampleKey {
  /** Integer ≥ 0 (default 0). */
  seed?: number;
  /** Integer ≥ 0 (default 0): a batch counter, so every batch of a run draws afresh. */
  batch?: number;
}

/**
 * Layer-wise neighbour sampling in native code (PyG's NeighborSampler): seed nodes grow hop by
 * hop, every newly reached node drawing up to fanouts[hop] of its in-neighbours (uniformly,
 * without replacement unless `replace`). The draws of node v at hop k depend only on (seed,
 * batch, k, v), so a batch is the same for every thread count. The graph's adjacency is copied
 * and checked once; the sampler does not keep the graph, only its in-degrees, which every batch's
 * blocks carry for GCN's normalization (Block.gcnNorm). `sampleAsync` draws on a worker thread,
 * so the next batch is sampled while the current training step runs.
 *
 * @example
 * using sampler = new NeighborSampler(graph, { fanouts: [25, 10] });
 * using batch = sampler.sample(new Int32Array([0, 5, 9]), { seed: 0, batch: 0 });
 * batch.blocks.length; // 2
 */
export class NeighborSampler implements Disposable {
  readonly fanouts: readonly number[];
  readonly replace: boolean;
  readonly numNodes: number;
  /** Each node's in-degree in the graph, self loops not counted: what GCN normalizes blocks with. */
  readonly degrees: Int32Array;
  #handle: SamplerHandle | null;

  constructor(graph: Graph, options: NeighborSamplerOptions) {
    const op = 'NeighborSampler';
    if (!(graph instanceof Graph)) throw new TypeError(`${op}: argument graph must be a Graph`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
    this.fanouts = checkFanouts(op, options.fanouts);
    this.replace = options.replace ?? false;
    if (typeof this.replace !== 'boolean') throw new TypeError(`${op}: replace must be true or false, got ${String(this.replace)}`);
    const { rowptr, col } = graph.csr();
    this.numNodes = graph.numNodes;
    this.degrees = loopFreeInDegrees(rowptr, col);
    this.#handle = native().neighborSampler(rowptr, col, [...this.fanouts], this.replace);
  }

  /** Samples the batch of `seeds` (distinct node ids) on this thread. */
  sample(seeds: Int32Array | readonly number[], key: SampleKey = {}): SampledBatch {
    const [s, seed, batch] = this.args('NeighborSampler.sample', seeds, key);
    return new SampledBatch(this.handle('NeighborSampler.sample').sample(s, seed, batch), this.degrees);
  }

  /** The same batch as {@link sample}, drawn on a worker thread; bad arguments throw at once. */
  sampleAsync(seeds: Int32Array | readonly number[], key: SampleKey = {}): Promise<SampledBatch> {
    const [s, seed, batch] = this.args('NeighborSampler.sampleAsync', seeds, key);
    return this.handle('NeighborSampler.sampleAsync')
      .sampleAsync(s, seed, batch)
      .then((hops) => new SampledBatch(hops, this.degrees));
  }

  private args(op: string, seeds: Int32Array | readonly number[], key: SampleKey): [Int32Array, number, number] {
    if (!(seeds instanceof Int32Array) && !Array.isArray(seeds)) throw new TypeError(`${op}: seeds must be an Int32Array or an array of node ids`);
    if (typeof key !== 'object' || key === null) throw new TypeError(`${op}: argument key must be an object { seed, batch }`);
    if (Array.isArray(seeds)) {
      // Int32Array.from would truncate 1.5 and wrap 2^32 silently; the native check sees the rest.
      const bad = seeds.findIndex((v) => !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff);
      if (bad >= 0) throw new FathomError(`${op}: seeds[${bad}] = ${String(seeds[bad])} is not an integer node id`, 'RANGE');
    }
    return [seeds instanceof Int32Array ? seeds : Int32Array.from(seeds), key.seed ?? 0, key.batch ?? 0];
  }

  private handle(op: string): SamplerHandle {
    if (!this.#handle) throw new TypeError(`${op}: the sampler was disposed`);
    return this.#handle;
  }

  get disposed(): boolean {
    return this.#handle === null;
  }

  dispose(): void {
    this.#handle?.dispose();
    this.#handle = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The fanouts, checked: a non-empty array of integers, each -1 or ≥ 0. */
export function checkFanouts(op: string, fanouts: unknown): readonly number[] {
  if (!Array.isArray(fanouts) || fanouts.length === 0) {
    throw new RangeError(
      `${op}: fanouts must be a non-empty array, one count per layer (-1 = every neighbour), got ${Array.isArray(fanouts) ? '[]' : String(fanouts)}`,
    );
  }
  fanouts.forEach((f, k) => {
    if (!Number.isInteger(f) || f < -1 || f > 0x7fffffff)
      throw new RangeError(`${op}: fanouts[${k}] = ${String(f)} must be -1 (every neighbour) or an integer ≥ 0`);
  });
  return Object.freeze([...(fanouts as number[])]);
}
