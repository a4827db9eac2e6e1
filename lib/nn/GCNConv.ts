import { biasAdd } from '../functional/biasAdd.js';
import { matmul } from '../functional/matmul.js';
import { propagate } from '../functional/propagate.js';
import { propagateBiasAct, type FusedActivation } from '../functional/propagateBiasAct.js';
import { propagateFixed } from '../functional/propagateFixed.js';
import { relu } from '../functional/relu.js';
import type { Block } from '../graph/Block.js';
import type { Aggregation, Graph } from '../graph/Graph.js';
import { glorotUniform } from '../init/glorot.js';
import type { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import type { Parameter } from './Parameter.js';

export interface GCNConvOptions extends LayerOptions {
  /** The aggregation operator P (default 'gcn': D̃^-1/2 (A+I) D̃^-1/2). */
  aggregation?: Aggregation;
  /** Residual aggregation P_t = (1−t)I + tP, t in (0, 1] (default 1: plain P). */
  t?: number;
  /** Initial weight values [out, in] (default Glorot uniform, as PyG). */
  weight?: ArrayLike<number>;
}

export interface GCNConvForwardOptions {
  /**
   * Applied to the output (default 'none', PyG's layer). 'relu' fuses the activation of the
   * next stage into the aggregation's pass where the operator runs last (outChannels ≤
   * inChannels); the result is the same either way.
   */
  activation?: FusedActivation;
}

/**
 * Graph convolution H' = P_t H Wᵀ + b (docs/methods.md §2.1; PyG's `GCNConv` when t = 1).
 * The operator is applied on whichever side has fewer columns; when it runs last, the bias
 * (and an optional ReLU) are applied in the same pass (propagateBiasAct).
 *
 * On a sampled {@link Block} (aggregation 'gcn', t = 1) x holds the block's sources and the output
 * one row per target, aggregated with {@link Block.gcnNorm}: the graph's degrees that the block
 * carries (its own in-degrees when it carries none), with each target's sampled neighbours scaled
 * up to its whole neighbourhood; a block of whole neighbourhoods gives the full-graph rows.
 *
 * @example
 * using conv = new GCNConv(1433, 16, { seed: 0 });
 * const h = conv.forward(x, graph, { activation: 'relu' });
 * const hb = conv.forward(xb, block); // [block.numTargets, 16]
 */
export class GCNConv extends GraphConv<GCNConvForwardOptions> {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly aggregation: Aggregation;
  readonly t: number;

  constructor(inChannels: number, outChannels: number, options: GCNConvOptions = {}) {
    super('GCNConv', inChannels, outChannels, options);
    const t = options.t ?? 1;
    if (!(t > 0 && t <= 1)) throw new RangeError(`GCNConv: t must be in (0, 1], got ${t}`);
    this.t = t;
    this.aggregation = options.aggregation ?? 'gcn';
    const rng = layerRng(options);
    [this.weight, this.bias] = this.build(
      () =>
        [
          this.param('weight', [outChannels, inChannels], (r) => glorotUniform(outChannels, inChannels, r), rng, options.weight),
          options.bias === false ? null : this.param('bias', [outChannels], () => new Float64Array(outChannels), rng),
        ] as const,
    );
  }

  protected conv(x: NodeFeatures, graph: Graph, options: GCNConvForwardOptions): Tensor {
    const activation = checkActivation(options);
    const op = this.operator(graph, this.aggregation);
    const p = { alpha: this.t, selfScale: 1 - this.t };
    // P_t (X Wᵀ) = (P_t X) Wᵀ: aggregate the narrower matrix.
    if (this.outChannels <= this.inChannels) {
      const xw = matmul(x, this.weight, { transB: true });
      const out = propagateBiasAct(op, xw, { ...p, bias: this.bias, activation });
      // The fused backward reads only the operator and the output: xw's values are dead.
      xw.releaseData();
      return out;
    }
    const y = matmul(propagate(op, dense(x), p), this.weight, { transB: true });
    return this.finish(y, activation);
  }

  override prepareBlock(block: Block): void {
    // Only the aggregation convBlock accepts; it refuses the others itself.
    if (this.aggregation === 'gcn' && this.t === 1) block.gcnNorm(this.placement);
  }

  protected override convBlock(x: NodeFeatures, block: Block, options: GCNConvForwardOptions): Tensor {
    const activation = checkActivation(options);
    if (this.aggregation !== 'gcn' || this.t !== 1) {
      throw new TypeError(
        `GCNConv.forward: on a sampled Block the layer aggregates with 'gcn' and t = 1; this one has aggregation '${this.aggregation}', t = ${this.t}`,
      );
    }
    const { operator, values, transposedValues } = block.gcnNorm(this.placement);
    const aggregate = (h: Tensor) => propagateFixed(operator, h, values, transposedValues);
    // As on a graph: aggregate the narrower of x and x Wᵀ.
    const y =
      this.outChannels <= this.inChannels ? aggregate(matmul(x, this.weight, { transB: true })) : matmul(aggregate(dense(x)), this.weight, { transB: true });
    return this.finish(y, activation);
  }

  private finish(y: Tensor, activation: FusedActivation): Tensor {
    const z = this.bias ? biasAdd(y, this.bias) : y;
    return activation === 'relu' ? relu(z) : z;
  }
}

function checkActivation(options: GCNConvForwardOptions): FusedActivation {
  const activation = options.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu') {
    throw new TypeError(`GCNConv.forward: activation must be 'none' or 'relu', got ${String(activation)}`);
  }
  return activation;
}
