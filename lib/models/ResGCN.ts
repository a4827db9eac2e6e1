import { Rng } from '../random/rng.js';
import { dropout } from '../functional/dropout.js';
import { reluDropout } from '../functional/reluDropout.js';
import { checkpoint } from '../autograd/checkpoint.js';
import { isGradEnabled } from '../autograd/gradMode.js';
import type { Graph } from '../graph/Graph.js';
import { fixupScale } from '../init/fixup.js';
import { Linear } from '../nn/Linear.js';
import { ResidualBlock } from '../nn/ResidualBlock.js';
import { ReversibleStack } from '../nn/ReversibleStack.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { z } from 'zod';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';
import { RES_GCN_RENAMES, renameOptions } from './optionAliases.js';
import { checkParameterFits } from '../nn/parameterBudget.js';
import { aggTFlag, alphaFlag } from './sharedFlags.js';
import { glorotUniform } from '../init/glorot.js';
import { gnnHe } from '../init/gnnHe.js';
import { kaimingUniform } from '../init/kaimingUniform.js';
import { looksLinear, type LooksLinearPosition } from '../init/looksLinear.js';
import { orthogonal } from '../init/orthogonal.js';
import type { Parameter } from '../nn/Parameter.js';
import { resolveResGCNOptions, type ResGCNInit, type ResGCNOptions, type ResidualMode, type ResolvedResGCNOptions as Resolved } from './resGCNOptions.js';

export type { ResGCNInit, ResGCNOptions, ResidualMode } from './resGCNOptions.js';

function initWeights(o: Resolved, fanOut: number, fanIn: number, rng: Rng, position: LooksLinearPosition): Float64Array {
  switch (o.init) {
    case 'gnn-he':
      return gnnHe(fanOut, fanIn, rng, { cW: o.cW, first: position === 'first' });
    case 'glorot':
      return glorotUniform(fanOut, fanIn, rng);
    case 'kaiming-uniform':
      return kaimingUniform(fanOut, fanIn, rng);
    case 'orthogonal':
      return orthogonal(fanOut, fanIn, rng);
    case 'looks-linear':
      return looksLinear(fanOut, fanIn, rng, position);
  }
}

function setValues(p: Parameter, values: Float64Array): void {
  const t = Tensor.from(values, [...p.shape], { dtype: p.dtype, device: p.device });
  try {
    p.assign(t);
  } finally {
    t.dispose();
  }
}

