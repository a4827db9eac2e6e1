import { FathomError } from '../errors/FathomError.js';
import { keep } from '../autograd/scope.js';
import { add, axpby } from '../functional/arithmetic.js';
import { biasAdd } from '../functional/biasAdd.js';
import { matmul } from '../functional/matmul.js';
import { propagate } from '../functional/propagate.js';
import { AGGREGATIONS, type Aggregation, type Graph } from '../graph/Graph.js';
import { glorotUniform } from '../init/glorot.js';
import { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { checkChannels, layerRng, type LayerOptions } from './layerOptions.js';
import type { Parameter } from './Parameter.js';

export interface GCN2ConvOptions extends LayerOptions {
  /** Teleport (initial-residual) weight α in [0, 1] (default 0.1). */
  alpha?: number;
  /** θ ≥ 0 of the identity-mapping strength β = log(θ/ℓ + 1) (default 0.5). */
  theta?: number;
  /** The layer's 1-based index ℓ in its stack (default 1). */
  layer?: number;
  /**
   * β ≥ 0 given directly instead of through θ and ℓ (PyG's theta=None, layer=None is
   * beta: 1). Not together with theta or layer.
   */
  beta?: number;
  /** One weight for both terms (default true); false adds a second weight for the x₀ term. */
  sharedWeights?: boolean;
  /** The aggregation operator P̃ (default 'gcn': D̃^-1/2 (A+I) D̃^-1/2). */
  aggregation?: Aggregation;
  /** Initial weight values [channels, channels] (default Glorot uniform, as PyG). */
  weight?: ArrayLike<number>;
  /** Initial values of the x₀ term's weight (sharedWeights false only). */
  weight2?: ArrayLike<number>;
}

export interface GCN2ConvForwardOptions {
  /** The initial representation x₀ [N, channels] (required): the stack's first hidden features. */
  x0?: Tensor;
}

/**
 * GCNII's convolution (PyG's `GCN2Conv`): out = ((1 − α)·P̃x + α·x₀)·((1 − β)·I + β·Wᵀ) with
 * β = log(θ/ℓ + 1), an initial residual to x₀ and an identity mapping that shrinks the weight's
 * share with depth. With `sharedWeights: false` the two terms get their own weights:
 * out = (1 − α)·P̃x·((1 − β)I + βW₁ᵀ) + α·x₀·((1 − β)I + βW₂ᵀ). Weights are stored [out, in] as
 * everywhere in Fathom (PyG multiplies by its weight untransposed: same distribution at init).
 * No bias by default (PyG has none).
 *
 * The identity mapping is applied as one product with the effective weight
 * (1 − β)I + βW (a [channels, channels] combination): one propagate (with coefficient 1 − α),
 * one axpby adding α·x₀ and one matmul per layer over the N rows, and no extra pass over them
 * forward or backward.
 *
 * @example
 * using conv = new GCN2Conv(64, { alpha: 0.1, theta: 0.5, layer: 3, seed: 0 });
 * const h = relu(conv.forward(dropout(h, 0.6, { seed }), graph, { x0 }));
 */
export class GCN2Conv extends GraphConv<GCN2ConvForwardOptions> {
  readonly channels: number;
  readonly alpha: number;
  readonly beta: number;
  /** θ and ℓ when β was derived from them; null when β was given. */
  readonly theta: number | null;
  readonly layer: number | null;
  readonly sharedWeights: boolean;
  readonly aggregation: Aggregation;
  readonly weight: Parameter;
  /** The x₀ term's weight when sharedWeights is false, else null. */
  readonly weight2: Parameter | null;
  readonly bias: Parameter | null;
  #eye: Tensor | null = null;

  constructor(channels: number, options: GCN2ConvOptions = {}) {
    super('GCN2Conv', checkChannels('GCN2Conv', 'channels', channels), channels, options);
    this.channels = channels;
    const alpha = options.alpha ?? 0.1;
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new RangeError(`GCN2Conv: alpha must be in [0, 1], got ${String(alpha)}`);
    this.alpha = alpha;
    if (options.beta !== undefined) {
      if (options.theta !== undefined || options.layer !== undefined) {
        throw new RangeError('GCN2Conv: give either beta, or theta and layer (β = log(θ/ℓ + 1)), not both');
      }
      if (typeof options.beta !== 'number' || !(options.beta >= 0 && Number.isFinite(options.beta))) {
        throw new RangeError(`GCN2Conv: beta must be a finite number ≥ 0, got ${String(options.beta)}`);
      }
      this.beta = options.beta;
      this.theta = null;
      this.layer = null;
    } else {
      const theta = options.theta ?? 0.5;
      const layer = options.layer ?? 1;
      if (typeof theta !== 'number' || !(theta >= 0 && Number.isFinite(theta)))
        throw new RangeError(`GCN2Conv: theta must be a finite number ≥ 0, got ${String(theta)}`);
      if (!Number.isInteger(layer) || layer < 1) throw new RangeError(`GCN2Conv: layer must be a positive integer (1-based), got ${String(layer)}`);
      this.theta = theta;
      this.layer = layer;
      this.beta = Math.log(theta / layer + 1);
    }
    this.sharedWeights = options.sharedWeights ?? true;
    if (typeof this.sharedWeights !== 'boolean') throw new TypeError('GCN2Conv: sharedWeights must be a boolean');
    if (this.sharedWeights && options.weight2 !== undefined) throw new RangeError('GCN2Conv: weight2 applies to sharedWeights: false only');
    this.aggregation = options.aggregation ?? 'gcn';
    if (!AGGREGATIONS.includes(this.aggregation))
      throw new RangeError(`GCN2Conv: aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${String(this.aggregation)}`);
    const rng = layerRng(options);
    const init = (r: Parameters<typeof glorotUniform>[2]) => glorotUniform(channels, channels, r);
    let weight2: Parameter | null = null;
    let bias: Parameter | null = null;
    let weight: Parameter | undefined;
    this.build(() => {
      weight = this.param('weight', [channels, channels], init, rng, options.weight);
      if (!this.sharedWeights) weight2 = this.param('weight2', [channels, channels], init, rng, options.weight2);
      if (options.bias === true) bias = this.param('bias', [channels], () => new Float64Array(channels), rng);
      const eye = new Float64Array(channels * channels);
      for (let i = 0; i < channels; i++) eye[i * channels + i] = 1;
      this.#eye = keep(Tensor.from(eye, [channels, channels], this.placement));
    });
    this.weight = weight!;
    this.weight2 = weight2;
    this.bias = bias;
  }

  protected conv(x: NodeFeatures, graph: Graph, options: GCN2ConvForwardOptions): Tensor {
    const x0 = options.x0;
    if (x0 === undefined) throw new TypeError('GCN2Conv.forward: options.x0 (the initial representation [N, channels]) is required');
    if (!(x0 instanceof Tensor)) throw new TypeError('GCN2Conv.forward: options.x0 must be a Tensor');
    if (x0.shape.length !== 2 || x0.shape[0] !== graph.numNodes || x0.shape[1] !== this.channels) {
      throw new FathomError(`GCN2Conv.forward: argument x0 ${x0.describe()} must be [${graph.numNodes}, ${this.channels}] (graph nodes × channels)`, 'SHAPE');
    }
    if (x0.dtype !== this.placement.dtype || x0.device !== this.placement.device) {
      throw new FathomError(
        `GCN2Conv.forward: argument x0 ${x0.describe()} must be ${this.placement.dtype} on ${this.placement.device}, as the layer's weights`,
        x0.device !== this.placement.device ? 'DEVICE' : 'TYPE',
      );
    }
    const op = this.operator(graph, this.aggregation);
    const { alpha, beta } = this;
    const eye = this.#eye!;
    let out: Tensor;
    if (this.weight2 === null) {
      // s = (1 − α)P̃x + αx₀; out = s((1 − β)I + βW)ᵀ.
      const px = propagate(op, dense(x), { alpha: 1 - alpha });
      const s = alpha === 0 ? px : axpby(1, px, alpha, x0);
      // Neither axpby's nor propagate's backward reads its inputs: P̃x is dead once summed.
      if (s !== px) px.releaseData();
      out = matmul(s, axpby(beta, this.weight, 1 - beta, eye), { transB: true });
    } else {
      // The scalars (1 − α) and α ride on the propagate and on the x₀ term's effective weight.
      const px = propagate(op, dense(x), { alpha: 1 - alpha });
      const w1 = axpby(beta, this.weight, 1 - beta, eye);
      const w2 = axpby(alpha * beta, this.weight2, alpha * (1 - beta), eye);
      out = add(matmul(px, w1, { transB: true }), matmul(x0, w2, { transB: true }));
    }
    return this.bias ? biasAdd(out, this.bias) : out;
  }

  override dispose(): void {
    this.#eye?.dispose();
    this.#eye = null;
    super.dispose();
  }
}
