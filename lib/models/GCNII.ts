import { z } from 'zod';

import { requireObject } from '../errors/args.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import { reluDropout } from '../functional/reluDropout.js';
import type { Graph } from '../graph/Graph.js';
import { GCN2Conv } from '../nn/GCN2Conv.js';
import { Linear } from '../nn/Linear.js';
import type { Parameter } from '../nn/Parameter.js';
import { Rng } from '../random/rng.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { alphaFlag } from './sharedFlags.js';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';

export interface GCNIIOptions {
  inChannels: number;
  /** Width of x₀ and of every GCN2Conv (default 64). */
  hiddenChannels?: number;
  outChannels: number;
  /** Number of GCN2Conv layers L ≥ 1 (default 64). */
  numLayers?: number;
  /** Initial-residual weight α in [0, 1] (default 0.1). */
  alpha?: number;
  /** θ > 0 of the identity mapping β_ℓ = log(θ/ℓ + 1) (default 0.5). */
  theta?: number;
  /** Dropout before the encoder, before every GCN2Conv and before the decoder (default 0.6). */
  dropout?: number;
  /** One weight per GCN2Conv (default true); false gives each a second weight for the x₀ term. */
  sharedWeights?: boolean;
  /**
   * L2 weight decay of the GCN2Conv weights, set on those parameters (Parameter.weightDecay) so it
   * overrides the optimizer's, which then applies to the encoder and decoder (default 0.01, the
   * paper's; null: the optimizer's for all).
   */
  convWeightDecay?: number | null;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * GCNII (Chen et al., "Simple and Deep Graph Convolutional Networks"): x₀ = ReLU(Linear(dropout(X)));
 * then L × [dropout → GCN2Conv(ℓ) (initial residual to x₀, identity mapping β_ℓ = log(θ/ℓ + 1))
 * → ReLU]; logits = Linear(dropout(h)). The conv weights are Glorot-initialized (PyG) and the two
 * Linear layers as PyTorch's; the conv weights carry their own weight decay (convWeightDecay).
 * A seed fixes initialization and every dropout mask.
 *
 * @example
 * using model = new GCNII({ inChannels: 1433, outChannels: 7, numLayers: 64, seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class GCNII extends NodeModel {
  readonly name = 'gcnii';
  readonly encoder: Linear;
  readonly layers: GCN2Conv[] = [];
  readonly decoder: Linear;
  readonly dropout: number;
  readonly alpha: number;
  readonly theta: number;
  #dropoutRng: Rng;

  constructor(options: GCNIIOptions) {
    super();
    requireObject('GCNII', 'options', options);
    const L = options.numLayers ?? 64;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GCNII: numLayers must be a positive integer, got ${String(L)}`);
    const hidden = options.hiddenChannels ?? 64;
    this.dropout = options.dropout ?? 0.6;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`GCNII: dropout must be in [0, 1), got ${String(this.dropout)}`);
    this.alpha = options.alpha ?? 0.1;
    this.theta = options.theta ?? 0.5;
    if (typeof this.theta !== 'number' || !(this.theta > 0 && Number.isFinite(this.theta)))
      throw new RangeError(`GCNII: theta must be a finite number > 0, got ${String(this.theta)}`);
    const decay = options.convWeightDecay === undefined ? 0.01 : options.convWeightDecay;
    if (decay !== null && (typeof decay !== 'number' || !(decay >= 0 && Number.isFinite(decay)))) {
      throw new RangeError(`GCNII: convWeightDecay must be a finite number ≥ 0 or null, got ${String(decay)}`);
    }
    const sharedWeights = options.sharedWeights ?? true;
    const seed = options.seed ?? 0;
    this.#dropoutRng = new Rng(seed + 0x5eed);
    this.registerCheckpointState(
      {
        inChannels: options.inChannels,
        hiddenChannels: hidden,
        outChannels: options.outChannels,
        numLayers: L,
        alpha: this.alpha,
        theta: this.theta,
        dropout: this.dropout,
        sharedWeights,
        convWeightDecay: decay,
        seed,
        dtype: options.dtype ?? 'f32',
        device: options.device ?? 'cpu',
      } satisfies Required<GCNIIOptions>,
      this.#dropoutRng,
    );
    const rng = new Rng(seed);
    const common = { rng, dtype: options.dtype, device: options.device };
    let encoder: Linear | undefined;
    let decoder: Linear | undefined;
    this.build(() => {
      encoder = this.registerModule('encoder', new Linear(options.inChannels, hidden, common));
      for (let l = 0; l < L; l++) {
        const conv = new GCN2Conv(hidden, { ...common, alpha: this.alpha, theta: this.theta, layer: l + 1, sharedWeights });
        this.layers.push(this.registerModule(`conv${l}`, conv));
        if (decay !== null) for (const p of conv.parameters()) p.weightDecay = decay;
      }
      decoder = this.registerModule('decoder', new Linear(hidden, options.outChannels, common));
    });
    this.encoder = encoder!;
    this.decoder = decoder!;
  }

  /**
   * Logits. The same pass (the same dropout draws and values) as forwardFeatures(), which keeps
   * every Z^ℓ; here each Z^ℓ is freed once its ReLU has read it (backward needs only the ReLU's
   * mask and the convolutions' inputs).
   */
  override forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return this.#pass(x, graph, null);
  }

  /**
   * Logits and each layer's output: x₀ (the encoder's, after its ReLU), then every GCN2Conv output
   * Z^ℓ before its ReLU. `layerParameters()` pairs the encoder with x₀ and conv ℓ with Z^ℓ.
   */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    const features: Tensor[] = [];
    const logits = this.#pass(x, graph, features);
    return { logits, features };
  }

  #pass(x: Tensor | SparseFeatures, graph: Graph, features: Tensor[] | null): Tensor {
    const how = () => ({ seed: this.#dropoutRng.nextUint32(), training: this.training });
    const x0 = relu(this.encoder.forward(dropout(x, this.dropout, how())));
    features?.push(x0);
    let h = dropout(x0, this.dropout, how());
    const dropping = this.training && this.dropout > 0;
    for (const conv of this.layers) {
      const z = conv.forward(h, graph, { x0 });
      // An active dropout's output is read by no backward (dropout keeps its mask, GCN2Conv's
      // propagate reads only the operator); without dropout h may be a ReLU's output, which is.
      if (dropping && h !== x0) h.releaseData();
      h = reluDropout(z, this.dropout, how());
      if (features) features.push(z);
      else z.releaseData();
    }
    return this.decoder.forward(h);
  }

  /**
   * The options that rebuild this model's architecture (JSON-safe, every default filled in);
   * checkpoints store it.
   *
   * @example
   * using twin = new GCNII(model.config());
   */
  override config(): GCNIIOptions {
    return super.config() as GCNIIOptions;
  }

  override layerParameters(): Parameter[][] {
    return [this.encoder.parameters(), ...this.layers.map((conv) => conv.parameters())];
  }
}

const dims = (max: number) => z.int().min(1).max(max);
const gcniiSchema = z.strictObject({
  inChannels: dims(1 << 24),
  hiddenChannels: dims(1 << 16).optional(),
  outChannels: dims(1 << 16),
  numLayers: dims(1 << 14).optional(),
  alpha: z.number().min(0).max(1).optional(),
  theta: z.number().positive().max(1e6).optional(),
  dropout: z.number().min(0).lt(1).optional(),
  sharedWeights: z.boolean().optional(),
  convWeightDecay: z.number().min(0).max(1e3).nullable().optional(),
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  dtype: z.enum(['f32', 'f64']).optional(),
  device: z.enum(['cpu', 'cuda']).optional(),
});

/**
 * GCNII in the model registry: `--model gcnii`, with the paper's Cora setting as defaults (64
 * layers of width 64, α 0.1, θ 0.5, dropout 0.6, Adam lr 0.01, weight decay 0.01 on the
 * convolutions and 5e-4 on the rest; the paper trains up to 1000 epochs with patience 100:
 * pass --epochs 1000 --patience 100).
 */
export const gcniiEntry: ModelEntry<GCNIIOptions> = {
  name: 'gcnii',
  summary: 'GCNII: GCN2Conv layers with an initial residual to x₀ (--alpha) and identity mapping log(θ/ℓ + 1) (--theta); --layers counts GCN2Conv layers',
  options: gcniiSchema,
  build: (o) => new GCNII(o),
  inits: ['glorot'],
  flags: [
    alphaFlag,
    {
      key: 'theta',
      flag: '--theta <t>',
      description: 'gcnii: identity-mapping strength θ > 0, β_ℓ = log(θ/ℓ + 1) (default 0.5)',
      value: { kind: 'real', min: 0, max: Infinity, openMin: true, openMax: true },
    },
  ],
  fromSpec: (s, io) => ({
    inChannels: io.inChannels,
    outChannels: io.outChannels,
    device: io.device,
    hiddenChannels: s.hidden ?? 64,
    numLayers: s.layers ?? 64,
    dropout: s.dropout,
    alpha: s.alpha as number | undefined,
    theta: s.theta as number | undefined,
    seed: s.seed,
  }),
  defaults: { layers: 64, hidden: 64, dropout: 0.6, lr: 0.01, weightDecay: 5e-4 },
};
