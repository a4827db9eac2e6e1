import { z } from 'zod';

import { requireObject } from '../errors/args.js';
import { add } from '../functional/arithmetic.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import type { Graph } from '../graph/Graph.js';
import { GENBranch } from '../nn/GENBranch.js';
import { GENConv } from '../nn/GENConv.js';
import { checkChannels } from '../nn/layerOptions.js';
import { BatchNorm } from '../nn/BatchNorm.js';
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
import { channels, depth, finite, modelBase, probability } from './optionSchemas.js';

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
  /** Dropout before the classifier, and the default of the other two (default 0.5). */
  dropout?: number;
  /** Dropout on the input features (default: dropout). */
  inputDropout?: number;
  /** Dropout inside every branch, between its ReLU and its GENConv (default: dropout). */
  branchDropout?: number;
  /**
   * Every GENConv's aggregation: 'softmax' (inverse temperature t) or 'power' (the power mean with
   * power p, DeeperGCN's PowerMean) (default 'softmax').
   */
  aggr?: 'softmax' | 'power';
  /** Initial inverse temperature of every softmax aggregation (default 1), learned unless learnT is false. */
  t?: number;
  learnT?: boolean;
  /** Initial power of every power-mean aggregation (default 1, the mean), learned unless learnP is false. */
  p?: number;
  learnP?: boolean;
  /**
   * Layers of every GENConv's update MLP: 1 (one Linear) or 2 (Linear → ReLU → Linear, expansion
   * 2) (default 1: on Cora the two-layer update overfits, 75.6 % against 79.1 %, and costs more;
   * experiments/deep-layers/deepergcn-results.md).
   */
  mlpLayers?: 1 | 2;
  /** Constant factor on every branch's output (default 1). */
  branchScale?: number;
  /**
   * Normalize the encoder's output per node with a LayerNorm, the encoder then without bias (the
   * norm's shift takes its place) (default true). Without it the encoder is a plain Linear, as
   * in DeeperGCN: on row-normalized sparse features (Cora's) the first GENConv's output is then
   * one vector shared by all nodes plus a ~2 % node-specific part, and the node-independent part
   * of the residual stream drowns the signal (docs/methods.md §2.7).
   */
  encoderNorm?: boolean;
  /**
   * The norm of every branch and before the classifier: 'layer' (LayerNorm, per node) or 'batch'
   * (BatchNorm over the nodes with the graph's own statistics, DeeperGCN's default) (default 'layer').
   */
  norm?: 'layer' | 'batch';
  /** MsgNorm in every GENConv (DeeperGCN's message normalization, GENConvOptions.msgNorm) (default false). */
  msgNorm?: boolean;
  /** Learn every MsgNorm's scale (default false). */
  learnMsgScale?: boolean;
  /** Every GENConv aggregates over N(i) ∪ {i} (GENConvOptions.addSelfLoops) (default false). */
  addSelfLoops?: boolean;
  /**
   * DropEdge: in training, every pass runs on a subgraph that keeps each edge with probability
   * 1 − edgeDropout, drawn once per pass from the dropout stream and shared by all layers; the
   * subgraph lives until the next forward pass, so run backward before the next pass (default 0).
   */
  edgeDropout?: number;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * DeeperGCN with GENConv softmax aggregation. res+: encoder → GENConv → [h + GENConv(Dropout(ReLU(
 * LayerNorm(h))))] × (L − 1) → ReLU(LayerNorm) → dropout → Linear. reversible: the L blocks are
 * grouped reversible blocks whose branches are the same pre-activation GENConv (RevGNN), so
 * activation memory stays that of one block at any depth. The encoder is Linear (no bias) →
 * LayerNorm unless encoderNorm is false (then the original plain Linear).
 *
 * @example
 * using model = new DeeperGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 28 });
 * using rev = new DeeperGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 112, block: 'reversible' });
 */
