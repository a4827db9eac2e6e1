import { Rng } from '../random/rng.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import { GCNConv } from '../nn/GCNConv.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { z } from 'zod';
import { checkBlocks } from './checkBlocks.js';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { aggTFlag } from './sharedFlags.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';
import { layerStack } from './layerStack.js';
import type { Parameter } from '../nn/Parameter.js';
import { requireObject } from '../errors/args.js';
import { dropout } from '../functional/dropout.js';

export interface GCNOptions {
  inChannels: number;
  hiddenChannels: number;
  outChannels: number;
  /** Number of GCNConv layers (default 2). */
  numLayers?: number;
  /** Dropout before every layer, the input included, as the Planetoid GCN baseline (default 0.5). */
  dropout?: number;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * Kipf & Welling's GCN: [dropout → GCNConv → ReLU] × (L−1) → dropout → GCNConv.
 * Dropout masks come from the model's own seeded stream, so a seed fixes the whole run.
 *
 * @example
 * using model = new GCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class GCN extends NodeModel {
  readonly name = 'gcn';
  readonly layers: GCNConv[];
  readonly dropout: number;
  #dropoutRng: Rng;

  constructor(options: GCNOptions) {
    super();
    requireObject('GCN', 'options', options);
    const L = options.numLayers ?? 2;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GCN: numLayers must be a positive integer, got ${L}`);
    this.dropout = options.dropout ?? 0.5;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`GCN: dropout must be in [0, 1), got ${this.dropout}`);
    this.#dropoutRng = new Rng((options.seed ?? 0) + 0x5eed);
    this.registerCheckpointState(
      {
        inChannels: options.inChannels,
        hiddenChannels: options.hiddenChannels,
        outChannels: options.outChannels,
        numLayers: L,
        dropout: this.dropout,
        seed: options.seed ?? 0,
        dtype: options.dtype ?? 'f32',
        device: options.device ?? 'cpu',
      },
      this.#dropoutRng,
    );
    const rng = new Rng(options.seed ?? 0);
    const widths = [options.inChannels, ...Array<number>(L - 1).fill(options.hiddenChannels), options.outChannels];
    this.layers = [];
    this.build(() => {
      for (let l = 0; l < L; l++) {
        const conv = new GCNConv(widths[l], widths[l + 1], { rng, dtype: options.dtype, device: options.device });
        this.layers.push(this.registerModule(`conv${l}`, conv));
      }
    });
  }

  /**
   * The options that rebuild this model's architecture (JSON-safe); checkpoints store it.
   *
   * @example
   * using twin = new GCN(model.config());
   */
  override config(): GCNOptions {
    return super.config() as GCNOptions;
  }

  /**
   * Logits, with each hidden layer's ReLU fused into its GCNConv (one pass over the output, and
   * only the activation kept for backward). Same dropout draws and the same values as
   * forwardFeatures(), which keeps the pre-activation outputs diagnostics read.
   */
  override forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return this.#run(x, () => graph);
  }

  /**
   * Logits of a sampled batch's seed nodes: layer l runs on blocks[l] (x holds blocks[0]'s
   * sources), normalized with the graph's degrees the blocks carry (GCNConv, Block.gcnNorm).
   */
  override prepareBlocks(blocks: readonly Block[]): void {
    const checked = checkBlocks('GCN.prepareBlocks', this.layers.length, blocks);
    this.layers.forEach((conv, l) => conv.prepareBlock(checked[l]));
  }

  override forwardBlocks(x: Tensor | SparseFeatures, blocks: readonly Block[]): Tensor {
    const checked = checkBlocks('GCN.forwardBlocks', this.layers.length, blocks);
    return this.#run(x, (l) => checked[l]);
  }

  #run(x: Tensor | SparseFeatures, graphOf: (l: number) => Graph | Block): Tensor {
    const L = this.layers.length;
    let h: Tensor | SparseFeatures = x;
    this.layers.forEach((conv, l) => {
      const input = dropout(h, this.dropout, { seed: this.#dropoutRng.nextUint32(), training: this.training });
      h = conv.forward(input, graphOf(l), { activation: l < L - 1 ? 'relu' : 'none' });
    });
    return h as Tensor;
  }

  /** Logits and every GCNConv output Z^l (before its ReLU; the last one is the logits). */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    return layerStack(this.layers, x, graph, this.dropout, this.#dropoutRng, this.training);
  }

  override layerParameters(): Parameter[][] {
    return this.layers.map((conv) => conv.parameters());
  }
}

/** The registry's entry for GCN (lib/models/registry.ts). */
export const gcnEntry: ModelEntry<GCNOptions> = {
  name: 'gcn',
  summary: "Kipf & Welling's GCN: [dropout → GCNConv → ReLU] × (L−1) → dropout → GCNConv",
  options: z.looseObject({ ...modelBase, hiddenChannels: channels(), numLayers: depth().optional(), dropout: probability().optional() }),
  build: (o) => new GCN(o),
  inits: ['glorot'],
  flags: [aggTFlag],
  check: (s) => {
    if (s.aggT !== undefined && s.aggT !== 1) throw new RangeError('--agg-t applies to --model res-gcn (the Kipf GCN uses t = 1)');
  },
  fromSpec: (s, io) => ({ ...io, hiddenChannels: s.hidden!, numLayers: s.layers!, dropout: s.dropout, seed: s.seed }),
  defaults: { layers: 2, hidden: 64, lr: 0.01, weightDecay: 5e-4 },
};
