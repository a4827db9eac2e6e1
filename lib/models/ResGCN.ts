import { Rng } from '../data/rng.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import { reluBits } from '../functional/reluBits.js';
import { checkpoint } from '../autograd/checkpoint.js';
import { isGradEnabled } from '../autograd/gradMode.js';
import type { Graph } from '../graph/Graph.js';
import { fixupScale } from '../init/fixup.js';
import { Linear } from '../nn/Linear.js';
import { ResidualBlock } from '../nn/ResidualBlock.js';
import { ReversibleStack } from '../nn/ReversibleStack.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { glorotUniform } from '../init/glorot.js';
import { gnnHe } from '../init/gnnHe.js';
import { kaimingUniform } from '../init/kaimingUniform.js';
import { looksLinear, type LooksLinearPosition } from '../init/looksLinear.js';
import { orthogonal } from '../init/orthogonal.js';
import type { Parameter } from '../nn/Parameter.js';

export type ResidualMode = 'fixup' | 'interpolate' | 'res+' | 'reversible' | 'none';
export type ResGCNInit = 'gnn-he' | 'glorot' | 'kaiming-uniform' | 'orthogonal' | 'looks-linear';

export interface ResGCNOptions {
  inChannels: number;
  outChannels: number;
  /** Hidden width h (default 64). */
  hidden?: number;
  /** Number of blocks L, 1 .. any (default 64). */
  depth?: number;
  /** Base operator of P_t (default 'gcn'). 'sum' needs an explicit cW = 2/λ_max(A)² with gnn-he. */
  aggregation?: 'gcn' | 'mean' | 'sum';
  /** P_t = (1−t)I + tP, t in (0, 1] (default 1). */
  t?: number;
  /** Block form (default 'fixup'); 'none' builds a plain deep ReLU GCN. */
  residual?: ResidualMode;
  /** interpolate's α in (0, 1) (default 0.6); only with residual 'interpolate'. */
  alpha?: number;
  /** β (default 1): fixup and reversible branches are scaled by β_L = β/√L, res+ branches by β itself. */
  beta?: number;
  /** Weight initializer (default 'gnn-he'). */
  init?: ResGCNInit;
  /** gnn-he's C_W (default 2 = 2/ρ(P_t)² for gcn and mean). */
  cW?: number;
  /** Zero-initialize every branch weight (fixup's option: each block starts as the identity). */
  zeroInitBranch?: boolean;
  /** Normalization (default 'none'); not with reversible blocks. */
  norm?: 'none' | 'lipschitz' | 'pairnorm';
  /** lipschitz target c (default 1). */
  lipschitzTarget?: number;
  /**
   * lipschitz mode: spectral norm c per branch, or c/L. Default, chosen by measurement
   * (docs/results-res.md): 'c/L' for res+ and interpolate, whose unscaled branches otherwise
   * expand gradients by (1 + c)^L; 'c' for fixup (its β/√L already bounds the product, and c/L on
   * top left the branches inert: 59.7 % vs 80.4 % on Cora at depth 64) and for plain stacks
   * (no identity path, so c/L would shrink the signal by (c/L)^L).
   */
  lipschitzMode?: 'c' | 'c/L';
  /** PairNorm scale s (default 1) and PN-SI (default false). */
  pairNormScale?: number;
  pairNormIndividual?: boolean;
  /** Dropout on the input features and before the decoder (default 0.5). */
  dropout?: number;
  /** Dropout inside every branch, after the ReLU (default 0). */
  branchDropout?: number;
  /** Channel groups of reversible blocks (default 2); only with residual 'reversible'. */
  groups?: number;
  /**
   * Activation checkpointing: run the blocks in segments of k, each through checkpoint(), so a
   * training step keeps only the segment inputs plus one segment's activations (about L/k + k
   * blocks' worth instead of L) for one more forward pass in backward. Unset: off. Not with
   * reversible blocks (they need none) or lipschitz norm (its power iteration advances per call).
   */
  checkpointEvery?: number;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

type Resolved = Required<Omit<ResGCNOptions, 'dtype' | 'device' | 'checkpointEvery'>> & { dtype?: DType; device?: Device; checkpointEvery: number | null };

const RESIDUALS: readonly ResidualMode[] = ['fixup', 'interpolate', 'res+', 'reversible', 'none'];
const INITS: readonly ResGCNInit[] = ['gnn-he', 'glorot', 'kaiming-uniform', 'orthogonal', 'looks-linear'];

function positiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`ResGCN: ${name} must be a positive integer, got ${String(v)}`);
  return v as number;
}

