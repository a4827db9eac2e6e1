import { keep } from '../autograd/scope.js';
import { requireObject } from '../errors/args.js';
import { add } from '../functional/arithmetic.js';
import { messageNorm } from '../functional/messageNorm.js';
import { powerAggregate } from '../functional/powerAggregate.js';
import { softmaxAggregate } from '../functional/softmaxAggregate.js';
import type { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import { Linear } from './Linear.js';
import { MLP } from './MLP.js';

export interface GENConvOptions extends LayerOptions {
  /**
   * The aggregation: 'softmax' (SoftMax_Agg with inverse temperature t) or 'power' (PowerMean_Agg,
   * the generalized mean (mean_j m_ij^p)^(1/p) with power p; PyG's `aggr='powermean'`) (default
   * 'softmax').
   */
  aggr?: 'softmax' | 'power';
  /** Initial inverse temperature t of the softmax aggregation (default 1; softmax only). */
  t?: number;
  /** Learn t (default true, as DeeperGCN trains it; PyG's default is a fixed t). */
  learnT?: boolean;
  /** Initial power p of the power-mean aggregation, not 0 (default 1: the mean; power only). */
  p?: number;
  /** Learn p (default true, DeeperGCN's `learn_p`; PyG's default is a fixed p). */
  learnP?: boolean;
  /** Added to every message after its ReLU (default 1e-7). */
  eps?: number;
  /** Width of edge features; they are projected to the layer's width (default: no edge features). */
  edgeDim?: number;
  /** Hidden width of the MLP as a multiple of outChannels (default 2; only with mlpLayers 2). */
  expansion?: number;
  /**
   * Layers of the update MLP: 2 (Linear → ReLU → Linear, PyG's default) or 1 (one Linear, the
   * DeeperGCN reference's setting for node classification) (default 2).
   */
  mlpLayers?: 1 | 2;
  /**
   * MsgNorm (DeeperGCN): rescale every aggregated message to s·‖x_i‖ before it joins x_i,
   * a_i ← s·‖x_i‖·a_i/‖a_i‖ (PyG's `msg_norm`) (default false).
   */
  msgNorm?: boolean;
  /** Learn MsgNorm's scale s, initialized to 1 (PyG's `learn_msg_scale`) (default false: s = 1). */
  learnMsgScale?: boolean;
  /**
   * Aggregate over N(i) ∪ {i}: one self loop per node joins the softmax (DeeperGCN's
   * `self_loop`); not with edgeDim (default false).
   */
  addSelfLoops?: boolean;
}

export interface GENConvForwardOptions {
  /** Edge features [E, edgeDim] in edgeIndex order (only for a layer built with edgeDim). */
  edgeAttr?: Tensor;
}

/**
 * DeeperGCN's generalized graph convolution (PyG's `GENConv`, softmax or power-mean aggregation):
 *   m_ij = ReLU(x_j + e_ij) + ε,   a_i = Σ_j softmax_j(t·m_ij)·m_ij (per channel)
 *   (aggr 'power': a_i = (mean_j m_ij^p)^(1/p)),
 *   out_i = MLP(a_i + x_i) (with msgNorm: MLP(s·‖x_i‖·a_i/‖a_i‖ + x_i)),   MLP = Linear(out, expansion·out) → ReLU → Linear(expansion·out, out)
 * (or one Linear(out, out) with mlpLayers 1). x is first projected to outChannels when the widths
 * differ, and edge features to the same width.
 * The aggregation is one fused native pass (softmaxAggregate, powerAggregate) that keeps no E×F tensor.
 *
 * @example
 * using conv = new GENConv(64, 64, { seed: 0 });
 * const h = conv.forward(x, graph);
 */
export class GENConv extends GraphConv<GENConvForwardOptions> {
  readonly aggr: 'softmax' | 'power';
  /** The inverse temperature [1]: a parameter when learned, else a constant of the layer (null with aggr 'power'). */
  readonly t: Tensor | null;
  /** The power [1] of aggr 'power': a parameter when learned, else a constant (null with aggr 'softmax'). */
  readonly p: Tensor | null;
  readonly eps: number;
  readonly edgeDim: number | null;
  readonly lin: Linear | null;
  readonly linEdge: Linear | null;
  /** The update: an MLP (mlpLayers 2) or one Linear (mlpLayers 1). */
  readonly mlp: MLP | Linear;
  readonly addSelfLoops: boolean;
  /** MsgNorm's scale s [1] (a parameter when learned), or null without MsgNorm. */
  readonly msgScale: Tensor | null;

  constructor(inChannels: number, outChannels: number, options: GENConvOptions = {}) {
    requireObject('GENConv', 'options', options);
    super('GENConv', inChannels, outChannels, options);
    this.aggr = options.aggr ?? 'softmax';
    if (this.aggr !== 'softmax' && this.aggr !== 'power') throw new RangeError(`GENConv: aggr must be 'softmax' or 'power', got ${String(this.aggr)}`);
    const power = this.aggr === 'power';
    if (power && (options.t !== undefined || options.learnT !== undefined)) throw new RangeError("GENConv: t and learnT apply to aggr 'softmax' only");
    if (!power && (options.p !== undefined || options.learnP !== undefined)) throw new RangeError("GENConv: p and learnP apply to aggr 'power' only");
    const t0 = options.t ?? 1;
    if (typeof t0 !== 'number' || !Number.isFinite(t0)) throw new RangeError(`GENConv: t must be finite, got ${String(t0)}`);
    const learnT = options.learnT ?? true;
    if (typeof learnT !== 'boolean') throw new TypeError(`GENConv: learnT must be true or false, got ${String(learnT)}`);
    const p0 = options.p ?? 1;
    if (typeof p0 !== 'number' || !Number.isFinite(p0) || p0 === 0) throw new RangeError(`GENConv: p must be finite and not 0, got ${String(p0)}`);
    const learnP = options.learnP ?? true;
    if (typeof learnP !== 'boolean') throw new TypeError(`GENConv: learnP must be true or false, got ${String(learnP)}`);
    this.eps = options.eps ?? 1e-7;
    if (!(this.eps >= 0 && Number.isFinite(this.eps))) throw new RangeError(`GENConv: eps must be a finite number ≥ 0, got ${this.eps}`);
    // The power mean goes through log m: its messages must be positive.
    if (power && this.eps === 0) throw new RangeError("GENConv: eps must be > 0 with aggr 'power', got 0");
    const expansion = options.expansion ?? 2;
    if (!Number.isInteger(expansion) || expansion < 1) throw new RangeError(`GENConv: expansion must be a positive integer, got ${expansion}`);
    const mlpLayers = options.mlpLayers ?? 2;
    if (mlpLayers !== 1 && mlpLayers !== 2) throw new RangeError(`GENConv: mlpLayers must be 1 or 2, got ${String(mlpLayers)}`);
    const msgNorm = options.msgNorm ?? false;
    if (typeof msgNorm !== 'boolean') throw new TypeError(`GENConv: msgNorm must be true or false, got ${String(msgNorm)}`);
    const learnMsgScale = options.learnMsgScale ?? false;
    if (typeof learnMsgScale !== 'boolean') throw new TypeError(`GENConv: learnMsgScale must be true or false, got ${String(learnMsgScale)}`);
    if (learnMsgScale && !msgNorm) throw new RangeError('GENConv: learnMsgScale needs msgNorm: true');
    this.addSelfLoops = options.addSelfLoops ?? false;
    if (typeof this.addSelfLoops !== 'boolean') throw new TypeError(`GENConv: addSelfLoops must be true or false, got ${String(this.addSelfLoops)}`);
    const edgeDim = options.edgeDim ?? null;
    if (edgeDim !== null && !(Number.isInteger(edgeDim) && edgeDim >= 1)) throw new RangeError(`GENConv: edgeDim must be a positive integer, got ${edgeDim}`);
    if (this.addSelfLoops && edgeDim !== null) throw new RangeError('GENConv: addSelfLoops cannot be combined with edgeDim (a self loop has no edge feature)');
    this.edgeDim = edgeDim;
    const rng = layerRng(options);
    const common = { rng, ...this.placement };
    [this.t, this.p, this.lin, this.linEdge, this.mlp, this.msgScale] = this.build(() => {
      // A fixed t or p (and a fixed MsgNorm scale) is made last: nothing after it can throw and leave it undisposed.
      const t = !power && learnT ? this.param('t', [1], () => [t0], rng) : null;
      const p = power && learnP ? this.param('p', [1], () => [p0], rng) : null;
      const msgScale = learnMsgScale ? this.param('msgScale', [1], () => [1], rng) : null;
      const lin = inChannels !== outChannels ? this.registerModule('lin', new Linear(inChannels, outChannels, { ...common, bias: false })) : null;
      const linEdge = edgeDim !== null ? this.registerModule('linEdge', new Linear(edgeDim, outChannels, { ...common, bias: false })) : null;
      const mlp = this.registerModule(
        'mlp',
        mlpLayers === 2
          ? new MLP(outChannels, outChannels, { ...common, hiddenChannels: expansion * outChannels, bias: options.bias })
          : new Linear(outChannels, outChannels, { ...common, bias: options.bias }),
      );
      const fixedScale = msgNorm && !msgScale ? this.#constant(1) : null;
      const fixedT = !power && !t ? this.#constant(t0) : null;
      const fixedP = power && !p ? this.#constant(p0) : null;
      return [t ?? fixedT, p ?? fixedP, lin, linEdge, mlp, msgScale ?? fixedScale] as const;
    });
  }

  #constant(value: number): Tensor {
    const host = Tensor.from(this.placement.dtype === 'f64' ? new Float64Array([value]) : new Float32Array([value]), [1], { dtype: this.placement.dtype });
    const t = keep(this.placement.device === 'cpu' ? host : host.to(this.placement.device));
    if (t !== host) host.dispose();
    return t;
  }

  override dispose(): void {
    if (!this.t?.requiresGrad) this.t?.dispose();
    if (!this.p?.requiresGrad) this.p?.dispose();
    if (!this.msgScale?.requiresGrad) this.msgScale?.dispose();
    super.dispose();
  }

  protected conv(x: NodeFeatures, graph: Graph, options: GENConvForwardOptions): Tensor {
    const h = this.lin ? this.lin.forward(x) : dense(x);
    let e: Tensor | null = null;
    if (options.edgeAttr !== undefined) {
      if (!this.linEdge) throw new RangeError('GENConv.forward: edgeAttr was given to a layer built without edgeDim');
      if (!(options.edgeAttr instanceof Tensor)) throw new TypeError('GENConv.forward: options.edgeAttr must be a Tensor');
      const ea = options.edgeAttr;
      if (ea.shape.length !== 2 || ea.shape[0] !== graph.numEdges || ea.shape[1] !== this.edgeDim) {
        throw new RangeError(`GENConv.forward: edgeAttr ${ea.describe()} must be [${graph.numEdges}, ${this.edgeDim}] (edges × edgeDim)`);
      }
      e = this.linEdge.forward(ea);
    } else if (this.linEdge) {
      throw new RangeError(`GENConv.forward: this layer was built with edgeDim ${this.edgeDim}: pass options.edgeAttr`);
    }
    const op = this.operator(graph, this.addSelfLoops ? 'gin' : 'sum');
    let aggregated = this.p ? powerAggregate(op, h, e, this.p, { eps: this.eps }) : softmaxAggregate(op, h, e, this.t!, { eps: this.eps });
    if (this.msgScale) aggregated = messageNorm(h, aggregated, this.msgScale);
    return this.mlp.forward(add(aggregated, h));
  }
}
