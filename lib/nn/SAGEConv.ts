import { add } from '../functional/arithmetic.js';
import { biasAdd } from '../functional/biasAdd.js';
import { matmul } from '../functional/matmul.js';
import { propagate } from '../functional/propagate.js';
import { requireObject } from '../errors/args.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import type { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import { Linear } from './Linear.js';

export interface SAGEConvOptions extends LayerOptions {
  /** Add lin_r(x_i), the target's own features (default true, as PyG's root_weight). */
  rootWeight?: boolean;
}

/**
 * GraphSAGE's layer with mean aggregation (PyG's `SAGEConv`):
 * out_i = lin_l(mean_{j∈N(i)} x_j) + lin_r(x_i), lin_l with a bias (unless `bias: false`), lin_r
 * without; a node without in-neighbours aggregates 0. Both Linears are initialized as PyTorch's.
 * It runs on a full {@link Graph} or on a sampled {@link Block}, where x holds the block's sources
 * and the output has one row per target (the targets are the first sources, so x_i is row i).
 * The aggregation is the SpMM of the mean operator, applied to whichever of x and x·W_lᵀ costs
 * less (always the product for sparse input features).
 *
 * @example
 * using conv = new SAGEConv(1433, 64, { seed: 0 });
 * const h = conv.forward(x, graph);        // [N, 64]
 * const hb = conv.forward(xb, block);       // [block.numTargets, 64]
 */
export class SAGEConv extends GraphConv {
  readonly linL: Linear;
  readonly linR: Linear | null;

  constructor(inChannels: number, outChannels: number, options: SAGEConvOptions = {}) {
    requireObject('SAGEConv', 'options', options);
    super('SAGEConv', inChannels, outChannels, options);
    const rootWeight = options.rootWeight ?? true;
    if (typeof rootWeight !== 'boolean') throw new TypeError(`SAGEConv: rootWeight must be true or false, got ${String(rootWeight)}`);
    const rng = layerRng(options);
    const common = { rng, dtype: this.placement.dtype, device: this.placement.device };
    const made: { l?: Linear; r?: Linear | null } = {};
    this.build(() => {
      made.l = this.registerModule('lin_l', new Linear(inChannels, outChannels, { ...common, bias: options.bias }));
      made.r = rootWeight ? this.registerModule('lin_r', new Linear(inChannels, outChannels, { ...common, bias: false })) : null;
    });
    this.linL = made.l!;
    this.linR = made.r!;
  }

  protected conv(x: NodeFeatures, graph: Graph): Tensor {
    const root = this.linR ? matmul(x, this.linR.weight, { transB: true }) : null;
    return this.combine(this.aggregate(x, this.operator(graph, 'mean')), root);
  }

  override prepareBlock(block: Block): void {
    if (this.linR) block.operator('target', this.placement);
    block.operator('mean', this.placement);
  }

  protected override convBlock(x: NodeFeatures, block: Block): Tensor {
    let root: Tensor | null = null;
    if (this.linR) {
      // The targets are the first sources: select them before the product when x is dense.
      const select = block.operator('target', this.placement);
      root =
        x instanceof Tensor
          ? matmul(propagate(select, x), this.linR.weight, { transB: true })
          : propagate(select, matmul(x, this.linR.weight, { transB: true }));
    }
    return this.combine(this.aggregate(x, block.operator('mean', this.placement)), root);
  }

  /** mean_j x_j W_lᵀ over the operator's rows, aggregating the narrower of x and x W_lᵀ. */
  private aggregate(x: NodeFeatures, mean: GraphOperator): Tensor {
    const w = this.linL.weight;
    const [rows, inC, outC, nnz] = [mean.forward('SAGEConv.forward').info().rows, this.inChannels, this.outChannels, mean.nnz];
    const sources = x.shape[0];
    const aggregateFirst = x instanceof Tensor && nnz * inC + rows * inC * outC <= sources * inC * outC + nnz * outC;
    return aggregateFirst ? matmul(propagate(mean, x as Tensor), w, { transB: true }) : propagate(mean, matmul(x, w, { transB: true }));
  }

  private combine(neighbours: Tensor, root: Tensor | null): Tensor {
    const h = this.linL.bias ? biasAdd(neighbours, this.linL.bias) : neighbours;
    return root ? add(h, root) : h;
  }
}