function unit(name: string, v: number, lo: number, hi: number, hiOpen: boolean): number {
  if (!(v > lo && (hiOpen ? v < hi : v <= hi))) throw new RangeError(`ResGCN: ${name} must be in (${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  return v;
}

// Defaults, ranges and the combinations that make no sense, each with what to change.
function checkOptions(options: ResGCNOptions): Resolved {
  if (!options || typeof options !== 'object') throw new TypeError('ResGCN: options must be an object');
  const residual = options.residual ?? 'fixup';
  if (!RESIDUALS.includes(residual)) throw new RangeError(`ResGCN: residual must be one of ${RESIDUALS.join(', ')}, got '${String(residual)}'`);
  const init = options.init ?? 'gnn-he';
  if (!INITS.includes(init)) throw new RangeError(`ResGCN: init must be one of ${INITS.join(', ')}, got '${String(init)}'`);
  const norm = options.norm ?? 'none';
  if (!['none', 'lipschitz', 'pairnorm'].includes(norm)) throw new RangeError(`ResGCN: norm must be none, lipschitz or pairnorm, got '${String(norm)}'`);
  const aggregation = options.aggregation ?? 'gcn';
  if (!['gcn', 'mean', 'sum'].includes(aggregation)) throw new RangeError(`ResGCN: aggregation must be gcn, mean or sum, got '${String(aggregation)}'`);
  if (options.alpha !== undefined && residual !== 'interpolate') throw new RangeError(`ResGCN: alpha is the interpolate block's weight; set residual: 'interpolate' or drop alpha (residual is '${residual}')`);
  if (options.groups !== undefined && residual !== 'reversible') throw new RangeError(`ResGCN: groups applies to reversible blocks; set residual: 'reversible' or drop groups (residual is '${residual}')`);
  if (residual === 'reversible' && norm !== 'none') throw new RangeError(`ResGCN: norm '${norm}' is not available with reversible blocks (their inverse needs plain additive branches); use norm: 'none' or another residual`);
  if ((options.lipschitzTarget !== undefined || options.lipschitzMode !== undefined) && norm !== 'lipschitz') throw new RangeError("ResGCN: lipschitzTarget / lipschitzMode need norm: 'lipschitz'");
  if ((options.pairNormScale !== undefined || options.pairNormIndividual !== undefined) && norm !== 'pairnorm') throw new RangeError("ResGCN: pairNormScale / pairNormIndividual need norm: 'pairnorm'");
  if (options.cW !== undefined && init !== 'gnn-he') throw new RangeError(`ResGCN: cW is gnn-he's constant; set init: 'gnn-he' or drop cW (init is '${init}')`);
  if (aggregation === 'sum' && init === 'gnn-he' && options.cW === undefined) {
    throw new RangeError("ResGCN: with aggregation 'sum', gnn-he needs C_W = 2/λ_max(A)², which depends on the graph: pass cW explicitly");
  }
  if (options.zeroInitBranch && (residual === 'none' || residual === 'interpolate')) {
    throw new RangeError(`ResGCN: zeroInitBranch would zero the whole signal of a '${residual}' stack; use it with fixup, res+ or reversible`);
  }
  if (options.zeroInitBranch && norm === 'lipschitz') throw new RangeError("ResGCN: zeroInitBranch cannot be combined with norm 'lipschitz' (a zero weight has no spectral norm to divide by)");
  const checkpointEvery = options.checkpointEvery === undefined ? null : positiveInt('checkpointEvery', options.checkpointEvery);
  if (checkpointEvery !== null && residual === 'reversible') {
    throw new RangeError('ResGCN: checkpointEvery does not apply to reversible blocks, which recompute their activations from the output already; drop checkpointEvery');
  }
  if (checkpointEvery !== null && norm === 'lipschitz') {
    throw new RangeError("ResGCN: checkpointEvery cannot be combined with norm 'lipschitz' (each forward advances its power iteration, so the recomputation would see another weight); use norm 'none' or 'pairnorm'");
  }
  const hidden = positiveInt('hidden', options.hidden ?? 64);
  const groups = residual === 'reversible' ? positiveInt('groups', options.groups ?? 2) : 2;
  if (residual === 'reversible') {
    if (groups < 2) throw new RangeError(`ResGCN: reversible blocks need groups ≥ 2, got ${groups}`);
    if (hidden % groups !== 0) throw new RangeError(`ResGCN: hidden (${hidden}) must be divisible by groups (${groups}); change one of them`);
  }
  if (init === 'looks-linear') {
    const width = residual === 'reversible' ? hidden / groups : hidden;
    if (width % 2 !== 0) throw new RangeError(`ResGCN: looks-linear needs even hidden widths, got ${width}${residual === 'reversible' ? ' per group' : ''}; use an even hidden width`);
  }
  const dropoutP = options.dropout ?? 0.5;
  const branchDropout = options.branchDropout ?? 0;
  if (!(dropoutP >= 0 && dropoutP < 1)) throw new RangeError(`ResGCN: dropout must be in [0, 1), got ${dropoutP}`);
  if (!(branchDropout >= 0 && branchDropout < 1)) throw new RangeError(`ResGCN: branchDropout must be in [0, 1), got ${branchDropout}`);
  const positive = (name: string, v: number) => {
    if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`ResGCN: ${name} must be a finite number > 0, got ${v}`);
    return v;
  };
  const beta = options.beta ?? 1;
  if (!(beta >= 0 && Number.isFinite(beta))) throw new RangeError(`ResGCN: beta must be a finite number ≥ 0, got ${beta}`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`ResGCN: seed must be a non-negative safe integer, got ${seed}`);
  return {
    inChannels: positiveInt('inChannels', options.inChannels),
    outChannels: positiveInt('outChannels', options.outChannels),
    hidden,
    depth: positiveInt('depth', options.depth ?? 64),
    aggregation,
    t: unit('t', options.t ?? 1, 0, 1, false),
    residual,
    alpha: unit('alpha', options.alpha ?? 0.6, 0, 1, true),
    beta,
    init,
    cW: positive('cW', options.cW ?? 2),
    zeroInitBranch: options.zeroInitBranch ?? false,
    norm,
    lipschitzTarget: positive('lipschitzTarget', options.lipschitzTarget ?? 1),
    lipschitzMode: options.lipschitzMode ?? (residual === 'res+' || residual === 'interpolate' ? 'c/L' : 'c'),
    pairNormScale: positive('pairNormScale', options.pairNormScale ?? 1),
    pairNormIndividual: options.pairNormIndividual ?? false,
    dropout: dropoutP,
    branchDropout,
    groups,
    checkpointEvery,
    seed,
    dtype: options.dtype,
    device: options.device,
  };
}

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
 * A deep residual GCN (METHODS.md §2.1): Dropout → Linear encoder F→h → L blocks with P_t →
 * ReLU → Dropout → Linear decoder h→C (logits). The blocks are `fixup`, `interpolate(α)`,
 * `res+`, grouped `reversible` (§2.6, memory independent of depth) or `none` (a plain deep ReLU
 * GCN, for comparison). Weights come from `init` (default `gnn-he`); `norm` adds `lipschitz`
 * normalization of the branch weights (§2.5) or PairNorm. Invalid combinations are rejected with
 * a RangeError that says what to change.
 *
 * @example
 * using model = new ResGCN({ inChannels: 1433, hidden: 64, outChannels: 7, depth: 64, residual: 'fixup', seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class ResGCN extends NodeModel {
  readonly name = 'res-gcn';
  readonly options: Readonly<{ depth: number; hidden: number; residual: ResidualMode; dropout: number; lipschitzMode: 'c' | 'c/L' | null; checkpointEvery: number | null }>;
  readonly encoder: Linear;
  readonly decoder: Linear;
  readonly blocks: ResidualBlock[] = [];
  readonly stack: ReversibleStack | null = null;
  #dropoutRng: Rng;

  constructor(options: ResGCNOptions) {
    super();
    const o = checkOptions(options);
    this.options = { depth: o.depth, hidden: o.hidden, residual: o.residual, dropout: o.dropout, lipschitzMode: o.norm === 'lipschitz' ? o.lipschitzMode : null, checkpointEvery: o.checkpointEvery };
    const rng = new Rng(o.seed);
    this.#dropoutRng = new Rng(o.seed + 0x5eed);
    this.registerCheckpointState(options, this.#dropoutRng);
    const dt = { dtype: o.dtype, device: o.device };
    try {
      this.encoder = this.registerModule('encoder', new Linear(o.inChannels, o.hidden, { ...dt, bias: false }));
      setValues(this.encoder.weight, initWeights(o, o.hidden, o.inChannels, rng, 'first'));
      if (o.residual === 'reversible') {
        const k = o.hidden / o.groups;
        this.stack = this.registerModule(
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
      this.decoder = this.registerModule('decoder', new Linear(o.hidden, o.outChannels, dt));
      setValues(this.decoder.weight, initWeights(o, o.outChannels, o.hidden, rng, 'last'));
      setValues(this.decoder.bias!, new Float64Array(o.outChannels));
    } catch (e) {
      this.dispose();
      throw e;
    }
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
  #runBlocks(z: Tensor, graph: Graph, seeds: readonly number[], first: number, last: number, how: { keep: boolean; freeInput: boolean }, features?: Tensor[]): Tensor {
    let h = z;
    for (let l = first; l < last; l++) {
      const input = h;
      const block = this.blocks[l];
      h = block.forward(input, graph, seeds[l]);
      if (how.keep) features?.push(h);
      else if ((how.freeInput || input !== z) && !(block.readsInputInBackward && isGradEnabled())) input.releaseData();
    }
    return h;
  }

  // ReLU → Dropout → decoder. With dropout active the ReLU output is dead once dropped (dropout's
  // backward reads only its mask), so its backward keeps sign bits instead of the values; the
  // last block's output, which nothing reads in backward either, goes too unless it is a feature.
  #decode(h: Tensor, keep: boolean): Tensor {
    const p = this.options.dropout;
    const seed = this.#dropoutRng.nextUint32();
    if (!(this.training && p > 0)) return this.decoder.forward(relu(h));
    const r = reluBits(h);
    const dropped = dropout(r, p, { seed, training: true });
    r.releaseData();
    if (!keep && this.blocks.length > 0) h.releaseData();
    return this.decoder.forward(dropped);
  }

  /** The encoder's, then each block's (or the reversible stack's) parameters. */
  override layerParameters(): Parameter[][] {
    const rest = this.stack ? [this.stack.parameters()] : this.blocks.map((b) => b.parameters());
    return [this.encoder.parameters(), ...rest];
  }
}
