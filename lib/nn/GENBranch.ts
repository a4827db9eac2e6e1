import { requireObject } from '../errors/args.js';
import { scale } from '../functional/arithmetic.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import type { Graph } from '../graph/Graph.js';
import type { Tensor } from '../tensor/Tensor.js';
import { GENConv, type GENConvOptions } from './GENConv.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { BatchNorm } from './BatchNorm.js';
import { LayerNorm } from './LayerNorm.js';

export interface GENBranchOptions extends GENConvOptions {
  /** Dropout between the ReLU and the convolution (default 0). */
  dropout?: number;
  /** Constant factor on the branch's output (default 1). */
  scale?: number;
  /** The branch's norm: 'layer' (per node, LayerNorm) or 'batch' (per channel over the nodes, BatchNorm) (default 'layer'). */
  norm?: 'layer' | 'batch';
}

export interface GENBranchForwardOptions {
  /** Fixes this call's dropout mask (reversible blocks replay it in backward; default 0). */
  dropoutSeed?: number;
}

/**
 * The pre-activation branch of DeeperGCN's res+ block, f(h) = GENConv(Dropout(ReLU(Norm(h)))), Norm a
 * LayerNorm or a BatchNorm:
 * a res+ layer adds it to its input (h + f(h)), and a reversible GENConv block runs it on each
 * channel group (RevGNN).
 *
 * @example
 * using f = new GENBranch(64, { dropout: 0.1, seed: 0 });
 * const h1 = add(h, f.forward(h, graph, { dropoutSeed: 7 }));
 */
export class GENBranch extends GraphConv<GENBranchForwardOptions> {
  readonly norm: LayerNorm | BatchNorm;
  readonly genConv: GENConv;
  readonly dropout: number;
  readonly scale: number;

  constructor(channels: number, options: GENBranchOptions = {}) {
    requireObject('GENBranch', 'options', options);
    super('GENBranch', channels, channels, options);
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`GENBranch: dropout must be in [0, 1), got ${this.dropout}`);
    this.scale = options.scale ?? 1;
    if (typeof this.scale !== 'number' || !Number.isFinite(this.scale))
      throw new RangeError(`GENBranch: scale must be a finite number, got ${String(this.scale)}`);
    const norm = options.norm ?? 'layer';
    if (norm !== 'layer' && norm !== 'batch') throw new RangeError(`GENBranch: norm must be 'layer' or 'batch', got ${String(norm)}`);
    [this.norm, this.genConv] = this.build(
      () =>
        [
          this.registerModule('norm', norm === 'batch' ? new BatchNorm(channels, this.placement) : new LayerNorm(channels, this.placement)),
          this.registerModule('genConv', new GENConv(channels, channels, options)),
        ] as const,
    );
  }

  protected conv(x: NodeFeatures, graph: Graph, options: GENBranchForwardOptions): Tensor {
    const h = dropout(relu(this.norm.forward(dense(x))), this.dropout, { seed: options.dropoutSeed ?? 0, training: this.training });
    const out = this.genConv.forward(h, graph);
    return this.scale === 1 ? out : scale(out, this.scale);
  }
}