export class DeeperGCN extends NodeModel {
  readonly name = 'deepergcn';
  readonly block: 'res+' | 'reversible';
  readonly dropout: number;
  readonly branchDropout: number;
  readonly inputDropout: number;
  readonly edgeDropout: number;
  readonly encoder: Linear;
  /** The encoder's per-node LayerNorm (null with encoderNorm false). */
  readonly encoderNorm: LayerNorm | null;
  /** res+: the first GENConv, then the pre-activation layers. */
  readonly first: GENConv | null;
  readonly layers: GENBranch[];
  readonly stack: ReversibleStack | null;
  readonly norm: LayerNorm | BatchNorm;
  readonly decoder: Linear;
  #dropoutRng: Rng;
  /** The last training pass's DropEdge subgraph: its backward still reads it, so it lives until the next pass. */
  #dropped: Graph | null = null;

  constructor(options: DeeperGCNOptions) {
    super();
    requireObject('DeeperGCN', 'options', options);
    for (const k of ['inChannels', 'hiddenChannels', 'outChannels'] as const) checkChannels('DeeperGCN', k, options[k]);
    const L = options.numLayers ?? 28;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`DeeperGCN: numLayers must be a positive integer, got ${L}`);
    this.block = options.block ?? 'res+';
    if (this.block !== 'res+' && this.block !== 'reversible')
      throw new RangeError(`DeeperGCN: block must be 'res+' or 'reversible', got ${String(this.block)}`);
    this.dropout = probabilityOption('dropout', options.dropout ?? 0.5);
    this.branchDropout = probabilityOption('branchDropout', options.branchDropout ?? this.dropout);
    this.inputDropout = probabilityOption('inputDropout', options.inputDropout ?? this.dropout);
    this.edgeDropout = probabilityOption('edgeDropout', options.edgeDropout ?? 0);
    const branchScale = options.branchScale ?? 1;
    if (typeof branchScale !== 'number' || !Number.isFinite(branchScale))
      throw new RangeError(`DeeperGCN: branchScale must be a finite number, got ${String(branchScale)}`);
    const encoderNorm = options.encoderNorm ?? true;
    if (typeof encoderNorm !== 'boolean') throw new TypeError(`DeeperGCN: encoderNorm must be true or false, got ${String(encoderNorm)}`);
    const norm = options.norm ?? 'layer';
    if (norm !== 'layer' && norm !== 'batch') throw new RangeError(`DeeperGCN: norm must be 'layer' or 'batch', got ${String(norm)}`);
    const groups = options.groups ?? 2;
    if (this.block === 'reversible') {
      if (!Number.isInteger(groups) || groups < 2 || options.hiddenChannels % groups !== 0) {
        throw new RangeError(`DeeperGCN: groups must be an integer ≥ 2 dividing hiddenChannels (${options.hiddenChannels}), got ${groups}`);
      }
    } else if (options.groups !== undefined) {
      throw new RangeError("DeeperGCN: groups applies to block 'reversible' only; drop it or set block: 'reversible'");
    }
    const seed = options.seed ?? 0;
    this.#dropoutRng = new Rng(seed + 0x5eed);
    this.registerCheckpointState(options, this.#dropoutRng);
    const rng = new Rng(seed);
    const h = options.hiddenChannels;
    const dt = { dtype: options.dtype, device: options.device };
    const gen = {
      ...dt,
      rng,
      aggr: options.aggr,
      t: options.t,
      learnT: options.learnT,
      p: options.p,
      learnP: options.learnP,
      mlpLayers: options.mlpLayers ?? 1,
      msgNorm: options.msgNorm,
      learnMsgScale: options.learnMsgScale,
      addSelfLoops: options.addSelfLoops,
    };
    const branch = (channels: number) => new GENBranch(channels, { ...gen, dropout: this.branchDropout, scale: branchScale, norm });
    this.layers = [];
    [this.encoder, this.encoderNorm, this.first, this.stack, this.norm, this.decoder] = this.build(() => {
      const encoder = this.registerModule('encoder', new Linear(options.inChannels, h, { ...dt, rng, bias: !encoderNorm }));
      const encNorm = encoderNorm ? this.registerModule('encoderNorm', new LayerNorm(h, dt)) : null;
      let first: GENConv | null = null;
      let stack: ReversibleStack | null = null;
      if (this.block === 'res+') {
        first = this.registerModule('conv0', new GENConv(h, h, gen));
        for (let l = 1; l < L; l++) this.layers.push(this.registerModule(`layer${l}`, branch(h)));
      } else {
        stack = this.registerModule('stack', new ReversibleStack(h, { ...dt, depth: L, groups, seed, branch: () => branch(h / groups) }));
      }
      const last = this.registerModule('norm', norm === 'batch' ? new BatchNorm(h, dt) : new LayerNorm(h, dt));
      const decoder = this.registerModule('decoder', new Linear(h, options.outChannels, { ...dt, rng }));
      return [encoder, encNorm, first, stack, last, decoder] as const;
    });
  }

