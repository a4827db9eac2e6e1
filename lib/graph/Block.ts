import { keep } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { CsrHandle } from '../binding/types.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { blockDegrees, gcnBlockWeights, withTargetLoops } from './blockNorm.js';
import { GraphOperator } from './GraphOperator.js';

/** What GCN aggregates a block with: the pattern of its edges plus target self loops, and the entry values. */
export interface BlockGcnNorm {
  /** [numTargets × numSources], 'sum' values: the pattern only. */
  operator: GraphOperator;
  /** [operator.nnz] in the operator's entry order. */
  values: Tensor;
  /** The same weights in the transposed operator's entry order (for the backward). */
  transposedValues: Tensor;
}

export interface BlockOptions {
  numSources: number;
  numTargets: number;
  /**
   * Each source's in-degree in the graph the block was sampled from, self loops not counted
   * (NeighborSampler passes them). GCN's normalization reads them; without them the block is
   * taken as the whole graph (in-degrees counted within the block).
   */
  degrees?: ArrayLike<number>;
}

/** What a block aggregates with: 'mean' (D⁻¹A over the sampled edges) or 'target' (the first numTargets sources). */
export type BlockOperatorKind = 'mean' | 'sum' | 'target';

/**
 * A bipartite message-passing graph, the unit of mini-batch training (DGL's block, one layer
 * of a PyG NeighborLoader batch): edges run from `numSources` source nodes to `numTargets`
 * target nodes, in local ids, and the targets are the first `numTargets` sources (a node's own
 * features are row i of the layer's input). Operators are built natively on first use and cached
 * per (kind, dtype, device); they are rectangular [numTargets × numSources] CSRs with their
 * transposes, so the ordinary SpMM and its backward apply. Usually made by a neighbour sampler.
 *
 * @example
 * using block = Block.fromEdgeIndex(new Int32Array([1, 2, 2,  0, 0, 1]), { numSources: 3, numTargets: 2 });
 * const h = propagate(block.operator('mean'), x); // x: [3, F] → h: [2, F]
 */
export class Block implements Disposable {
  readonly numSources: number;
  readonly numTargets: number;
  readonly numEdges: number;
  /** The edges as [sources..., targets...] in local ids (a copy of what was given). */
  readonly edgeIndex: Int32Array;
  /** The in-degree (self loops not counted) of every source that GCN's normalization uses; see {@link gcnNorm}. */
  readonly degrees: Float64Array;
  #operators = new Map<string, GraphOperator>();
  #gcn = new Map<string, BlockGcnNorm>();
  #adjacency: CsrHandle | null;
  /**
   * @internal Set by a loader staging this block for the next step on CUDA: operators built
   * from then on reach the device through the copy stream (native toDeviceOverlapped), so the
   * copies overlap the step that is running.
   */
  overlapCopies = false;

  private constructor(edgeIndex: Int32Array, numSources: number, numTargets: number, degrees: Float64Array, adjacency: CsrHandle) {
    if (!(edgeIndex instanceof Int32Array) || !adjacency || typeof adjacency !== 'object') {
      throw new TypeError('Block: create blocks with Block.fromEdgeIndex(edgeIndex, { numSources, numTargets })');
    }
    this.edgeIndex = edgeIndex;
    this.numSources = numSources;
    this.numTargets = numTargets;
    this.numEdges = edgeIndex.length / 2;
    this.degrees = degrees;
    this.#adjacency = adjacency;
  }

  /**
   * A block from a flat edgeIndex [sources..., targets...] with sources in [0, numSources) and
   * targets in [0, numTargets ≤ numSources); every index is checked natively. `degrees` (one per
   * source) are what GCN normalizes with; see {@link BlockOptions}.
   */
  static fromEdgeIndex(edgeIndex: Int32Array, options: BlockOptions): Block {
    const op = 'Block.fromEdgeIndex';
    if (!(edgeIndex instanceof Int32Array)) throw new TypeError(`${op}: edgeIndex must be an Int32Array [sources..., targets...]`);
    if (edgeIndex.length % 2 !== 0) throw new RangeError(`${op}: edgeIndex has odd length ${edgeIndex.length}; expected [2, E] flattened`);
    const { numSources, numTargets } = options ?? ({} as BlockOptions);
    for (const [name, v] of [
      ['numSources', numSources],
      ['numTargets', numTargets],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`${op}: ${name} must be an integer in [0, 2^31), got ${String(v)}`);
    }
    if (numTargets > numSources) {
      throw new RangeError(`${op}: numTargets ${numTargets} exceeds numSources ${numSources}; the targets are the first sources`);
    }
    const copy = Int32Array.from(edgeIndex);
    using t = Tensor.from(copy, [2, copy.length / 2], { dtype: 'i32' });
    const csr = native().csrFromBipartite(t.handle(op), numSources, numTargets);
    try {
      return new Block(copy, numSources, numTargets, blockDegrees(op, options.degrees, copy, numSources), csr);
    } catch (e) {
      csr.dispose();
      throw e;
    }
  }

