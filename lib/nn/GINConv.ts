import { ginAggregate } from '../functional/ginAggregate.js';
import { propagate } from '../functional/propagate.js';
import { propagateBiasAct } from '../functional/propagateBiasAct.js';
import { requireObject } from '../errors/args.js';
import type { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import { MLP } from './MLP.js';
import { Module } from './Module.js';
import type { Parameter } from './Parameter.js';

/** What GINConv applies to each aggregated row: a module mapping [N, in] to [N, out]. */
export type NodeFunction = Module & { forward(x: Tensor): Tensor };

export interface GINConvOptions extends LayerOptions {
  /**
   * The network applied after the aggregation (PyG's `nn`): any Module whose forward maps
   * [N, inChannels] to [N, outChannels]. The layer takes ownership: it is registered as the
   * child 'nn' (its parameters are the layer's) and disposed with the layer. Default: a new
   * {@link MLP}(inChannels → hiddenChannels → outChannels) from the layer's rng, dtype and device.
   */
  nn?: NodeFunction;
  /** Hidden width of the default MLP (default outChannels, as PyG's GIN). Not with `nn`. */
  hiddenChannels?: number;
  /** ε, the weight of the node's own features beyond 1 (default 0). With trainEps, its initial value. */
  eps?: number;
  /** Learn ε: a [1] parameter named 'eps' (default false, as PyG). */
  trainEps?: boolean;
}

/**
 * The graph isomorphism layer (PyG's `GINConv`): out_i = nn((1 + ε)·x_i + Σ_{j∈N(i)} x_j),
 * i.e. nn((A + (1 + ε)I) X) with A the 'sum' operator (edges j → i), applied in one propagate
 * pass with selfScale 1 + ε (fused with the learnable ε by ginAggregate). With the default MLP
 * (or any {@link MLP}) whose hidden width is at most inChannels, the aggregation runs on the
 * narrower product X W₁ᵀ instead, since (A + (1 + ε)I)(X W₁ᵀ) = ((A + (1 + ε)I)X) W₁ᵀ, with
 * MLP's first bias and ReLU fused into that pass when ε is fixed. For any other nn the features
 * are aggregated first (nn is nonlinear).
 *
 * @example
 * using conv = new GINConv(1433, 64, { trainEps: true, seed: 0 });
 * const h = relu(conv.forward(x, graph));
 */
export class GINConv extends GraphConv {
  readonly nn: NodeFunction;
  /** The learnable ε ([1]) when trainEps, else null (ε is {@link initialEps}, fixed). */
  readonly eps: Parameter | null;
  readonly initialEps: number;
  readonly trainEps: boolean;

  constructor(inChannels: number, outChannels: number, options: GINConvOptions = {}) {
    requireObject('GINConv', 'options', options);
    super('GINConv', inChannels, outChannels, options);
    const eps = options.eps ?? 0;
    if (typeof eps !== 'number' || !Number.isFinite(eps)) throw new RangeError(`GINConv: eps must be a finite number, got ${String(eps)}`);
    const trainEps = options.trainEps ?? false;
    if (typeof trainEps !== 'boolean') throw new TypeError(`GINConv: trainEps must be true or false, got ${String(trainEps)}`);
    const given = options.nn;
    if (given !== undefined) this.checkNn(given, options.hiddenChannels);
    this.initialEps = eps;
    this.trainEps = trainEps;
    const rng = layerRng(options);
    const made: { eps: Parameter | null; nn?: NodeFunction } = { eps: null };
    this.build(() => {
      if (trainEps) made.eps = this.param('eps', [1], () => [eps], rng);
      // Registered last: when anything above fails, the caller's module is left to the caller.
      made.nn = this.registerModule('nn', given ?? new MLP(inChannels, outChannels, { ...this.placement, rng, hiddenChannels: options.hiddenChannels }));
    });
    this.eps = made.eps;
    this.nn = made.nn!;
  }

  private checkNn(nn: NodeFunction, hiddenChannels: number | undefined): void {
    if (!(nn instanceof Module) || typeof (nn as { forward?: unknown }).forward !== 'function') {
      throw new TypeError('GINConv: options.nn must be a Module with a forward(x) method');
    }
    if (nn.disposed) throw new TypeError('GINConv: options.nn was disposed');
    if (hiddenChannels !== undefined) throw new RangeError('GINConv: hiddenChannels sets the default MLP; with options.nn, size nn itself');
    if (nn instanceof MLP && (nn.inChannels !== this.inChannels || nn.outChannels !== this.outChannels)) {
      throw new RangeError(`GINConv: options.nn maps ${nn.inChannels} → ${nn.outChannels} channels, the layer ${this.inChannels} → ${this.outChannels}`);
    }
    for (const [name, p] of nn.namedParameters()) {
      if (p.dtype !== this.placement.dtype || p.device !== this.placement.device) {
        throw new RangeError(`GINConv: options.nn parameter ${name} is ${p.describe()}; the layer is ${this.placement.dtype} on ${this.placement.device}`);
      }
    }
  }

  /** ε's current value. */
  epsValue(): number {
    return this.eps ? this.eps.item() : this.initialEps;
  }

  protected conv(x: NodeFeatures, graph: Graph): Tensor {
    const op = this.operator(graph, 'sum');
    const mlp = this.nn instanceof MLP ? this.nn : null;
    if (mlp && mlp.hiddenChannels <= this.inChannels) {
      const xw = mlp.firstProduct(x);
      if (this.eps) return mlp.forwardFromProduct(ginAggregate(op, xw, this.eps));
      const h = propagateBiasAct(op, xw, { alpha: 1, selfScale: 1 + this.initialEps, bias: mlp.lin1.bias, activation: 'relu' });
      // The fused backward reads only the operator and the output: xw's values are dead.
      xw.releaseData();
      return mlp.lin2.forward(h);
    }
    const h = this.eps ? ginAggregate(op, dense(x), this.eps) : propagate(op, dense(x), { alpha: 1, selfScale: 1 + this.initialEps });
    const y = this.nn.forward(h);
    if (!(y instanceof Tensor) || y.shape.length !== 2 || y.shape[0] !== graph.numNodes || y.shape[1] !== this.outChannels) {
      const got = y instanceof Tensor ? y.describe() : typeof y;
      throw new RangeError(`GINConv.forward: nn returned ${got}, expected [${graph.numNodes}, ${this.outChannels}] (nodes × outChannels)`);
    }
    return y;
  }
}
