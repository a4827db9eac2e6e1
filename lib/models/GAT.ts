import { Rng } from '../random/rng.js';
import type { Graph } from '../graph/Graph.js';
import type { Block } from '../graph/Block.js';
import { balancedInit, type GatLayerValues } from '../init/balanced.js';
import { glorotUniform } from '../init/glorot.js';
import { GATConv } from '../nn/GATConv.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { z } from 'zod';
import type { ModelEntry, ModelSpec } from './modelEntry.js';
import { checkParametersFit } from '../nn/parameterBudget.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';
import { headsFlag } from './sharedFlags.js';
import { checkBlocks } from './checkBlocks.js';
import { layerStack } from './layerStack.js';
import type { Parameter } from '../nn/Parameter.js';
import { requireObject } from '../errors/args.js';

export interface GATOptions {
  inChannels: number;
  /** Channels per head in hidden layers. */
  hiddenChannels: number;
  outChannels: number;
  /** Number of GATConv layers L (default 2): the first reads the features, the last gives the classes. */
  numLayers?: number;
  /** Heads per layer (default 1): concatenated in hidden layers, averaged in the last. */
  heads?: number;
  /** 'v1' (default, PyG's `GATConv`) or 'v2'. */
  version?: 'v1' | 'v2';
  /** GATv2 only: one projection for sources and targets (default true). */
  shareWeights?: boolean;
  /** Feature dropout before every layer and attention dropout inside it (default 0). */
  dropout?: number;
  /** 'glorot' (PyG's default), 'balanced-x' (BalX) or 'balanced-o' (BalO) of docs/methods.md §3. */
  init?: 'glorot' | 'balanced-x' | 'balanced-o';
  /**
   * Biases (default false): the conservation law and the balanced initialization of docs/methods.md §3
   * are stated for bias-free layers.
   */
  bias?: boolean;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * A deep GAT (docs/methods.md §2.2, source 3): [dropout → GATConv → ReLU] × (L−1) → dropout → GATConv with
 * the heads averaged in the last layer. ReLU rather than ELU keeps the network positively
 * homogeneous, which the balance law and its rescale check rely on. A seed fixes initialization
 * and every dropout mask.
 *
 * @example
 * using model = new GAT({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 10, init: 'balanced-o' });
 * const logits = model.forward(x, graph);
 */
export class GAT extends NodeModel {
  /** 'gat' (v1) or 'gatv2'. */
  readonly name: string;
  readonly layers: GATConv[];
  readonly dropout: number;
  #dropoutRng: Rng;

