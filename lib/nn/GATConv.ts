import { keep } from '../autograd/scope.js';
import { biasAdd } from '../functional/biasAdd.js';
import { gatAttention } from '../functional/gatAttention.js';
import { matmul } from '../functional/matmul.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import type { GraphOperator } from '../graph/GraphOperator.js';
import { glorotUniform } from '../init/glorot.js';
import { Rng } from '../random/rng.js';
import { Tensor } from '../tensor/Tensor.js';
import { GraphConv, type NodeFeatures } from './GraphConv.js';
import { checkChannels, layerRng, type LayerOptions } from './layerOptions.js';
import type { Parameter } from './Parameter.js';

export interface GATConvOptions extends LayerOptions {
  /** Attention heads (default 1). */
  heads?: number;
  /** Concatenate the heads (hidden layers, default true) or average them (last layer). */
  concat?: boolean;
  /** 'v1' (Veličković et al., default, PyG's `GATConv`) or 'v2' (Brody et al., PyG's `GATv2Conv`). */
  version?: 'v1' | 'v2';
  /** GATv2: one projection W for sources and targets (default true) or separate W_s, W_t. */
  shareWeights?: boolean;
  /** LeakyReLU slope of the attention scores (default 0.2). */
  negativeSlope?: number;
  /** Attention dropout probability (default 0), active in training mode. */
  dropout?: number;
  /** Attend over N(i) ∪ {i} (default true, the 'gin' operator) or over N(i) only ('sum'). */
  addSelfLoops?: boolean;
  /** Initial values (default Glorot uniform, as PyG): weights are [heads·out, in] (out × in). */
  weight?: ArrayLike<number>;
  /** GATv2 with separate weights: the target-side projection W_t. */
  weightDst?: ArrayLike<number>;
  /** GATv1's source / target attention vectors, or GATv2's single vector (as attSrc), [heads·out]. */
  attSrc?: ArrayLike<number>;
  attDst?: ArrayLike<number>;
}

/**
 * Graph attention layer (docs/methods.md §2.2), PyG-compatible options: GATv1 by default, as PyG's
 * `GATConv`; `version: 'v2'` (or {@link GATv2Conv}) for GATv2. Projects x by W (stored out × in),
 * then runs the fused attention kernel over the 'gin' operator. GATv1 scores
 * e_ij = LeakyReLU(a_srcᵀ W h_j + a_dstᵀ W h_i); GATv2 scores e_ij = aᵀ LeakyReLU(W_s h_j + W_t h_i).
 * Heads are concatenated or averaged; the optional bias is added last.
 *
 * On a sampled {@link Block}, x holds the block's sources and the output one row per target:
 * target i attends over its sampled in-neighbours and (with addSelfLoops) itself, x_src the
 * source rows and x_dst the target rows (the targets are the first sources). The fused kernel
 * runs over the rectangular {@link Block.attentionOperator}: rows for the targets only, GATv1's
 * source and target scores each computed on their own rows.
 *
 * @example
 * using conv = new GATConv(1433, 8, { heads: 8, seed: 0 });
 * const h = conv.forward(x, graph); // [N, 64]
 * const hb = conv.forward(xb, block); // [block.numTargets, 64]
 */
export class GATConv extends GraphConv {
  readonly weight: Parameter;
  readonly weightDst: Parameter | null;
  readonly attSrc: Parameter;
  readonly attDst: Parameter | null;
  readonly bias: Parameter | null;
  readonly heads: number;
  readonly concat: boolean;
  readonly version: 'v1' | 'v2';
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  // The attention-dropout seeds, one draw per training forward: a random stream, so that a
  // compiled step replays the draws (CompiledStep).
  readonly #seeds: Rng;
  // Built at the first forward that averages heads and kept: a step that made it anew each time
  // would upload host data, which a compiled step cannot replay.
  #headMeanMatrix: Tensor | null = null;