  /** The operator `kind` in `dtype` on `device`, with its transpose; cached, owned by the block. */
  operator(kind: BlockOperatorKind, options: { dtype?: DType; device?: Device } = {}): GraphOperator {
    const dtype = options.dtype ?? 'f32';
    const device = options.device ?? 'cpu';
    if (kind !== 'mean' && kind !== 'sum' && kind !== 'target') throw new RangeError(`Block.operator: kind '${String(kind)}' is not one of mean, sum, target`);
    const key = `${kind}/${dtype}/${device}`;
    let cached = this.#operators.get(key);
    if (!cached) {
      cached = this.build(kind, dtype, device);
      this.#operators.set(key, cached);
    }
    return cached;
  }

  /**
   * GCN's normalized aggregation on this block (D̃^-1/2 (A+I) D̃^-1/2 of the sampled graph): the
   * block's edges, self loops dropped, plus one self loop per target, with entry values
   *   (i, i): 1 / d̃_i,    j → i: (degrees[i] / k_i) / sqrt(d̃_i d̃_j),    d̃_v = degrees[v] + 1,
   * k_i the non-loop edges of target i in the block. With the graph's degrees (as a
   * NeighborSampler gives them) and every neighbour kept, the rows are the full graph's; with
   * fewer kept, the factor degrees[i] / k_i makes a row an unbiased estimate of it. Cached per
   * dtype and device, owned by the block.
   *
   * @example
   * const { operator, values, transposedValues } = block.gcnNorm({ dtype: 'f32' });
   * const h = propagateFixed(operator, x, values, transposedValues); // x: [numSources, F] → [numTargets, F]
   */
  gcnNorm(options: { dtype?: DType; device?: Device } = {}): BlockGcnNorm {
    const dtype = options.dtype ?? 'f32';
    const device = options.device ?? 'cpu';
    const key = `${dtype}/${device}`;
    let cached = this.#gcn.get(key);
    if (!cached) {
      const operator = this.structured('gcnNorm', withTargetLoops(this.edgeIndex, this.numTargets), this.numTargets, 'sum', dtype, device);
      const made: Tensor[] = [];
      try {
        const fill = gcnBlockWeights('Block.gcnNorm', hostArrays(operator.forward('Block.gcnNorm')).rowptr, this.degrees);
        for (const transposed of [false, true]) {
          const a = hostArrays(transposed ? operator.transposed('Block.gcnNorm') : operator.forward('Block.gcnNorm'));
          const w = fill(a.rowptr, a.col, transposed);
          const host = Tensor.from(dtype === 'f64' ? w : Float32Array.from(w), [w.length], { dtype });
          made.push(keep(host));
          if (device !== 'cpu')
            made.push(keep(this.overlapCopies ? new Tensor(native().toDeviceOverlapped(host.handle('Block.gcnNorm'), device)) : host.to(device)));
        }
        const onDevice = device === 'cpu' ? made : [made[1], made[3]];
        for (const t of made) if (!onDevice.includes(t)) t.dispose();
        cached = { operator, values: onDevice[0], transposedValues: onDevice[1] };
      } catch (e) {
        operator.dispose();
        for (const t of made) t.dispose();
        throw e;
      }
      this.#gcn.set(key, cached);
    }
    return cached;
  }

  /**
   * The operator [numTargets × numSources] GAT attends over: row i holds target i's in-edges in
   * the block and (with `selfLoops`) one self loop at column i, as the graph's 'gin' operator
   * (kind 'gin', or 'sum' without loops) restricted to the targets. The fused attention kernel
   * takes it as it is: one output row per target, the source rows only read. Cached, owned by the
   * block.
   *
   * @example
   * const op = block.attentionOperator(true);
   * const h = gatAttention(op, xs, xs, aSrc, aDst, { version: 'v1' }); // xs [numSources, H·F] → [numTargets, H·F]
   */
  attentionOperator(selfLoops: boolean, options: { dtype?: DType; device?: Device } = {}): GraphOperator {
    if (typeof selfLoops !== 'boolean') throw new TypeError(`Block.attentionOperator: selfLoops must be true or false, got ${String(selfLoops)}`);
    const dtype = options.dtype ?? 'f32';
    const device = options.device ?? 'cpu';
    const kind = selfLoops ? 'gin' : 'sum';
    const key = `attention-${kind}/${dtype}/${device}`;
    let cached = this.#operators.get(key);
    if (!cached) {
      cached = this.structured('attentionOperator', this.edgeIndex, this.numTargets, kind, dtype, device);
      this.#operators.set(key, cached);
    }
    return cached;
  }