  constructor(options: GATOptions) {
    super();
    requireObject('GAT', 'options', options);
    const L = options.numLayers ?? 2;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GAT: numLayers must be a positive integer, got ${L}`);
    this.dropout = options.dropout ?? 0;
    const heads = options.heads ?? 1;
    const version = options.version ?? 'v1';
    this.name = version === 'v2' ? 'gatv2' : 'gat';
    const share = options.shareWeights ?? true;
    const init = options.init ?? 'glorot';
    if (!['glorot', 'balanced-x', 'balanced-o'].includes(init))
      throw new RangeError(`GAT: init must be 'glorot', 'balanced-x' or 'balanced-o', got ${String(init)}`);
    const rng = new Rng(options.seed ?? 0);
    this.#dropoutRng = new Rng((options.seed ?? 0) + 0x5eed);
    this.registerCheckpointState({ ...options, version }, this.#dropoutRng);
    const values = GAT.#initialValues(options, L, heads, version, share, init, rng);
    this.layers = [];
    this.build(() => {
      values.forEach((v, l) => {
        const last = l === L - 1;
        const conv = new GATConv(v.cols, last ? options.outChannels : options.hiddenChannels, {
          heads,
          concat: !last,
          version,
          shareWeights: share,
          dropout: this.dropout,
          bias: options.bias ?? false,
          weight: v.weights[0],
          weightDst: v.weights[1],
          attSrc: v.att[0],
          attDst: v.att[1],
          rng,
          dtype: options.dtype,
          device: options.device,
        });
        this.layers.push(this.registerModule(`conv${l}`, conv));
      });
    });
  }

  static #initialValues(o: GATOptions, L: number, heads: number, version: 'v1' | 'v2', share: boolean, init: string, rng: Rng): GatLayerValues[] {
    const layers: GatLayerValues[] = [];
    let tensors = 0;
    let scalars = 0;
    for (let l = 0; l < L; l++) {
      const rows = heads * (l === L - 1 ? o.outChannels : o.hiddenChannels);
      const cols = l === 0 ? o.inChannels : heads * o.hiddenChannels;
      const nw = version === 'v2' && !share ? 2 : 1;
      const na = version === 'v1' ? 2 : 1;
      // Every layer's values are drawn before any is registered: bound them first when a
      // checkpoint's config is being rebuilt.
      tensors += nw + na;
      scalars += nw * rows * cols + na * rows;
      checkParametersFit(tensors, scalars);
      layers.push({
        rows,
        cols,
        weights: Array.from({ length: nw }, () => glorotUniform(rows, cols, rng)),
        // PyG's glorot for the attention vectors viewed as [heads, channels].
        att: Array.from({ length: na }, () => glorotUniform(heads, rows / heads, rng)),
      });
    }
    if (init !== 'glorot') balancedInit(layers, { base: init === 'balanced-o' ? 'looks-linear' : 'xavier', rng });
    return layers;
  }

  /** The current parameter values in float64 (for gatBalance and other diagnostics). */
  layerValues(): GatLayerValues[] {
    return this.layers.map((conv) => ({
      rows: conv.weight.shape[0],
      cols: conv.weight.shape[1],
      weights: [conv.weight, conv.weightDst].filter((w) => w !== null).map((w) => Float64Array.from(w.toArray())),
      att: [conv.attSrc, conv.attDst].filter((a) => a !== null).map((a) => Float64Array.from(a.toArray())),
    }));
  }

  /** Logits and every GATConv output Z^l (before its ReLU; the last one is the logits). */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    return layerStack(this.layers, x, graph, this.dropout, this.#dropoutRng, this.training);
  }

  /**
   * Logits of a sampled batch's seed nodes: layer l runs on blocks[l] (x holds blocks[0]'s
   * sources); the same stack, dropout draws and attention as forward().
   */
  override prepareBlocks(blocks: readonly Block[]): void {
    const checked = checkBlocks('GAT.prepareBlocks', this.layers.length, blocks);
    this.layers.forEach((conv, l) => conv.prepareBlock(checked[l]));
  }

  override forwardBlocks(x: Tensor | SparseFeatures, blocks: readonly Block[]): Tensor {
    const checked = checkBlocks('GAT.forwardBlocks', this.layers.length, blocks);
    return layerStack(this.layers, x, checked, this.dropout, this.#dropoutRng, this.training).logits;
  }

  override layerParameters(): Parameter[][] {
    return this.layers.map((conv) => conv.parameters());
  }
}

const gatInits = ['glorot', 'balanced', 'balanced-x', 'balanced-o'] as const;

function gatEntryFor(version: 'v1' | 'v2'): ModelEntry<GATOptions> {
  return {
    name: version === 'v1' ? 'gat' : 'gatv2',
    summary: `GAT${version === 'v1' ? 'v1' : 'v2'}: [dropout → GATConv → ReLU] × (L−1) → dropout → GATConv (heads averaged), glorot or balanced init`,
    options: z.looseObject({
      ...modelBase,
      hiddenChannels: channels(),
      numLayers: depth().optional(),
      heads: z.int().min(1).max(1024).optional(),
      dropout: probability().optional(),
      // 'gat' is GATv1 and 'gatv2' GATv2, whatever a config says.
      version: z.enum([version], { error: `expected '${version}' for model '${version === 'v1' ? 'gat' : 'gatv2'}'` }).optional(),
    }),
    build: (o) => new GAT({ ...o, version }),
    inits: gatInits,
    flags: [headsFlag],
    check: (s: ModelSpec) => {
      if (s.init === 'balanced' || s.init === 'balanced-o') {
        const width = s.hidden! * ((s.heads as number | undefined) ?? 1);
        if (width % 2 !== 0)
          throw new RangeError(`--init ${s.init} needs an even hidden width (heads × channels), got ${width}: change --hidden to ${s.hidden! + 1}`);
      }
    },
    fromSpec: (s, io) => ({
      ...io,
      hiddenChannels: s.hidden!,
      numLayers: s.layers!,
      heads: (s.heads as number | undefined) ?? 1,
      version,
      dropout: s.dropout,
      seed: s.seed,
      init: (s.init === 'balanced' ? 'balanced-o' : (s.init ?? 'glorot')) as GATOptions['init'],
    }),
    defaults: { layers: 2, hidden: 64, lr: 0.01, weightDecay: 5e-4 },
  };
}

/** The registry's entries for GATv1 ('gat') and GATv2 ('gatv2'). */
export const gatEntry = gatEntryFor('v1');
export const gatv2Entry = gatEntryFor('v2');
