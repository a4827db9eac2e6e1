import { FathomError } from '../errors/FathomError.js';
import { Block } from '../graph/Block.js';
import { Graph, type Aggregation } from '../graph/Graph.js';
import type { GraphOperator } from '../graph/GraphOperator.js';
import type { Rng } from '../random/rng.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { checkChannels, type LayerOptions } from './layerOptions.js';
import { Module } from './Module.js';

/** Node features as layers take them: dense, or constant sparse input features. */
export type NodeFeatures = Tensor | SparseFeatures;

/**
 * The contract every graph convolution follows (PyG's `MessagePassing`): one
 * `forward(x, graph, options?)` that checks its inputs once and then runs the layer's own
 * {@link conv}; parameters made through {@link param} (so `resetParameters()` redraws them);
 * construction inside {@link build}, which disposes what was made when a check fails; and the
 * graph's operators looked up in the layer's dtype and device through {@link operator}.
 *
 * A new layer implements `conv()` and its constructor; see docs/adding-a-layer.md.
 *
 * @example
 * class MeanConv extends GraphConv {
 *   readonly weight: Parameter;
 *   constructor(inChannels: number, outChannels: number, options: LayerOptions = {}) {
 *     super('MeanConv', inChannels, outChannels, options);
 *     this.weight = this.param('weight', [outChannels, inChannels], (r) => glorotUniform(outChannels, inChannels, r), layerRng(options));
 *   }
 *   protected conv(x: NodeFeatures, graph: Graph): Tensor {
 *     return propagate(this.operator(graph, 'mean'), matmul(x, this.weight, { transB: true }));
 *   }
 * }
 */
export abstract class GraphConv<ForwardOptions extends object = Record<string, never>> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  /** dtype and device of every parameter of the layer (and of the operators it looks up). */
  readonly placement: { dtype: DType; device: Device };

  protected constructor(
    readonly layerName: string,
    inChannels: number,
    outChannels: number,
    options: LayerOptions = {},
  ) {
    super();
    this.inChannels = checkChannels(layerName, 'inChannels', inChannels);
    this.outChannels = checkChannels(layerName, 'outChannels', outChannels);
    this.placement = { dtype: options.dtype ?? 'f32', device: options.device ?? 'cpu' };
  }

  /**
   * The layer's output [N, outChannels] for node features `x` [N, inChannels] on `graph`; on a
   * sampled {@link Block} (layers that implement {@link convBlock}: SAGEConv, GCNConv, GATConv), `x` holds
   * the block's sources [numSources, inChannels] and the output its targets [numTargets, outChannels].
   *
   * @throws TypeError when x is not a Tensor or SparseFeatures, graph not a Graph (or a Block the layer takes), options not an object.
   * @throws FathomError 'SHAPE' when x is not [graph.numNodes, inChannels] ([block.numSources, inChannels]).
   */
  forward(x: NodeFeatures, graph: Graph | Block, options?: ForwardOptions): Tensor {
    const op = `${this.layerName}.forward`;
    if (!(x instanceof Tensor) && !(x instanceof SparseFeatures)) throw new TypeError(`${op}: argument x must be a Tensor or SparseFeatures`);
    const block = graph instanceof Block;
    if (block && !this.acceptsBlocks) throw new TypeError(`${op}: argument graph is a sampled Block, but ${this.layerName} runs on a full Graph only`);
    if (!block && !(graph instanceof Graph)) throw new TypeError(`${op}: argument graph must be a Graph${this.acceptsBlocks ? ' or a Block' : ''}`);
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`${op}: argument options must be an object`);
    const rows = block ? graph.numSources : graph.numNodes;
    if (x.shape.length !== 2 || x.shape[1] !== this.inChannels || x.shape[0] !== rows) {
      const what = block ? 'block sources' : 'graph nodes';
      throw new FathomError(`${op}: argument x ${x.describe()} must be [${rows}, ${this.inChannels}] (${what} × inChannels)`, 'SHAPE');
    }
    if (block && graph.disposed) throw new TypeError(`${op}: the block was disposed`);
    return block ? this.convBlock(x, graph, options ?? ({} as ForwardOptions)) : this.conv(x, graph, options ?? ({} as ForwardOptions));
  }

  /** Whether this layer runs on sampled blocks (overrides {@link convBlock}). */
  get acceptsBlocks(): boolean {
    return this.convBlock !== GraphConv.prototype.convBlock;
  }

  /**
   * Message passing on a sampled block, on checked inputs: x [numSources, in] → [numTargets, out].
   * Layers that train on mini-batches override it; the default is never reached (forward refuses
   * blocks for layers without it).
   */
  protected convBlock(x: NodeFeatures, block: Block, options: ForwardOptions): Tensor {
    void x;
    void options;
    throw new TypeError(`${this.layerName}.forward: blocks of ${block.numTargets} targets are not supported by this layer`);
  }

  /**
   * Builds, in this layer's dtype and on its device, the block operators convBlock reads (cached
   * by the block), so that a loader can move them to the GPU while the previous step runs. The
   * default builds nothing: convBlock then builds them on first use.
   */
  prepareBlock(block: Block): void {
    void block;
  }

  /** The message passing itself, on checked inputs. */
  protected abstract conv(x: NodeFeatures, graph: Graph, options: ForwardOptions): Tensor;

  /** The graph's operator `kind` in this layer's dtype and on its device (cached by the graph). */
  protected operator(graph: Graph, kind: Aggregation): GraphOperator {
    return graph.operator(kind, this.placement);
  }

  /** Parameter creation with this layer's dtype and device; see {@link Module.parameter}. */
  protected param(name: string, shape: readonly number[], init: (rng: Rng) => ArrayLike<number>, rng: Rng, given?: ArrayLike<number>) {
    return this.parameter(name, shape, init, rng, { ...this.placement, given });
  }
}

/** Dense features: sparse input features densified for layers that aggregate them first. */
export function dense(x: NodeFeatures): Tensor {
  return x instanceof SparseFeatures ? x.toDense() : x;
}
