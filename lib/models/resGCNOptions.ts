// ResGCN's options: what each means, its default and range, and the combinations rejected.
import type { Device, DType } from '../tensor/dtype.js';

export type ResidualMode = 'fixup' | 'interpolate' | 'res+' | 'reversible' | 'none';
export type ResGCNInit = 'gnn-he' | 'glorot' | 'kaiming-uniform' | 'orthogonal' | 'looks-linear';

export interface ResGCNOptions {
  inChannels: number;
  outChannels: number;
  /** Hidden width h (default 64). */
  hiddenChannels?: number;
  /** Number of blocks L, 1 .. any (default 64). */
  numLayers?: number;
  /** @deprecated The old name of hiddenChannels (removed in the next minor version). */
  hidden?: number;
  /** @deprecated The old name of numLayers (removed in the next minor version). */
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

/** Every option resolved; the width and depth under the short names the block code uses. */
export type ResolvedResGCNOptions = Required<
  Omit<ResGCNOptions, 'dtype' | 'device' | 'checkpointEvery' | 'hiddenChannels' | 'numLayers' | 'hidden' | 'depth'>
> & {
  hidden: number;
  depth: number;
  dtype?: DType;
  device?: Device;
  checkpointEvery: number | null;
};

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

/**
 * @internal The options with every default filled in; a TypeError or RangeError that says what
 * to change for a value out of range or a combination that makes no sense.
 */
export function resolveResGCNOptions(options: ResGCNOptions): ResolvedResGCNOptions {
  if (!options || typeof options !== 'object') throw new TypeError('ResGCN: options must be an object');
  const residual = options.residual ?? 'fixup';
  if (!RESIDUALS.includes(residual)) throw new RangeError(`ResGCN: residual must be one of ${RESIDUALS.join(', ')}, got '${String(residual)}'`);
  const init = options.init ?? 'gnn-he';
  if (!INITS.includes(init)) throw new RangeError(`ResGCN: init must be one of ${INITS.join(', ')}, got '${String(init)}'`);
  const norm = options.norm ?? 'none';
  if (!['none', 'lipschitz', 'pairnorm'].includes(norm)) throw new RangeError(`ResGCN: norm must be none, lipschitz or pairnorm, got '${String(norm)}'`);
  const aggregation = options.aggregation ?? 'gcn';
  if (!['gcn', 'mean', 'sum'].includes(aggregation)) throw new RangeError(`ResGCN: aggregation must be gcn, mean or sum, got '${String(aggregation)}'`);
  if (options.alpha !== undefined && residual !== 'interpolate')
    throw new RangeError(`ResGCN: alpha is the interpolate block's weight; set residual: 'interpolate' or drop alpha (residual is '${residual}')`);
  if (options.groups !== undefined && residual !== 'reversible')
    throw new RangeError(`ResGCN: groups applies to reversible blocks; set residual: 'reversible' or drop groups (residual is '${residual}')`);
  if (residual === 'reversible' && norm !== 'none')
    throw new RangeError(
      `ResGCN: norm '${norm}' is not available with reversible blocks (their inverse needs plain additive branches); use norm: 'none' or another residual`,
    );
  if ((options.lipschitzTarget !== undefined || options.lipschitzMode !== undefined) && norm !== 'lipschitz')
    throw new RangeError("ResGCN: lipschitzTarget / lipschitzMode need norm: 'lipschitz'");
  if ((options.pairNormScale !== undefined || options.pairNormIndividual !== undefined) && norm !== 'pairnorm')
    throw new RangeError("ResGCN: pairNormScale / pairNormIndividual need norm: 'pairnorm'");
  if (options.cW !== undefined && init !== 'gnn-he') throw new RangeError(`ResGCN: cW is gnn-he's constant; set init: 'gnn-he' or drop cW (init is '${init}')`);
  if (aggregation === 'sum' && init === 'gnn-he' && options.cW === undefined) {
    throw new RangeError("ResGCN: with aggregation 'sum', gnn-he needs C_W = 2/λ_max(A)², which depends on the graph: pass cW explicitly");
  }
  if (options.zeroInitBranch && (residual === 'none' || residual === 'interpolate')) {
    throw new RangeError(`ResGCN: zeroInitBranch would zero the whole signal of a '${residual}' stack; use it with fixup, res+ or reversible`);
  }
  if (options.zeroInitBranch && norm === 'lipschitz')
    throw new RangeError("ResGCN: zeroInitBranch cannot be combined with norm 'lipschitz' (a zero weight has no spectral norm to divide by)");
  const checkpointEvery = options.checkpointEvery === undefined ? null : positiveInt('checkpointEvery', options.checkpointEvery);
  if (checkpointEvery !== null && residual === 'reversible') {
    throw new RangeError(
      'ResGCN: checkpointEvery does not apply to reversible blocks, which recompute their activations from the output already; drop checkpointEvery',
    );
  }
  if (checkpointEvery !== null && norm === 'lipschitz') {
    throw new RangeError(
      "ResGCN: checkpointEvery cannot be combined with norm 'lipschitz' (each forward advances its power iteration, so the recomputation would see another weight); use norm 'none' or 'pairnorm'",
    );
  }
  const hidden = positiveInt('hiddenChannels', options.hiddenChannels ?? 64);
  const groups = residual === 'reversible' ? positiveInt('groups', options.groups ?? 2) : 2;
  if (residual === 'reversible') {
    if (groups < 2) throw new RangeError(`ResGCN: reversible blocks need groups ≥ 2, got ${groups}`);
    if (hidden % groups !== 0) throw new RangeError(`ResGCN: hiddenChannels (${hidden}) must be divisible by groups (${groups}); change one of them`);
  }
  if (init === 'looks-linear') {
    const width = residual === 'reversible' ? hidden / groups : hidden;
    if (width % 2 !== 0)
      throw new RangeError(
        `ResGCN: looks-linear needs even hidden widths, got ${width}${residual === 'reversible' ? ' per group' : ''}; use an even hidden width`,
      );
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
    depth: positiveInt('numLayers', options.numLayers ?? 64),
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
