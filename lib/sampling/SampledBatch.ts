import type { SampledHops } from '../binding/types.js';
import { requireObject } from '../errors/args.js';
import { Block } from '../graph/Block.js';

/**
 * One sampled mini-batch (PyG's NeighborLoader batch, as DGL-style blocks): the nodes it
 * reached and the bipartite {@link Block} each model layer runs on. `nodeIds` are global node
 * ids in order of discovery (PyG's `n_id`): the `batchSize` seed nodes first, then each hop's
 * new nodes (`numSampledNodes`, PyG's `num_sampled_nodes`); local id i is `nodeIds[i]`.
 * `blocks[l]` is layer l's block: blocks[0] reads the features of every node, the last block's
 * targets are the seeds. Layer l aggregates over the edges sampled at hops 1 … L − l, so a
 * node's sampled neighbourhood is the same in every layer that updates it (PyG's semantics).
 * Blocks are built on first use and freed by dispose().
 *
 * @example
 * using batch = await sampler.sampleAsync(seeds, { seed: 0, batch: 0 });
 * // x: the feature rows of batch.nodeIds, [batch.nodeIds.length, F] (fit() gathers them)
 * const logits = model.forwardBlocks(x, batch.blocks);     // [batch.batchSize, C]
 */
export class SampledBatch implements Disposable {
  readonly nodeIds: Int32Array;
  readonly numSampledNodes: readonly number[];
  /** Per sampling hop k + 1: flat [sources..., targets...] in local ids; targets are nodes of hop k. */
  readonly hopEdges: readonly Int32Array[];
  #blocks: Block[] | null = null;
  #disposed = false;
  readonly #degrees: ArrayLike<number> | undefined;

  /** `degrees`: every node's in-degree in the sampled graph, self loops not counted (global ids), for the blocks' GCN normalization. */
  constructor(hops: SampledHops, degrees?: ArrayLike<number>) {
    requireObject('SampledBatch', 'hops', hops);
    if (!(hops.nodes instanceof Int32Array) || !Array.isArray(hops.numSampledNodes) || !Array.isArray(hops.edges)) {
      throw new TypeError('SampledBatch: hops must be a sampler result { nodes: Int32Array, numSampledNodes: number[], edges: Int32Array[] }');
    }
    this.nodeIds = hops.nodes;
    this.numSampledNodes = Object.freeze([...hops.numSampledNodes]);
    this.hopEdges = Object.freeze([...hops.edges]);
    if (degrees !== undefined && (typeof degrees !== 'object' || degrees === null || typeof degrees.length !== 'number')) {
      throw new TypeError('SampledBatch: degrees must be an array of in-degrees, one per node of the graph');
    }
    this.#degrees = degrees;
  }

  /** The number of seed nodes: the rows of the logits, the first local ids. */
  get batchSize(): number {
    return this.numSampledNodes[0];
  }

  /** Number of layers (sampling hops). */
  get numLayers(): number {
    return this.hopEdges.length;
  }

  /** One Block per model layer, outermost first; owned by the batch. */
  get blocks(): readonly Block[] {
    if (this.#disposed) throw new TypeError('SampledBatch.blocks: the batch was disposed');
    if (!this.#blocks) this.#blocks = this.buildBlocks();
    return this.#blocks;
  }

  // Block l: targets are the nodes of hops ≤ L − l − 1, sources those of hops ≤ L − l, and its
  // edges those of sampling steps 1 … L − l (a prefix of the local ids either way).
  private buildBlocks(): Block[] {
    const L = this.numLayers;
    const upTo = (hop: number) => this.numSampledNodes.slice(0, hop + 1).reduce((a, b) => a + b, 0);
    const blocks: Block[] = [];
    // The in-degrees of the batch's nodes in local order; each block's sources are a prefix.
    const local = this.#degrees && Float64Array.from(this.nodeIds, (v) => this.#degrees![v] ?? Number.NaN);
    try {
      for (let l = 0; l < L; l++) {
        const steps = this.hopEdges.slice(0, L - l);
        const E = steps.reduce((a, s) => a + s.length / 2, 0);
        const flat = new Int32Array(2 * E);
        let at = 0;
        for (const s of steps) {
          const e = s.length / 2;
          flat.set(s.subarray(0, e), at);
          flat.set(s.subarray(e), E + at);
          at += e;
        }
        const numSources = upTo(L - l);
        blocks.push(Block.fromEdgeIndex(flat, { numSources, numTargets: upTo(L - l - 1), degrees: local?.subarray(0, numSources) }));
      }
      return blocks;
    } catch (e) {
      for (const b of blocks) b.dispose();
      throw e;
    }
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    for (const b of this.#blocks ?? []) b.dispose();
    this.#blocks = null;
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