  /** A native operator `kind` over `edges` with `rows` target rows and this block's sources as columns. */
  private structured(name: string, edges: Int32Array, rows: number, kind: 'sum' | 'gin', dtype: DType, device: Device): GraphOperator {
    if (!this.#adjacency) throw new TypeError(`Block.${name}: the block was disposed`);
    const b = native();
    using t = Tensor.from(edges, [2, edges.length / 2], { dtype: 'i32' });
    const structure = b.csrFromBipartite(t.handle(`Block.${name}`), this.numSources, rows);
    const made: CsrHandle[] = [];
    const moved: CsrHandle[] = [];
    try {
      const cpu = b.csrOperator(structure, kind, dtype);
      made.push(cpu);
      made.push(b.csrTranspose(cpu));
      if (device === 'cpu') return new GraphOperator(kind, dtype, device, made[0], made[1], rows);
      for (const h of made) moved.push(this.#toDevice(h, device));
      for (const h of made) h.dispose();
      return new GraphOperator(kind, dtype, device, moved[0], moved[1], rows);
    } catch (e) {
      for (const h of [...made, ...moved]) h.dispose();
      throw e;
    } finally {
      structure.dispose();
    }
  }

  private build(kind: BlockOperatorKind, dtype: DType, device: Device): GraphOperator {
    if (!this.#adjacency) throw new TypeError('Block.operator: the block was disposed');
    const b = native();
    const made: CsrHandle[] = [];
    const own = (h: CsrHandle) => {
      made.push(h);
      return h;
    };
    try {
      // 'target' selects the first numTargets rows: one unit entry (i, i) per target.
      const structure = kind === 'target' ? own(this.identity()) : this.#adjacency;
      const cpu = own(b.csrOperator(structure, kind === 'mean' ? 'mean' : 'sum', dtype));
      const cpuT = own(b.csrTranspose(cpu));
      const onDevice = device === 'cpu' ? [cpu, cpuT] : [own(this.#toDevice(cpu, device)), own(this.#toDevice(cpuT, device))];
      for (const h of made) if (!onDevice.includes(h)) h.dispose();
      return new GraphOperator(kind, dtype, device, onDevice[0], onDevice[1], this.numTargets);
    } catch (e) {
      for (const h of made) h.dispose();
      throw e;
    }
  }

  /** A CPU CSR's copy on `device`, overlapped with the running step when {@link overlapCopies}. */
  #toDevice(h: CsrHandle, device: Device): CsrHandle {
    return this.overlapCopies ? native().csrToOverlapped(h, device) : native().csrTo(h, device);
  }

  private identity(): CsrHandle {
    const T = this.numTargets;
    const ei = new Int32Array(2 * T);
    for (let i = 0; i < T; i++) ei[i] = ei[T + i] = i;
    using t = Tensor.from(ei, [2, T], { dtype: 'i32' });
    return native().csrFromBipartite(t.handle('Block.operator'), this.numSources, T);
  }

  get disposed(): boolean {
    return this.#adjacency === null;
  }

  dispose(): void {
    for (const o of this.#operators.values()) o.dispose();
    this.#operators.clear();
    for (const g of this.#gcn.values()) {
      g.operator.dispose();
      g.values.dispose();
      g.transposedValues.dispose();
    }
    this.#gcn.clear();
    this.#adjacency?.dispose();
    this.#adjacency = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Host copies of a CSR's row pointers and columns (on any device). */
function hostArrays(csr: CsrHandle): { rowptr: Int32Array; col: Int32Array } {
  const a = csr.arrays();
  const ts = [a.rowptr, a.col, a.perm, a.values].filter((h) => h !== undefined).map((h) => new Tensor(h));
  try {
    return { rowptr: ts[0].toArray() as Int32Array, col: ts[1].toArray() as Int32Array };
  } finally {
    for (const t of ts) t.dispose();
  }
}
