import { backward } from '../autograd/backward.js';
import { isGradEnabled, noGrad } from '../autograd/gradMode.js';
import { record } from '../autograd/record.js';
import { tidy } from '../autograd/scope.js';
import { Rng } from '../random/rng.js';
import { add, scale, sub } from '../functional/arithmetic.js';
import { gcnBranch } from '../functional/gcnBranch.js';
import { matmul } from '../functional/matmul.js';
import { Graph, type Aggregation } from '../graph/Graph.js';
import type { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import type { GraphConv } from './GraphConv.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';
import { checkParameterFits } from './parameterBudget.js';
import { requireObject } from '../errors/args.js';

export interface ReversibleForwardOptions {
  /**
   * Seeds this call's per-block dropout seeds (default: the next draws of the stack's own
   * stream, seeded by options.seed at construction). A model whose other dropout draws come
   * from one checkpointed stream passes a draw of it here, so one state replays the whole pass.
   */
  seed?: number;
  /**
   * Draws this call's per-block seeds from `rng` (a model's checkpointed dropout stream) instead:
   * the draws of one stream, which a compiled step replays (a fresh stream per call is not).
   */
  rng?: Rng;
}

/** A branch of a reversible block: replays the same dropout mask for the same seed. */
export type ReversibleBranch = GraphConv<{ dropoutSeed?: number }>;

export interface ReversibleStackOptions {
  depth: number;
  /** Channel groups G ≥ 2; channels must be divisible by G. */
  groups: number;
  /** Initial weight of block l, group i: [channels/G, channels/G] values (the GCN branch). */
  weight?: (block: number, group: number) => ArrayLike<number>;
  /**
   * Instead of the GCN branch: the branch module f_i of block l, group i, mapping channels/G to
   * channels/G (e.g. a GENBranch, RevGNN's GENConv block). The stack owns it; dropout, t,
   * aggregation and branchScale are the branch's own business then.
   */
  branch?: (block: number, group: number) => ReversibleBranch;
  aggregation?: Aggregation;
  t?: number;
  /** Scale of every f_i (default 1/√depth, fixup's β_L). */
  branchScale?: number;
  dropout?: number;
  /** Seeds the per-block dropout seeds. */
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * A stack of grouped reversible residual blocks (docs/methods.md §2.6, RevGNN). Block l splits the
 * channels into G groups: X'_0 = Σ_{i≥2} X_i, X'_i = X_i + f_i(X'_{i−1}) with
 * f_i(H) = β·P_t Dropout(ReLU(H)) W_iᵀ. The forward runs without recording and keeps only the
 * stack's output; the whole stack is one autograd node whose backward walks the blocks in
 * reverse, reconstructing each block's input (X_i = X'_i − f_i(X'_{i−1})), re-running the block on
 * a local tape to get input and parameter gradients, and freeing everything of that block before
 * the next. Activation memory is therefore that of one block, whatever the depth. Dropout masks
 * are replayed from per-block seeds drawn at forward time.
 *
 * @example
 * using stack = new ReversibleStack(64, { depth: 256, groups: 2, weight: () => gnnHe(32, 32, rng) });
 * const z = stack.forward(h, graph);
 */
/** What a block's branches need of the graph: the graph itself, and the GCN branch's operator. */
interface Branching {
  graph: Graph;
  op?: GraphOperator;
}

export class ReversibleStack extends Module {
  readonly weights: Parameter[][];
  readonly depth: number;
  readonly groups: number;
  readonly t: number;
  readonly branchScale: number;
  readonly dropout: number;
  readonly aggregation: Aggregation;
  // Selection matrices E_i [channels, channels/G]: X_i = X E_i, X = Σ X_i E_iᵀ.
  readonly #select: Tensor[];
  readonly #rng: Rng;
  /** Branch modules, when the stack was built with `branch` (else the GCN branch of `weights`). */
  readonly #branches: ReversibleBranch[][] | null;

  constructor(
    readonly channels: number,
    options: ReversibleStackOptions,
  ) {
    super();
    requireObject('ReversibleStack', 'options', options);
    const { depth, groups } = options;
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`ReversibleStack: depth must be a positive integer, got ${depth}`);
    if (!Number.isInteger(groups) || groups < 2) throw new RangeError(`ReversibleStack: groups must be an integer ≥ 2, got ${groups}`);
    if (channels % groups !== 0) {
      throw new RangeError(`ReversibleStack: channels (${channels}) must be divisible by groups (${groups}); change the hidden width or the group count`);
    }
    this.depth = depth;
    this.groups = groups;
    this.t = options.t ?? 1;
    if (!(this.t > 0 && this.t <= 1)) throw new RangeError(`ReversibleStack: t must be in (0, 1], got ${this.t}`);
    this.branchScale = options.branchScale ?? 1 / Math.sqrt(depth);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`ReversibleStack: dropout must be in [0, 1), got ${this.dropout}`);
    this.aggregation = options.aggregation ?? 'gcn';
    this.#rng = new Rng((options.seed ?? 0) + 0x7e5e);
    const k = channels / groups;
    const opts = { dtype: options.dtype, device: options.device };
    if ((options.weight === undefined) === (options.branch === undefined)) {
      throw new TypeError('ReversibleStack: give exactly one of options.weight (GCN branches) and options.branch (branch modules)');
    }
    this.weights = [];
    this.#branches = options.branch ? [] : null;
    this.build(() => {
      for (let l = 0; l < depth; l++) {
        if (options.branch) {
          this.#branches!.push(Array.from({ length: groups }, (_, i) => this.registerModule(`f${l}_${i}`, options.branch!(l, i))));
          continue;
        }
        const row: Parameter[] = [];
        for (let i = 0; i < groups; i++) {
          checkParameterFits([k, k]);
          const w = options.weight!(l, i);
          if (w.length !== k * k) throw new RangeError(`ReversibleStack: weight(${l}, ${i}) has ${w.length} values, expected ${k}×${k}`);
          row.push(this.registerParameter(`w${l}_${i}`, Parameter.fromValues(w, [k, k], opts)));
        }
        this.weights.push(row);
      }
    });
    this.#select = Array.from({ length: groups }, (_, i) => {
      const e = new Float64Array(channels * k);
      for (let j = 0; j < k; j++) e[(i * k + j) * k + j] = 1;
      return Parameter.fromValues(e, [channels, k], opts);
    });
    for (const e of this.#select) e.requiresGrad = false;
  }

  forward(x: Tensor, graph: Graph, options: ReversibleForwardOptions = {}): Tensor {
    this.#check(x, graph, options);
    const op = this.#operator(graph);
    const seeds = this.#drawSeeds(options);
    const out = noGrad(() => {
      let xs = this.#split(x);
      for (let l = 0; l < this.depth; l++) {
        const next = tidy(() => this.#block(l, xs, op, seeds));
        for (const t of xs) t.dispose();
        xs = next;
      }
      const y = this.#concat(xs);
      for (const t of xs) t.dispose();
      return y;
    });
    const params = this.parameters();
    return record(out, 'reversibleStack', [x, ...params], (g) => [this.#backward(out, g, op, seeds), ...params.map(() => null)]);
  }

  /**
   * The same function with ordinary autograd (every activation kept): the reference the
   * reversible backward is tested against, and the memory baseline. Draws dropout seeds as forward().
   */
  forwardStored(x: Tensor, graph: Graph, options: ReversibleForwardOptions = {}): Tensor {
    this.#check(x, graph, options);
    const op = this.#operator(graph);
    const seeds = this.#drawSeeds(options);
    let xs = this.#split(x);
    for (let l = 0; l < this.depth; l++) xs = this.#block(l, xs, op, seeds);
    return this.#concat(xs);
  }

  override dispose(): void {
    for (const e of this.#select) e.dispose();
    super.dispose();
  }

  #check(x: Tensor, graph: Graph, options: ReversibleForwardOptions): void {
    if (!(x instanceof Tensor)) throw new TypeError('ReversibleStack.forward: argument x must be a Tensor');
    if (!(graph instanceof Graph)) throw new TypeError('ReversibleStack.forward: argument graph must be a Graph');
    requireObject('ReversibleStack.forward', 'options', options);
    const seed = options.seed;
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
      throw new RangeError(`ReversibleStack.forward: options.seed must be an integer in [0, 2^32), got ${String(seed)}`);
    }
    if (x.shape.length !== 2 || x.shape[1] !== this.channels) {
      throw new RangeError(`ReversibleStack.forward: x ${x.describe()} must be [N, ${this.channels}]`);
    }
  }

  // Only the GCN branch aggregates here; branch modules look up their own operators.
  #operator(graph: Graph): Branching {
    if (this.#branches) return { graph };
    const p = this.weights[0][0];
    return { graph, op: graph.operator(this.aggregation, { dtype: p.dtype, device: p.device }) };
  }

  #drawSeeds(options: ReversibleForwardOptions): number[] {
    // Branch modules carry their own dropout: draw seeds whenever training.
    const on = this.training && (this.dropout > 0 || this.#branches !== null);
    if (!on) return new Array<number>(this.depth).fill(0);
    const rng = options.rng ?? (options.seed === undefined ? this.#rng : new Rng(options.seed));
    return Array.from({ length: this.depth }, () => rng.nextUint32());
  }

  #split(x: Tensor): Tensor[] {
    return this.#select.map((e) => matmul(x, e));
  }

  #concat(xs: Tensor[]): Tensor {
    let y = matmul(xs[0], this.#select[0], { transB: true });
    for (let i = 1; i < xs.length; i++) y = add(y, matmul(xs[i], this.#select[i], { transB: true }));
    return y;
  }

  // f_i of block l; group i's mask seed is derived from the block's seed.
  #f(l: number, i: number, h: Tensor, op: Branching, seeds: number[]): Tensor {
    const seed = (seeds[l] + Math.imul(i + 1, 0x9e3779b1)) >>> 0;
    if (this.#branches) return this.#branches[l][i].forward(h, op.graph, { dropoutSeed: seed });
    const drop = this.dropout > 0 ? { p: this.dropout, seed, training: this.training } : undefined;
    return gcnBranch(h, this.weights[l][i], op.op!, { t: this.t, scale: this.branchScale, dropout: drop });
  }

  #block(l: number, xs: Tensor[], op: Branching, seeds: number[]): Tensor[] {
    // X'_0 starts from a copy (scale by 1): add() hands one gradient tensor to both inputs, and
    // backward() frees it too early when the first input already has a pending gradient, as
    // X_2 does here (it also feeds X'_2). The copy node is always a fresh first input.
    let prev = this.groups > 2 ? scale(xs[1], 1) : xs[1];
    for (let i = 2; i < this.groups; i++) prev = add(prev, xs[i]);
    const outs: Tensor[] = [];
    for (let i = 0; i < this.groups; i++) {
      outs.push(add(xs[i], this.#f(l, i, prev, op, seeds)));
      prev = outs[i];
    }
    return outs;
  }

  // Block l's input from its output: X_i = X'_i − f_i(X'_{i−1}) for i = G..2, then X'_0, then X_1.
  #inverse(l: number, ys: Tensor[], op: Branching, seeds: number[]): Tensor[] {
    const xs: Tensor[] = new Array(this.groups);
    for (let i = this.groups - 1; i >= 1; i--) xs[i] = sub(ys[i], this.#f(l, i, ys[i - 1], op, seeds));
    let prev = xs[1];
    for (let i = 2; i < this.groups; i++) prev = add(prev, xs[i]);
    xs[0] = sub(ys[0], this.#f(l, 0, prev, op, seeds));
    return xs;
  }

  #backward(y: Tensor, g: Tensor, op: Branching, seeds: number[]): Tensor {
    if (!isGradEnabled())
      throw new RangeError(
        'ReversibleStack: backward needs gradient recording on (it re-runs each block on a local tape); do not call backward() inside noGrad()',
      );
    let ys = noGrad(() => this.#split(y));
    let gs = noGrad(() => this.#split(g));
    for (let l = this.depth - 1; l >= 0; l--) {
      const xs = noGrad(() => tidy(() => this.#inverse(l, ys, op, seeds)));
      for (const t of ys) t.dispose();
      const grads = tidy(() => {
        for (const x of xs) x.requiresGrad = true;
        // The vector-Jacobian product of the block's outputs with their gradients, in one pass.
        backward(this.#block(l, xs, op, seeds), gs);
        // Leaf gradients live outside every scope; take them before their tensors are freed.
        return xs.map((x) => {
          const gx = x.grad ?? Tensor.zeros(x.shape, { dtype: x.dtype, device: x.device });
          x.grad = null;
          return gx;
        });
      });
      for (const t of gs) t.dispose();
      for (const x of xs) {
        x.requiresGrad = false;
      }
      gs = grads;
      ys = xs;
    }
    for (const t of ys) t.dispose();
    const gx = noGrad(() => this.#concat(gs));
    for (const t of gs) t.dispose();
    return gx;
  }
}