  /**
   * Logits and the hidden representation after the encoder and after every layer (res+), or
   * after the stack (reversible). Every dropout mask (input, branches, classifier) is drawn
   * from the model's one dropout stream, so its state replays the pass.
   */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    const drop = (t: Tensor | SparseFeatures, p: number, seed: number) => dropout(t, p, { seed, training: this.training });
    this.#dropped?.dispose();
    this.#dropped = null;
    if (this.training && this.edgeDropout > 0) {
      this.#dropped = graph.dropEdges(this.edgeDropout, this.#dropoutRng.nextUint32());
      graph = this.#dropped;
    }
    let h = this.encoder.forward(drop(x, this.inputDropout, this.#dropoutRng.nextUint32()));
    if (this.encoderNorm) h = this.encoderNorm.forward(h);
    const features = [h];
    if (this.stack) {
      h = this.stack.forward(h, graph, { rng: this.#dropoutRng });
      features.push(h);
    } else {
      h = this.first!.forward(h, graph);
      features.push(h);
      for (const layer of this.layers) {
        h = add(h, layer.forward(h, graph, { dropoutSeed: this.#dropoutRng.nextUint32() }));
        features.push(h);
      }
    }
    const out = drop(relu(this.norm.forward(h)), this.dropout, this.#dropoutRng.nextUint32()) as Tensor;
    return { logits: this.decoder.forward(out), features };
  }

  override dispose(): void {
    this.#dropped?.dispose();
    this.#dropped = null;
    super.dispose();
  }

  override layerParameters(): Parameter[][] {
    const encoder = [...this.encoder.parameters(), ...(this.encoderNorm?.parameters() ?? [])];
    if (this.stack) return [encoder, this.stack.parameters()];
    return [encoder, this.first!.parameters(), ...this.layers.map((l) => l.parameters())];
  }
}

function probabilityOption(name: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new RangeError(`DeeperGCN: ${name} must be in [0, 1), got ${String(p)}`);
  return p;
}

/** DeeperGCN's options as a checkpoint's config may hold them (bounded sizes, no unknown keys). */
export const deeperGcnOptionsSchema = z.strictObject({
  ...modelBase,
  hiddenChannels: channels(),
  numLayers: depth().optional(),
  block: z.enum(['res+', 'reversible']).optional(),
  groups: z.int().min(2).max(1024).optional(),
  dropout: probability().optional(),
  branchDropout: probability().optional(),
  inputDropout: probability().optional(),
  aggr: z.enum(['softmax', 'power']).optional(),
  t: finite().optional(),
  learnT: z.boolean().optional(),
  p: finite().optional(),
  learnP: z.boolean().optional(),
  mlpLayers: z.union([z.literal(1), z.literal(2)]).optional(),
  branchScale: finite().optional(),
  encoderNorm: z.boolean().optional(),
  norm: z.enum(['layer', 'batch']).optional(),
  msgNorm: z.boolean().optional(),
  learnMsgScale: z.boolean().optional(),
  addSelfLoops: z.boolean().optional(),
  edgeDropout: probability().optional(),
});

/** The registry's entry for DeeperGCN (GENConv with softmax aggregation; res+ or reversible blocks). */
export const deeperGcnEntry: ModelEntry<DeeperGCNOptions> = {
  name: 'deepergcn',
  summary: 'DeeperGCN: GENConv softmax aggregation in res+ layers, or RevGNN reversible blocks (--block reversible)',
  options: deeperGcnOptionsSchema,
  build: (o) => new DeeperGCN(o),
  inits: [],
  flags: [
    {
      key: 'block',
      flag: '--block <kind>',
      description: "deepergcn: 'res+' layers or 'reversible' blocks (default res+)",
      value: { kind: 'choice', choices: ['res+', 'reversible'] },
    },
    { key: 'groups', flag: '--groups <n>', description: 'channel groups of reversible blocks (default 2)', value: { kind: 'int', min: 2, max: 1024 } },
    {
      key: 'aggr',
      flag: '--aggr <kind>',
      description: "deepergcn: GENConv aggregation, 'softmax' (learned t) or 'power' (power mean, learned p) (default softmax)",
      value: { kind: 'choice', choices: ['softmax', 'power'] },
    },
    {
      key: 'p',
      flag: '--p <p>',
      description: 'deepergcn: initial power of the power-mean aggregation, learned (with --aggr power; default 1, the mean)',
      value: { kind: 'real', min: -100, max: 100 },
    },
    { key: 'msgNorm', flag: '--msg-norm', description: 'deepergcn: MsgNorm in every GENConv (s·‖h_i‖·a_i/‖a_i‖, s = 1)', value: { kind: 'switch' } },
    { key: 'learnMsgScale', flag: '--learn-msg-scale', description: 'deepergcn: learn the MsgNorm scale s (with --msg-norm)', value: { kind: 'switch' } },
    { key: 'selfLoops', flag: '--self-loops', description: 'deepergcn: every GENConv aggregates over N(i) ∪ {i}', value: { kind: 'switch' } },
    {
      key: 'edgeDropout',
      flag: '--edge-dropout <p>',
      description: 'deepergcn: DropEdge, drop each edge with probability p in training passes (default 0)',
      value: { kind: 'real', min: 0, max: 1, openMax: true },
    },
  ],
  check: (s) => {
    if (s.groups !== undefined && s.block !== 'reversible') throw new RangeError('--groups applies to --block reversible only');
    if (s.learnMsgScale === true && s.msgNorm !== true) throw new RangeError('--learn-msg-scale needs --msg-norm');
    if (s.p !== undefined && s.aggr !== 'power') throw new RangeError('--p applies to --aggr power only');
    if (s.p === 0) throw new RangeError('--p must not be 0 (the power mean divides by p)');
  },
  fromSpec: (s, io) => ({
    ...io,
    hiddenChannels: s.hidden!,
    numLayers: s.layers!,
    block: (s.block as DeeperGCNOptions['block']) ?? 'res+',
    groups: s.groups as number | undefined,
    dropout: s.dropout,
    aggr: s.aggr as DeeperGCNOptions['aggr'],
    p: s.p as number | undefined,
    msgNorm: s.msgNorm === true ? true : undefined,
    learnMsgScale: s.learnMsgScale === true ? true : undefined,
    addSelfLoops: s.selfLoops === true ? true : undefined,
    edgeDropout: s.edgeDropout as number | undefined,
    seed: s.seed,
  }),
  // Chosen on Cora at 28 layers (experiments/deep-layers/deepergcn-results.md): weight decay 5e-3
  // rather than 5e-4 is worth ~1 point of test accuracy; lr 0.005 reaches the best epoch in ~20–40.
  defaults: { layers: 28, hidden: 64, dropout: 0.5, lr: 0.005, weightDecay: 5e-3 },
};
