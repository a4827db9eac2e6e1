import type { Rng } from '../random/rng.js';
import { axpby } from '../functional/arithmetic.js';
import { gcnBranch } from '../functional/gcnBranch.js';
import { pairNorm, type PairNormOptions } from '../functional/pairNorm.js';
import type { Aggregation, Graph } from '../graph/Graph.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng } from './layerOptions.js';
import { LipschitzWeight } from './LipschitzWeight.js';
import type { Initializer } from './Module.js';
import type { Parameter } from './Parameter.js';
import { requireObject } from '../errors/args.js';

/** The block forms of docs/methods.md §2.1; 'plain' is the residual-free layer of a plain deep GCN. */
export type ResidualKind = 'fixup' | 'interpolate' | 'res+' | 'plain';

export interface ResidualBlockOptions {
  kind: ResidualKind;
  /** Initial branch weight [channels, channels] (out × in). */
  weight: ArrayLike<number>;
  /** What resetParameters() redraws the weight from (default: the initial `weight` again). */
  init?: Initializer;
  aggregation?: Aggregation;
  /** P_t = (1−t)I + tP, t in (0, 1] (default 1). */
  t?: number;
  /** Scale of the branch: β_L = β/√L for 'fixup' (default 1), 1 for the others unless given. */
  branchScale?: number;
  /** 'interpolate' weight α in (0, 1) (default 0.6). */
  alpha?: number;
  /** Dropout probability inside the branch, after the ReLU (default 0). */
  dropout?: number;
  /** `lipschitz` normalization of the branch weight to spectral norm c (null: off). */
  lipschitz?: { c: number; rng: Rng } | null;
  /** PairNorm: res+ normalizes the branch input; the other forms normalize the block output (null: off). */
  pairNorm?: PairNormOptions | null;
  dtype?: DType;
  device?: Device;
}

/**
 * One residual GCN block with P_t (docs/methods.md §2.1):
 * - fixup:       Z' = Z + β_L · P_t ReLU(Z) Wᵀ
 * - interpolate: Z' = √α·Z + √(1−α) · P_t ReLU(Z) Wᵀ
 * - res+:        Z' = Z + β · P_t Dropout(ReLU(Norm(Z))) Wᵀ   (DeeperGCN pre-activation)
 * - plain:       Z' = P_t ReLU(Z) Wᵀ
 *
 * @example
 * using block = new ResidualBlock(64, { kind: 'fixup', weight: gnnHe(64, 64, rng), branchScale: 1 / 8 });
 * const z1 = block.forward(z, graph, { dropoutSeed: 7 });
 */
export interface ResidualBlockForwardOptions {
  /** Fixes this call's dropout mask (ignored without dropout or in eval mode; default 0). */
  dropoutSeed?: number;
}

export class ResidualBlock extends GraphConv<ResidualBlockForwardOptions> {
  readonly weight: Parameter;
  readonly lipschitz: LipschitzWeight | null;
  readonly kind: ResidualKind;
  readonly t: number;
  readonly alpha: number;
  readonly branchScale: number;
  readonly dropout: number;
  readonly aggregation: Aggregation;
  readonly #pairNorm: PairNormOptions | null;

  constructor(
    readonly channels: number,
    options: ResidualBlockOptions,
  ) {
    requireObject('ResidualBlock', 'options', options);
    super('ResidualBlock', channels, channels, options);
    this.kind = options.kind;
    if (!['fixup', 'interpolate', 'res+', 'plain'].includes(this.kind)) {
      throw new RangeError(`ResidualBlock: kind must be fixup, interpolate, res+ or plain, got '${String(this.kind)}'`);
    }
    this.t = options.t ?? 1;
    if (!(this.t > 0 && this.t <= 1)) throw new RangeError(`ResidualBlock: t must be in (0, 1], got ${this.t}`);
    this.alpha = options.alpha ?? 0.6;
    if (!(this.alpha > 0 && this.alpha < 1)) throw new RangeError(`ResidualBlock: alpha must be in (0, 1), got ${this.alpha}`);
    this.branchScale = options.branchScale ?? 1;
    if (!Number.isFinite(this.branchScale)) throw new RangeError(`ResidualBlock: branchScale must be finite, got ${this.branchScale}`);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`ResidualBlock: dropout must be in [0, 1), got ${this.dropout}`);
    this.aggregation = options.aggregation ?? 'gcn';
    this.#pairNorm = options.pairNorm ?? null;
    const given = options.weight;
    this.weight = this.param('weight', [channels, channels], options.init ?? (() => given), layerRng({}), given);
    this.lipschitz = options.lipschitz ? new LipschitzWeight(this.weight, options.lipschitz.c, options.lipschitz.rng) : null;
  }

  /** Frees the weight and the power-iteration vectors. Idempotent. */
  override dispose(): void {
    this.lipschitz?.dispose();
    super.dispose();
  }

  /**
   * Whether backward reads the values of this block's input z: only res+ with PairNorm
   * (PairNorm's backward needs its input); every other form reads ReLU(z), not z.
   */
  get readsInputInBackward(): boolean {
    return this.kind === 'res+' && this.#pairNorm !== null;
  }

  protected conv(x: NodeFeatures, graph: Graph, options: ResidualBlockForwardOptions): Tensor {
    const z = dense(x);
    const dropoutSeed = options.dropoutSeed ?? 0;
    const op = this.operator(graph, this.aggregation);
    const w = this.lipschitz ? this.lipschitz.weight(this.training) : this.weight;
    const drop = this.dropout > 0 ? { p: this.dropout, seed: dropoutSeed, training: this.training } : undefined;
    if (this.kind === 'res+') {
      const normed = this.#pairNorm ? pairNorm(z, this.#pairNorm) : z;
      return axpby(1, z, 1, gcnBranch(normed, w, op, { t: this.t, scale: this.branchScale, dropout: drop }));
    }
    // The branch's factor rides on the aggregation (gcnBranch's scale), so no scaling pass follows.
    const factor = this.kind === 'interpolate' ? Math.sqrt(1 - this.alpha) * this.branchScale : this.branchScale;
    const branch = gcnBranch(z, w, op, { t: this.t, scale: factor, dropout: drop });
    let out: Tensor;
    if (this.kind === 'fixup') out = axpby(1, z, 1, branch);
    else if (this.kind === 'interpolate') out = axpby(Math.sqrt(this.alpha), z, 1, branch);
    else out = branch;
    // axpby's backward reads no values: the branch is dead once combined.
    if (out !== branch) branch.releaseData();
    return this.#pairNorm ? pairNorm(out, this.#pairNorm) : out;
  }
}
