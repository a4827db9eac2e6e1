import { z } from 'zod';

import { requireObject } from '../errors/args.js';
import { reluDropout } from '../functional/reluDropout.js';
import type { Graph } from '../graph/Graph.js';
import { GINConv } from '../nn/GINConv.js';
import { checkChannels } from '../nn/layerOptions.js';
import { Linear } from '../nn/Linear.js';
import type { Parameter } from '../nn/Parameter.js';
import { Rng } from '../random/rng.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';

export interface GINOptions {
  inChannels: number;
  /** Width of every GINConv (and of its MLP's hidden layer). */
  hiddenChannels: number;
  /** Classes: the width of the final Linear. */
  outChannels: number;
  /** Number of GINConv layers (default 2), each followed by ReLU and dropout. */
  numLayers?: number;
  /** Dropout after every GINConv's ReLU, the last one included (default 0.5). */
  dropout?: number;
  /** Learn ε in every GINConv (default false, as PyG). */
  trainEps?: boolean;
  /** ε of every GINConv, or its initial value with trainEps (default 0). */
  eps?: number;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * GIN for node classification: [GINConv(MLP) → ReLU → dropout] × L → Linear, where every
 * GINConv is nn((A + (1 + ε)I)H) with nn = Linear → ReLU → Linear at the hidden width (PyG's GIN
 * MLP). Initialization is PyTorch's Linear default for every Linear, drawn from one stream
 * seeded by `seed` in layer order; dropout masks come from the model's own seeded stream.
 *
 * @example
 * using model = new GIN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class GIN extends NodeModel {
  readonly name = 'gin';
  readonly layers: GINConv[] = [];
  readonly classifier: Linear;
  readonly dropout: number;
  readonly trainEps: boolean;
  #dropoutRng: Rng;

  constructor(options: GINOptions) {
    super();
    requireObject('GIN', 'options', options);
    for (const key of ['inChannels', 'hiddenChannels', 'outChannels'] as const) checkChannels('GIN', key, options[key]);
    const L = options.numLayers ?? 2;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GIN: numLayers must be a positive integer, got ${L}`);
    this.dropout = options.dropout ?? 0.5;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`GIN: dropout must be in [0, 1), got ${this.dropout}`);
    this.trainEps = options.trainEps ?? false;
    const seed = options.seed ?? 0;
    const config: Required<GINOptions> = {
      inChannels: options.inChannels,
      hiddenChannels: options.hiddenChannels,
      outChannels: options.outChannels,
      numLayers: L,
      dropout: this.dropout,
      trainEps: this.trainEps,
      eps: options.eps ?? 0,
      seed,
      dtype: options.dtype ?? 'f32',
      device: options.device ?? 'cpu',
    };
    this.#dropoutRng = new Rng(seed + 0x5eed);
    this.registerCheckpointState(config, this.#dropoutRng);
    const rng = new Rng(seed);
    const common = { rng, dtype: options.dtype, device: options.device };
    const made: { classifier?: Linear } = {};
    this.build(() => {
      for (let l = 0; l < L; l++) {
        const conv = new GINConv(l === 0 ? options.inChannels : options.hiddenChannels, options.hiddenChannels, {
          ...common,
          eps: config.eps,
          trainEps: this.trainEps,
        });
        this.layers.push(this.registerModule(`conv${l}`, conv));
      }
      made.classifier = this.registerModule('classifier', new Linear(options.hiddenChannels, options.outChannels, common));
    });
    this.classifier = made.classifier!;
  }

  /** The options that rebuild this model's architecture (JSON-safe); checkpoints store it. */
  override config(): Required<GINOptions> {
    return super.config() as Required<GINOptions>;
  }

  /**
   * Logits: the same pass, dropout draws and values as forwardFeatures(), except that each
   * GINConv's output is freed once its ReLU has run (nothing in backward reads it).
   */
  override forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return this.#run(x, graph, null);
  }

  /** Logits and every GINConv output Z^l (before its ReLU), then the logits (the classifier's). */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    const features: Tensor[] = [];
    const logits = this.#run(x, graph, features);
    features.push(logits);
    return { logits, features };
  }

  #run(x: Tensor | SparseFeatures, graph: Graph, features: Tensor[] | null): Tensor {
    let h: Tensor | SparseFeatures = x;
    for (const conv of this.layers) {
      const z = conv.forward(h, graph);
      h = reluDropout(z, this.dropout, { seed: this.#dropoutRng.nextUint32(), training: this.training });
      if (features) features.push(z);
      else if (h !== z) z.releaseData();
    }
    return this.classifier.forward(h);
  }

  /** Each GINConv's parameters (ε, when learned, and its MLP), then the classifier's. */
  override layerParameters(): Parameter[][] {
    return [...this.layers.map((conv) => conv.parameters()), this.classifier.parameters()];
  }
}

const POS_INT = 'expected a positive integer';
const MAX_CHANNELS = 1 << 24;
const channels = () =>
  z
    .int({ error: POS_INT })
    .positive({ error: POS_INT })
    .max(MAX_CHANNELS, { error: `expected at most ${MAX_CHANNELS} channels` });

/** A checkpoint's GIN config: types, integer ranges and bounded sizes, checked before building. */
export const ginOptionsSchema = z.strictObject({
  inChannels: channels(),
  hiddenChannels: channels(),
  outChannels: channels(),
  numLayers: z.int({ error: POS_INT }).min(1, { error: POS_INT }).max(100000, { error: 'expected at most 100000 layers' }).optional(),
  dropout: z
    .number({ error: 'expected a number in [0, 1)' })
    .gte(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' })
    .optional(),
  trainEps: z.boolean({ error: 'expected true or false' }).optional(),
  eps: z
    .number({ error: 'expected a finite number' })
    .gte(-1e6, { error: 'expected a number in [-1e6, 1e6]' })
    .lte(1e6, { error: 'expected a number in [-1e6, 1e6]' })
    .optional(),
  seed: z
    .int({ error: 'expected an integer in [0, 2^32)' })
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  dtype: z.enum(['f32', 'f64'], { error: 'expected f32 or f64' }).optional(),
  device: z.enum(['cpu', 'cuda'], { error: 'expected cpu or cuda' }).optional(),
});

/** The registry entry of GIN. */
export const ginEntry: ModelEntry<GINOptions> = {
  name: 'gin',
  summary: 'GIN: sum aggregation with a (1 + ε) self term, then a 2-layer MLP per layer; a Linear classifier',
  options: ginOptionsSchema,
  build: (o) => new GIN(o),
  inits: ['kaiming-uniform'],
  flags: [{ key: 'trainEps', flag: '--train-eps', description: 'gin: learn ε of every GINConv (default: ε = 0, fixed)', value: { kind: 'switch' } }],
  fromSpec: (s, io) => ({
    ...io,
    hiddenChannels: s.hidden ?? 64,
    numLayers: s.layers ?? 2,
    dropout: s.dropout ?? 0.5,
    trainEps: s.trainEps === true,
    seed: s.seed,
  }),
  defaults: { lr: 0.01, weightDecay: 5e-4, hidden: 64, layers: 2, dropout: 0.5 },
};
