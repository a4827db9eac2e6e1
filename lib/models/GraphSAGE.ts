import { z } from 'zod';

import { requireObject } from '../errors/args.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import type { Parameter } from '../nn/Parameter.js';
import { SAGEConv } from '../nn/SAGEConv.js';
import { Rng } from '../random/rng.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { layerStack } from './layerStack.js';
import { checkBlocks } from './checkBlocks.js';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';

export interface GraphSAGEOptions {
  inChannels: number;
  hiddenChannels: number;
  outChannels: number;
  /** Number of SAGEConv layers (default 2); a sampled batch needs one fanout per layer. */
  numLayers?: number;
  /** Dropout before every layer, the input included (default 0.5). */
  dropout?: number;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * GraphSAGE (Hamilton et al.; PyG's `GraphSAGE` with mean aggregation):
 * [dropout → SAGEConv → ReLU] × (L−1) → dropout → SAGEConv. It trains full-batch on a Graph or
 * on sampled mini-batches ({@link forwardBlocks}, one Block per layer, see neighborLoader) and
 * evaluates on the full graph; a block of every neighbour of every node gives the full-batch
 * logits. Dropout masks come from the model's own seeded stream.
 *
 * @example
 * using model = new GraphSAGE({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, seed: 0 });
 * const logits = model.forward(x, graph);
 * const batchLogits = model.forwardBlocks(batchX, batch.blocks); // [batch.batchSize, 7]
 */
export class GraphSAGE extends NodeModel {
  readonly name = 'sage';
  readonly layers: SAGEConv[] = [];
  readonly dropout: number;
  #dropoutRng: Rng;

  constructor(options: GraphSAGEOptions) {
    super();
    requireObject('GraphSAGE', 'options', options);
    const L = options.numLayers ?? 2;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GraphSAGE: numLayers must be a positive integer, got ${L}`);
    this.dropout = options.dropout ?? 0.5;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`GraphSAGE: dropout must be in [0, 1), got ${this.dropout}`);
    const seed = options.seed ?? 0;
    this.#dropoutRng = new Rng(seed + 0x5eed);
    this.registerCheckpointState(
      {
        inChannels: options.inChannels,
        hiddenChannels: options.hiddenChannels,
        outChannels: options.outChannels,
        numLayers: L,
        dropout: this.dropout,
        seed,
        dtype: options.dtype ?? 'f32',
        device: options.device ?? 'cpu',
      },
      this.#dropoutRng,
    );
    const rng = new Rng(seed);
    const widths = [options.inChannels, ...Array<number>(L - 1).fill(options.hiddenChannels), options.outChannels];
    this.build(() => {
      for (let l = 0; l < L; l++) {
        this.layers.push(this.registerModule(`conv${l}`, new SAGEConv(widths[l], widths[l + 1], { rng, dtype: options.dtype, device: options.device })));
      }
    });
  }

  /** The options that rebuild this model's architecture (JSON-safe); checkpoints store it. */
  override config(): GraphSAGEOptions {
    return super.config() as GraphSAGEOptions;
  }

  /** Logits and every SAGEConv output Z^l (before its ReLU; the last one is the logits), full-batch. */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    return layerStack(this.layers, x, graph, this.dropout, this.#dropoutRng, this.training);
  }

  /**
   * Logits of a sampled batch's seed nodes: layer l runs on blocks[l] (x holds blocks[0]'s
   * sources; each block's targets are the next one's sources).
   */
  override prepareBlocks(blocks: readonly Block[]): void {
    const checked = checkBlocks('GraphSAGE.prepareBlocks', this.layers.length, blocks);
    this.layers.forEach((conv, l) => conv.prepareBlock(checked[l]));
  }

  override forwardBlocks(x: Tensor | SparseFeatures, blocks: readonly Block[]): Tensor {
    const checked = checkBlocks('GraphSAGE.forwardBlocks', this.layers.length, blocks);
    return layerStack(this.layers, x, checked, this.dropout, this.#dropoutRng, this.training).logits;
  }

  override layerParameters(): Parameter[][] {
    return this.layers.map((conv) => conv.parameters());
  }
}

/** The registry's entry for GraphSAGE (lib/models/registry.ts). */
export const sageEntry: ModelEntry<GraphSAGEOptions> = {
  name: 'sage',
  summary: 'GraphSAGE (mean): [dropout → SAGEConv → ReLU] × (L−1) → dropout → SAGEConv; trains on sampled batches with --batch-size',
  options: z.looseObject({ ...modelBase, hiddenChannels: channels(), numLayers: depth().optional(), dropout: probability().optional() }),
  build: (o) => new GraphSAGE(o),
  inits: ['kaiming-uniform'],
  fromSpec: (s, io) => ({ ...io, hiddenChannels: s.hidden!, numLayers: s.layers!, dropout: s.dropout, seed: s.seed }),
  defaults: { layers: 2, hidden: 64, dropout: 0.5, lr: 0.01, weightDecay: 5e-4 },
};