  constructor(inChannels: number, outChannels: number, options: GATConvOptions = {}) {
    const name = 'GATConv';
    super(name, inChannels, outChannels, options);
    this.heads = checkChannels(name, 'heads', options.heads ?? 1);
    this.concat = options.concat ?? true;
    this.version = options.version ?? 'v1';
    if (this.version !== 'v1' && this.version !== 'v2') throw new RangeError(`${name}: version must be 'v1' or 'v2', got ${String(this.version)}`);
    const share = options.shareWeights ?? true;
    if (this.version === 'v1' && !share) throw new RangeError(`${name}: shareWeights = false is a GATv2 option (GATv1 has one W)`);
    this.negativeSlope = options.negativeSlope ?? 0.2;
    if (!Number.isFinite(this.negativeSlope)) throw new RangeError(`${name}: negativeSlope must be finite, got ${this.negativeSlope}`);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.addSelfLoops = options.addSelfLoops ?? true;
    const rng = layerRng(options);
    this.#seeds = new Rng(rng.nextUint32());
    const width = this.heads * outChannels;
    // PyG: glorot on the projections, and on the attention vectors viewed as [heads, out].
    const att = (r: Rng) => glorotUniform(this.heads, outChannels, r);
    const proj = (r: Rng) => glorotUniform(width, inChannels, r);
    const outWidth = this.concat ? width : outChannels;
    [this.weight, this.weightDst, this.attSrc, this.attDst, this.bias] = this.build(
      () =>
        [
          this.param('weight', [width, inChannels], proj, rng, options.weight),
          share ? null : this.param('weightDst', [width, inChannels], proj, rng, options.weightDst),
          this.param('attSrc', [width], att, rng, options.attSrc),
          this.version === 'v1' ? this.param('attDst', [width], att, rng, options.attDst) : null,
          options.bias === false ? null : this.param('bias', [outWidth], () => new Float64Array(outWidth), rng),
        ] as const,
    );
  }

  protected conv(x: NodeFeatures, graph: Graph): Tensor {
    return this.finish(this.attend(x, this.operator(graph, this.addSelfLoops ? 'gin' : 'sum')));
  }

  override prepareBlock(block: Block): void {
    block.attentionOperator(this.addSelfLoops, this.placement);
  }

  protected override convBlock(x: NodeFeatures, block: Block): Tensor {
    return this.finish(this.attend(x, block.attentionOperator(this.addSelfLoops, this.placement)));
  }

  /**
   * Projection and attention over `op` (targets × sources): [rows of op, heads·out], heads
   * concatenated. On a block the target side is x's first rows; a separate W_t projects every
   * source row (x may be sparse) and the kernel reads the targets' rows.
   */
  private attend(x: NodeFeatures, op: GraphOperator): Tensor {
    const xs = matmul(x, this.weight, { transB: true });
    const xt = this.weightDst ? matmul(x, this.weightDst, { transB: true }) : xs;
    // Without dropout the seed is unused: 0, a constant of any compiled pass.
    const seed = this.training && this.dropout > 0 ? this.#seeds.nextUint32() : 0;
    return gatAttention(op, xs, xt, this.attSrc, this.attDst, {
      version: this.version,
      heads: this.heads,
      negativeSlope: this.negativeSlope,
      dropout: this.dropout,
      seed,
      training: this.training,
    });
  }

  /** Heads averaged (when not concatenated), then the bias. */
  private finish(attended: Tensor): Tensor {
    const h = !this.concat && this.heads > 1 ? matmul(attended, this.#headMean(), {}) : attended;
    return this.bias ? biasAdd(h, this.bias) : h;
  }

  /** [heads·out, out] with 1/heads where channel f of any head meets column f: averages the heads. */
  #headMean(): Tensor {
    if (this.#headMeanMatrix) return this.#headMeanMatrix;
    const F = this.outChannels;
    const m = new Float64Array(this.heads * F * F);
    for (let h = 0; h < this.heads; h++) for (let f = 0; f < F; f++) m[(h * F + f) * F + f] = 1 / this.heads;
    const data = this.weight.dtype === 'f64' ? m : Float32Array.from(m);
    const host = Tensor.from(data, [this.heads * F, F], { dtype: this.weight.dtype });
    let made = host;
    if (this.weight.device !== 'cpu') {
      made = host.to(this.weight.device);
      host.dispose();
    }
    this.#headMeanMatrix = keep(made);
    return made;
  }

  override dispose(): void {
    this.#headMeanMatrix?.dispose();
    this.#headMeanMatrix = null;
    super.dispose();
  }
}

/**
 * GATv2 (Brody et al.): `GATConv` with `version: 'v2'`, under the name PyG users know.
 *
 * @example
 * using conv = new GATv2Conv(1433, 8, { heads: 8, seed: 0 });
 */
export class GATv2Conv extends GATConv {
  constructor(inChannels: number, outChannels: number, options: Omit<GATConvOptions, 'version'> = {}) {
    super(inChannels, outChannels, { ...options, version: 'v2' });
  }
}
