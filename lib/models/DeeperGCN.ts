import { z } from 'zod';

import { requireObject } from '../errors/args.js';
import { add } from '../functional/arithmetic.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import type { Graph } from '../graph/Graph.js';
import { GENBranch } from '../nn/GENBranch.js';
import { GENConv } from '../nn/GENConv.js';
import { LayerNorm } from '../nn/LayerNorm.js';
import { Linear } from '../nn/Linear.js';
import type { Parameter } from '../nn/Parameter.js';
import { ReversibleStack } from '../nn/ReversibleStack.js';
import { Rng } from '../random/rng.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';

export interface DeeperGCNOptions {
  inChannels: number;
  hiddenChannels: number;
  outChannels: number;
  /** GENConv layers (res+) or reversible blocks (default 28). */
  numLayers?: number;
  /** 'res+' (DeeperGCN's pre-activation residual layers, default) or 'reversible' (RevGNN's grouped reversible blocks). */
  block?: 'res+' | 'reversible';
  /** Channel groups of reversible blocks (default 2). */
  groups?: number;
  /** Dropout on the input, inside every branch and before the classifier (default 0.5). */
  dropout?: number;
  /** Initial inverse temperature of every softmax aggregation (default 1), learned unless learnT is false. */
  t?: number;
  learnT?: boolean;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * DeeperGCN with GENConv softmax aggregation. res+: encoder → GENConv → [h + GENConv(Dropout(ReLU(
 * LayerNorm(h))))] × (L − 1) → ReLU(LayerNorm) → dropout → Linear. reversible: the L blocks are
 * grouped reversible blocks whose branches are the same pre-activation GENConv (RevGNN), so
 * activation memory stays that of one block at any depth.
 *
 * @example
 * using model = new DeeperGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 28 });
 * using rev = new DeeperGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 112, block: 'reversible' });
 */
export class DeeperGCN extends NodeModel {
  readonly name = 'deepergcn';
  readonly block: 'res+' | 'reversible';
  readonly dropout: number;
  readonly encoder: Linear;
  /** res+: the first GENConv, then the pre-activation layers. */
  readonly first: GENConv | null;
  readonly layers: GENBranch[];
  readonly stack: ReversibleStack | null;
  readonly norm: LayerNorm;
  readonly decoder: Linear;
  #dropoutRng: Rng;

  constructor(options: DeeperGCNOptions) {
    super();
    requireObject('DeeperGCN', 'options', options);
    const L = options.numLayers ?? 28;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`DeeperGCN: numLayers must be a positive integer, got ${L}`);
    this.block = options.block ?? 'res+';
    if (this.block !== 'res+' && this.block !== 'reversible') throw new RangeError(`DeeperGCN: block must be 'res+' or 'reversible', got ${String(this.block)}`);
    this.dropout = options.dropout ?? 0.5;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`DeeperGCN: dropout must be in [0, 1), got ${this.dropout}`);
    const seed = options.seed ?? 0;
    this.#dropoutRng = new Rng(seed + 0x5eed);
    this.registerCheckpointState(options, this.#dropoutRng);
    const rng = new Rng(seed);
    const h = options.hiddenChannels;
    const dt = { dtype: options.dtype, device: options.device };
    const gen = { ...dt, rng, t: options.t, learnT: options.learnT };
    this.layers = [];
    [this.encoder, this.first, this.stack, this.norm, this.decoder] = this.build(() => {
      const encoder = this.registerModule('encoder', new Linear(options.inChannels, h, { ...dt, rng }));
      let first: GENConv | null = null;
      let stack: ReversibleStack | null = null;
      if (this.block === 'res+') {
        first = this.registerModule('conv0', new GENConv(h, h, gen));
        for (let l = 1; l < L; l++) this.layers.push(this.registerModule(`layer${l}`, new GENBranch(h, { ...gen, dropout: this.dropout })));
      } else {
        const groups = options.groups ?? 2;
        if (!Number.isInteger(groups) || groups < 2 || h % groups !== 0) {
          throw new RangeError(`DeeperGCN: groups must be an integer ≥ 2 dividing hiddenChannels (${h}), got ${groups}`);
        }
        const k = h / groups;
        stack = this.registerModule('stack', new ReversibleStack(h, { ...dt, depth: L, groups, seed, branch: () => new GENBranch(k, { ...gen, dropout: this.dropout }) }));
      }
      const norm = this.registerModule('norm', new LayerNorm(h, dt));
      const decoder = this.registerModule('decoder', new Linear(h, options.outChannels, { ...dt, rng }));
      return [encoder, first, stack, norm, decoder] as const;
    });
  }

  /** Logits and the hidden representation after the encoder and after every layer (res+), or after the stack (reversible). */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    const drop = (t: Tensor | SparseFeatures, seed: number) => dropout(t, this.dropout, { seed, training: this.training });
    let h = this.encoder.forward(drop(x, this.#dropoutRng.nextUint32()));
    const features = [h];
    if (this.stack) {
      h = this.stack.forward(h, graph);
      features.push(h);
    } else {
      h = this.first!.forward(h, graph);
      features.push(h);
      for (const layer of this.layers) {
        h = add(h, layer.forward(h, graph, { dropoutSeed: this.#dropoutRng.nextUint32() }));
        features.push(h);
      }
    }
    const out = drop(relu(this.norm.forward(h)), this.#dropoutRng.nextUint32()) as Tensor;
    return { logits: this.decoder.forward(out), features };
  }

  override layerParameters(): Parameter[][] {
    if (this.stack) return [this.encoder.parameters(), this.stack.parameters()];
    return [this.encoder.parameters(), this.first!.parameters(), ...this.layers.map((l) => l.parameters())];
  }
}

/** The registry's entry for DeeperGCN (GENConv with softmax aggregation; res+ or reversible blocks). */
export const deeperGcnEntry: ModelEntry<DeeperGCNOptions> = {
  name: 'deepergcn',
  summary: 'DeeperGCN: GENConv softmax aggregation in res+ layers, or RevGNN reversible blocks (--block reversible)',
  options: z.looseObject({
    ...modelBase, hiddenChannels: channels(), numLayers: depth().optional(), block: z.enum(['res+', 'reversible']).optional(),
    groups: z.int().min(2).max(1024).optional(), dropout: probability().optional(), t: z.number().optional(), learnT: z.boolean().optional(),
  }),
  build: (o) => new DeeperGCN(o),
  inits: [],
  flags: [
    { key: 'block', flag: '--block <kind>', description: "deepergcn: 'res+' layers or 'reversible' blocks (default res+)", value: { kind: 'choice', choices: ['res+', 'reversible'] } },
    { key: 'groups', flag: '--groups <n>', description: 'channel groups of reversible blocks (default 2)', value: { kind: 'int', min: 2, max: 1024 } },
  ],
  check: (s) => {
    if (s.groups !== undefined && s.block !== 'reversible') throw new RangeError('--groups applies to --block reversible only');
  },
  fromSpec: (s, io) => ({
    ...io, hiddenChannels: s.hidden!, numLayers: s.layers!, block: (s.block as DeeperGCNOptions['block']) ?? 'res+',
    groups: s.groups as number | undefined, dropout: s.dropout, seed: s.seed,
  }),
  defaults: { layers: 28, hidden: 64, dropout: 0.5, lr: 0.005, weightDecay: 5e-4 },
};
