import { Rng } from '../random/rng.js';
import { axpby } from '../functional/arithmetic.js';
import { matmul } from '../functional/matmul.js';
import { propagate } from '../functional/propagate.js';
import type { Graph } from '../graph/Graph.js';
import { glorotUniform } from '../init/glorot.js';
import { orthogonal } from '../init/orthogonal.js';
import { checkChannels } from '../nn/layerOptions.js';
import { Parameter } from '../nn/Parameter.js';
import { checkParameterFits } from '../nn/parameterBudget.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { z } from 'zod';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase } from './optionSchemas.js';
import { requireObject } from '../errors/args.js';
import { DEPTH_RENAMES, renameOptions } from './optionAliases.js';

export interface LinearGNNOptions {
  inChannels: number;
  hiddenChannels: number;
  outChannels: number;
  /** H, the number of aggregation steps and of B matrices (default 2). */
  numLayers?: number;
  /** @deprecated The old name of numLayers (removed in the next minor version). */
  depth?: number;
  /** S: 'gcn' (P) or 'gin' (A + I) (default 'gcn'). */
  operator?: 'gcn' | 'gin';
  /** Multiscale skip form f = Σ_{l=0}^{H} W_l B_l ⋯ B_1 X S^l (default false: plain). */
  skip?: boolean;
  /** Initial weights: explicit arrays (B_1..B_H, then W, or W_0..W_H with skip), for tests. */
  weights?: { b?: readonly ArrayLike<number>[]; w?: readonly ArrayLike<number>[] };
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * The linear GNN of docs/methods.md §2.4 (source 4), without activations. In Fathom's row-major
 * layout (rows = nodes) the plain model is f = S^H X B_1ᵀ ⋯ B_Hᵀ Wᵀ and the multiscale one
 * f = Σ_{l=0}^{H} S^l X B_1ᵀ ⋯ B_lᵀ W_lᵀ: the source's W B_H ⋯ B_1 X S^H transposed (equal for
 * the symmetric operators of undirected graphs). S acts on nodes and B on channels, so they
 * commute: S is applied after each B, on the narrower hidden width. B_1 is hidden×in, B_l
 * hidden×hidden, W (W_l) out×hidden (W_0 out×in). Default init: orthogonal B (norm-preserving
 * on their rows) and Glorot W.
 *
 * @example
 * using model = new LinearGNN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 4, skip: true });
 * const loss = mseLoss(model.forward(x, graph), oneHot, trainMask);
 */
export class LinearGNN extends NodeModel {
  readonly name = 'linear-gnn';
  readonly depth: number;
  readonly operator: 'gcn' | 'gin';
  readonly skip: boolean;
  readonly b: Parameter[] = [];
  readonly w: Parameter[] = [];

  readonly options: LinearGNNOptions;

  constructor(options: LinearGNNOptions) {
    super();
    requireObject('LinearGNN', 'options', options);
    options = renameOptions('LinearGNN', options, DEPTH_RENAMES);
    this.options = options;
    const { inChannels, hiddenChannels, outChannels } = options;
    checkChannels('LinearGNN', 'inChannels', inChannels);
    checkChannels('LinearGNN', 'hiddenChannels', hiddenChannels);
    checkChannels('LinearGNN', 'outChannels', outChannels);
    const H = options.numLayers ?? 2;
    if (!Number.isInteger(H) || H < 0) throw new RangeError(`LinearGNN: numLayers must be a non-negative integer, got ${H}`);
    const operator = options.operator ?? 'gcn';
    if (operator !== 'gcn' && operator !== 'gin') throw new RangeError(`LinearGNN: operator must be 'gcn' or 'gin', got '${String(operator)}'`);
    this.depth = H;
    this.operator = operator;
    this.skip = options.skip ?? false;
    // Initial weights are not architecture: the checkpoint's tensors replace them.
    this.registerCheckpointState({ ...options, weights: undefined }, null);
    const rng = new Rng(options.seed ?? 0);
    const opts = { dtype: options.dtype ?? 'f32', device: options.device ?? 'cpu' };
    const make = (name: string, given: ArrayLike<number> | undefined, rows: number, cols: number, init: () => ArrayLike<number>) => {
      checkParameterFits([rows, cols]);
      const v = given ?? init();
      if (v.length !== rows * cols) throw new RangeError(`LinearGNN: ${name} has ${v.length} values, expected ${rows}×${cols}`);
      return this.registerParameter(name, Parameter.fromValues(v, [rows, cols], opts));
    };
    this.build(() => {
      for (let l = 1; l <= H; l++) {
        const cols = l === 1 ? inChannels : hiddenChannels;
        this.b.push(make(`b${l}`, options.weights?.b?.[l - 1], hiddenChannels, cols, () => orthogonal(hiddenChannels, cols, rng)));
      }
      const levels = this.skip ? Array.from({ length: H + 1 }, (_, l) => l) : [H];
      for (const l of levels) {
        const cols = l === 0 ? inChannels : hiddenChannels;
        const i = this.w.length;
        this.w.push(make(`w${l}`, options.weights?.w?.[i], outChannels, cols, () => glorotUniform(outChannels, cols, rng)));
      }
    });
  }

  /** The output f and the hidden representations S^l X B_1ᵀ ⋯ B_lᵀ, l = 1..H. */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    const s = graph.operator(this.operator, { dtype: this.b[0]?.dtype ?? this.w[0].dtype, device: this.w[0].device });
    let u: Tensor | SparseFeatures = x;
    const features: Tensor[] = [];
    let out: Tensor | null = this.skip ? matmul(u, this.w[0], { transB: true }) : null;
    for (let l = 1; l <= this.depth; l++) {
      u = propagate(s, matmul(u, this.b[l - 1], { transB: true }));
      features.push(u);
      if (this.skip) out = axpby(1, out!, 1, matmul(u, this.w[l], { transB: true }));
    }
    return { logits: this.skip ? out! : matmul(u, this.w[0], { transB: true }), features };
  }

  /** Layer l holds B_l (and, with skip, its readout W_l). */
  override layerParameters(): Parameter[][] {
    return this.b.map((b, l) => (this.skip ? [b, this.w[l + 1]] : [b]));
  }
}

/** The registry's entry for the linear GNN (plain, or multiscale with `skip`). */
export const linearGnnEntry: ModelEntry<LinearGNNOptions> = {
  name: 'linear-gnn',
  summary: 'a linear GNN without activations, plain or multiscale (--skip)',
  options: z.looseObject({
    ...modelBase,
    hiddenChannels: channels(),
    numLayers: depth(0).optional(),
    operator: z.enum(['gcn', 'gin']).optional(),
    skip: z.boolean().optional(),
  }),
  build: (o) => new LinearGNN(o),
  renamedOptions: DEPTH_RENAMES,
  inits: ['glorot'],
  flags: [{ key: 'skip', flag: '--skip', description: 'multiscale skip form Σ_l W_l B_l ⋯ B_1 X S^l', value: { kind: 'switch' } }],
  check: (s) => {
    if (s.dropout !== undefined && s.dropout !== 0) throw new RangeError('--model linear-gnn has no dropout: pass --dropout 0');
  },
  fromSpec: (s, io) => ({ ...io, hiddenChannels: s.hidden!, numLayers: s.layers!, skip: s.skip === true, seed: s.seed }),
  defaults: { layers: 2, hidden: 64, lr: 0.01, weightDecay: 5e-4 },
  // Checkpoints written before the skip form was an option of one name.
  aliases: ['linear-gnn-skip'],
};
