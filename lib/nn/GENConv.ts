import { keep } from '../autograd/scope.js';
import { requireObject } from '../errors/args.js';
import { add } from '../functional/arithmetic.js';
import { softmaxAggregate } from '../functional/softmaxAggregate.js';
import type { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import { Linear } from './Linear.js';
import { MLP } from './MLP.js';

export interface GENConvOptions extends LayerOptions {
  /** Initial inverse temperature t of the softmax aggregation (default 1). */
  t?: number;
  /** Learn t (default true, as DeeperGCN trains it; PyG's default is a fixed t). */
  learnT?: boolean;
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
}

export interface GENConvForwardOptions {
  /** Edge features [E, edgeDim] in edgeIndex order (only for a layer built with edgeDim). */
  edgeAttr?: Tensor;
}

/**
 * DeeperGCN's generalized graph convolution (PyG's `GENConv`, softmax aggregation):
 *   m_ij = ReLU(x_j + e_ij) + ε,   a_i = Σ_j softmax_j(t·m_ij)·m_ij (per channel),
 *   out_i = MLP(a_i + x_i),   MLP = Linear(out, expansion·out) → ReLU → Linear(expansion·out, out)
 * (or one Linear(out, out) with mlpLayers 1). x is first projected to outChannels when the widths
 * differ, and edge features to the same width.
 * The aggregation is one fused native pass (softmaxAggregate) that keeps no E×F tensor.
 *
 * @example
 * using conv = new GENConv(64, 64, { seed: 0 });
 * const h = conv.forward(x, graph);
 */
export class GENConv extends GraphConv<GENConvForwardOptions> {
  /** The inverse temperature [1]: a parameter when learned, else a constant of the layer. */
  readonly t: Tensor;
  readonly eps: number;
  readonly edgeDim: number | null;
  readonly lin: Linear | null;
  readonly linEdge: Linear | null;
  /** The update: an MLP (mlpLayers 2) or one Linear (mlpLayers 1). */
  readonly mlp: MLP | Linear;

  constructor(inChannels: number, outChannels: number, options: GENConvOptions = {}) {
    requireObject('GENConv', 'options', options);
    super('GENConv', inChannels, outChannels, options);
    const t0 = options.t ?? 1;
    if (typeof t0 !== 'number' || !Number.isFinite(t0)) throw new RangeError(`GENConv: t must be finite, got ${String(t0)}`);
    const learnT = options.learnT ?? true;
    if (typeof learnT !== 'boolean') throw new TypeError(`GENConv: learnT must be true or false, got ${String(learnT)}`);
    this.eps = options.eps ?? 1e-7;
    if (!(this.eps >= 0 && Number.isFinite(this.eps))) throw new RangeError(`GENConv: eps must be a finite number ≥ 0, got ${this.eps}`);
    const expansion = options.expansion ?? 2;
    if (!Number.isInteger(expansion) || expansion < 1) throw new RangeError(`GENConv: expansion must be a positive integer, got ${expansion}`);
    const mlpLayers = options.mlpLayers ?? 2;
    if (mlpLayers !== 1 && mlpLayers !== 2) throw new RangeError(`GENConv: mlpLayers must be 1 or 2, got ${String(mlpLayers)}`);
    const edgeDim = options.edgeDim ?? null;
    if (edgeDim !== null && !(Number.isInteger(edgeDim) && edgeDim >= 1)) throw new RangeError(`GENConv: edgeDim must be a positive integer, got ${edgeDim}`);
    this.edgeDim = edgeDim;
    const rng = layerRng(options);
    const common = { rng, ...this.placement };
    [this.t, this.lin, this.linEdge, this.mlp] = this.build(() => {
      // A fixed t is made last: nothing after it can throw and leave it undisposed.
      const t = learnT ? this.param('t', [1], () => [t0], rng) : null;
      const lin = inChannels !== outChannels ? this.registerModule('lin', new Linear(inChannels, outChannels, { ...common, bias: false })) : null;
      const linEdge = edgeDim !== null ? this.registerModule('linEdge', new Linear(edgeDim, outChannels, { ...common, bias: false })) : null;
      const mlp = this.registerModule(
        'mlp',
        mlpLayers === 2
          ? new MLP(outChannels, outChannels, { ...common, hiddenChannels: expansion * outChannels, bias: options.bias })
          : new Linear(outChannels, outChannels, { ...common, bias: options.bias }),
      );
      return [t ?? this.#constant(t0), lin, linEdge, mlp] as const;
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
    const aggregated = softmaxAggregate(this.operator(graph, 'sum'), h, e, this.t, { eps: this.eps });
    return this.mlp.forward(add(aggregated, h));
  }
}