/**
 * A deep residual GCN (docs/methods.md §2.1): Dropout → Linear encoder F→h → L blocks with P_t →
 * ReLU → Dropout → Linear decoder h→C (logits). The blocks are `fixup`, `interpolate(α)`,
 * `res+`, grouped `reversible` (§2.6, memory independent of depth) or `none` (a plain deep ReLU
 * GCN, for comparison). Weights come from `init` (default `gnn-he`); `norm` adds `lipschitz`
 * normalization of the branch weights (§2.5) or PairNorm. Invalid combinations are rejected with
 * a RangeError that says what to change.
 *
 * @example
 * using model = new ResGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 64, residual: 'fixup', seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class ResGCN extends NodeModel {
  readonly name = 'res-gcn';
  readonly options: Readonly<{
    numLayers: number;
    hiddenChannels: number;
    residual: ResidualMode;
    dropout: number;
    lipschitzMode: 'c' | 'c/L' | null;
    checkpointEvery: number | null;
  }>;
  readonly encoder: Linear;
  readonly decoder: Linear;
  readonly blocks: ResidualBlock[] = [];
  readonly stack: ReversibleStack | null;
  #dropoutRng: Rng;

  constructor(options: ResGCNOptions) {
    super();
    options = renameOptions('ResGCN', options, RES_GCN_RENAMES);
    const o = resolveResGCNOptions(options);
    this.options = {
      numLayers: o.depth,
      hiddenChannels: o.hidden,
      residual: o.residual,
      dropout: o.dropout,
      lipschitzMode: o.norm === 'lipschitz' ? o.lipschitzMode : null,
      checkpointEvery: o.checkpointEvery,
    };
    const rng = new Rng(o.seed);
    this.#dropoutRng = new Rng(o.seed + 0x5eed);
    this.registerCheckpointState(options, this.#dropoutRng);
    const dt = { dtype: o.dtype, device: o.device };
    [this.encoder, this.stack, this.decoder] = this.build(() => {
      const encoder = this.registerModule('encoder', new Linear(o.inChannels, o.hidden, { ...dt, bias: false }));
      setValues(encoder.weight, initWeights(o, o.hidden, o.inChannels, rng, 'first'));
      let stack: ReversibleStack | null = null;
      if (o.residual === 'reversible') {
        const k = o.hidden / o.groups;
        stack = this.registerModule(
          'stack',
          new ReversibleStack(o.hidden, {
            ...dt,
            depth: o.depth,
            groups: o.groups,
            t: o.t,
            aggregation: o.aggregation,
            branchScale: fixupScale(o.depth, o.beta),
            dropout: o.branchDropout,
            seed: o.seed,
            weight: () => (o.zeroInitBranch ? new Float64Array(k * k) : initWeights(o, k, k, rng, 'hidden')),
          }),
        );
      } else {
        const kind = o.residual === 'none' ? 'plain' : o.residual;
        const lipC = o.lipschitzMode === 'c/L' ? o.lipschitzTarget / o.depth : o.lipschitzTarget;
        for (let l = 0; l < o.depth; l++) {
          // The block's weight is drawn here, before the block registers it: bound it first.
          checkParameterFits([o.hidden, o.hidden]);
          const zero = o.zeroInitBranch;
          const block = new ResidualBlock(o.hidden, {
            ...dt,
            kind,
            weight: zero ? new Float64Array(o.hidden * o.hidden) : initWeights(o, o.hidden, o.hidden, rng, 'hidden'),
            aggregation: o.aggregation,
            t: o.t,
            alpha: o.alpha,
            // res+ is DeeperGCN's unscaled Z + Conv(…) (METHODS §2.1); β multiplies it directly.
            branchScale: o.residual === 'fixup' ? fixupScale(o.depth, o.beta) : o.residual === 'res+' ? o.beta : 1,
            dropout: o.branchDropout,
            lipschitz: o.norm === 'lipschitz' ? { c: lipC, rng } : null,
            pairNorm: o.norm === 'pairnorm' ? { scale: o.pairNormScale, scaleIndividually: o.pairNormIndividual } : null,
          });
          this.blocks.push(this.registerModule(`block${l}`, block));
        }
      }
      const decoder = this.registerModule('decoder', new Linear(o.hidden, o.outChannels, dt));
      setValues(decoder.weight, initWeights(o, o.outChannels, o.hidden, rng, 'last'));
      setValues(decoder.bias!, new Float64Array(o.outChannels));
      return [encoder, stack, decoder] as const;
    });
  }

  override forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return this.forwardFeatures(x, graph, false).logits;
  }

  /**
   * Logits plus, when `keep` is true, every hidden representation Z^0 (encoder output) .. Z^L
   * (for diagnostics; with reversible blocks, which never hold the inner ones, Z^0 and the
   * stack's output). Keeping them all defeats checkpointEvery, so `keep` runs without it.
   */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph, keep = true): LayerFeatures {
    if (!(x instanceof Tensor) && !(x instanceof SparseFeatures)) throw new TypeError('ResGCN.forward: argument x must be a Tensor or SparseFeatures');
    const p = this.options.dropout;
    const seed = () => this.#dropoutRng.nextUint32();
    let h = this.encoder.forward(dropout(x, p, { seed: seed(), training: this.training }));
    const features: Tensor[] = keep ? [h] : [];
    if (this.stack) {
      h = this.stack.forward(h, graph);
      if (keep) features.push(h);
    } else {
      // Drawn up front, in block order, so a checkpointed run uses the seeds a plain run would
      // and the recomputation in backward replays the same masks.
      const seeds = this.blocks.map(() => seed());
      const k = this.options.checkpointEvery;
      if (k !== null && !keep && this.training && isGradEnabled()) {
        for (let first = 0; first < this.blocks.length; first += k) {
          const last = Math.min(first + k, this.blocks.length);
          h = checkpoint((z) => this.#runBlocks(z, graph, seeds, first, last, { keep: false, freeInput: false }), [h]);
        }
      } else {
        h = this.#runBlocks(h, graph, seeds, 0, this.blocks.length, { keep, freeInput: true }, features);
      }
    }
    return { logits: this.#decode(h, keep), features };
  }

  // Blocks first .. last-1 from z. Only this loop holds each block's input, so its values are
  // freed once the block has run, unless they are a kept feature, read by the block's backward,
  // or z itself when !freeInput (a checkpointed segment's input must survive for the
  // recomputation).
  #runBlocks(
    z: Tensor,
    graph: Graph,
    seeds: readonly number[],
    first: number,
    last: number,
    how: { keep: boolean; freeInput: boolean },
    features?: Tensor[],
  ): Tensor {
    let h = z;
    for (let l = first; l < last; l++) {
      const input = h;
      const block = this.blocks[l];
      h = block.forward(input, graph, { dropoutSeed: seeds[l] });
      if (how.keep) features?.push(h);
      else if ((how.freeInput || input !== z) && !(block.readsInputInBackward && isGradEnabled())) input.releaseData();
    }
    return h;
  }

  // ReLU → Dropout → decoder. With dropout active, nothing reads the last block's output in
  // backward (reluDropout keeps bits), so it goes too unless it is a feature.
  #decode(h: Tensor, keep: boolean): Tensor {
    const p = this.options.dropout;
    const dropped = reluDropout(h, p, { seed: this.#dropoutRng.nextUint32(), training: this.training });
    if (this.training && p > 0 && !keep && this.blocks.length > 0) h.releaseData();
    return this.decoder.forward(dropped);
  }

  /** The encoder's, then each block's (or the reversible stack's) parameters. */
  override layerParameters(): Parameter[][] {
    const rest = this.stack ? [this.stack.parameters()] : this.blocks.map((b) => b.parameters());
    return [this.encoder.parameters(), ...rest];
  }
}

const RESIDUALS = ['fixup', 'interpolate', 'res+', 'reversible', 'none'] as const;

/** The registry's entry for the deep residual GCN. */
export const resGcnEntry: ModelEntry<ResGCNOptions> = {
  name: 'res-gcn',
  summary: 'deep residual GCN: fixup, interpolate, res+ or reversible blocks over P_t, lipschitz or PairNorm, activation checkpointing',
  options: z.looseObject({
    ...modelBase,
    hiddenChannels: channels().optional(),
    numLayers: depth(0).optional(),
    dropout: probability().optional(),
    branchDropout: probability().optional(),
    residual: z.enum(RESIDUALS).optional(),
    checkpointEvery: depth().optional(),
  }),
  build: (o) => new ResGCN(o),
  renamedOptions: RES_GCN_RENAMES,
  inits: ['gnn-he', 'fixup', 'glorot', 'kaiming-uniform', 'orthogonal', 'looks-linear'],
  flags: [
    { key: 'residual', flag: '--residual <kind>', description: 'residual block of res-gcn (default fixup)', value: { kind: 'choice', choices: RESIDUALS } },
    aggTFlag,
    {
      key: 'norm',
      flag: '--norm <kind>',
      description: 'normalization of res-gcn branches (default none)',
      value: { kind: 'choice', choices: ['none', 'lipschitz', 'pairnorm'] },
    },
    alphaFlag,
    { key: 'beta', flag: '--beta <b>', description: 'fixup branch scale β (default 1)', value: { kind: 'real', min: 0, max: 100 } },
    {
      key: 'checkpointActivations',
      flag: '--checkpoint-activations <k>',
      description: "res-gcn: keep only every k-th block's activations, recompute the rest in backward (less memory, one more forward)",
      value: { kind: 'int', min: 1, max: 100_000 },
    },
  ],
  check: (s) => {
    const residual = s.residual ?? 'fixup';
    if (s.init === 'fixup' && residual !== 'fixup') throw new RangeError(`--init fixup needs --residual fixup, got --residual ${String(s.residual)}`);
    if (s.init === 'looks-linear' && s.hidden! % 2 !== 0) {
      throw new RangeError(`--init looks-linear needs an even hidden width (heads × channels), got ${s.hidden}: change --hidden to ${s.hidden! + 1}`);
    }
    if (s.checkpointActivations !== undefined && residual === 'reversible') {
      throw new RangeError('--checkpoint-activations does not apply to --residual reversible (reversible blocks recompute their activations already); drop it');
    }
    if (s.checkpointActivations !== undefined && s.norm === 'lipschitz') {
      throw new RangeError(
        '--checkpoint-activations cannot be combined with --norm lipschitz (its power iteration advances on every forward pass); drop one of them',
      );
    }
    if (s.alpha !== undefined && residual !== 'interpolate') throw new RangeError('--alpha applies to --residual interpolate only');
  },
  fromSpec: (s, io) => ({
    ...io,
    hiddenChannels: s.hidden!,
    numLayers: s.layers!,
    residual: (s.residual as ResidualMode | undefined) ?? 'fixup',
    init: (s.init === 'fixup' || !s.init ? 'gnn-he' : s.init) as ResGCNInit,
    zeroInitBranch: s.init === 'fixup',
    t: s.aggT as number | undefined,
    norm: s.norm as ResGCNOptions['norm'],
    alpha: s.alpha as number | undefined,
    beta: s.beta as number | undefined,
    dropout: s.dropout,
    checkpointEvery: s.checkpointActivations as number | undefined,
    seed: s.seed,
  }),
  defaults: { layers: 2, hidden: 64, lr: 0.01, weightDecay: 5e-4 },
};
