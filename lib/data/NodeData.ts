import { keep } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { GraphData } from './types.js';
import { FathomError } from '../errors/FathomError.js';
import { Graph } from '../graph/Graph.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';

/**
 * A node-classification problem on one device: the graph, features, labels and masks as
 * tensors, plus host copies of labels and masks for metrics. Checks features for NaN/Inf.
 * Features at most 10 % nonzero (bag-of-words) are held as {@link SparseFeatures} only, which
 * `features` returns and fit() trains on: the first layer's products then cost nnz, not N·F,
 * and the dense matrix is built only if `x` is asked for.
 *
 * @example
 * using data = NodeData.from(loadDataset('cora', { normalizeFeatures: true }), { device: 'cpu' });
 */
export class NodeData implements Disposable {
  #x: Tensor | null;
  #onDisk = false;

  private constructor(
    readonly graph: Graph,
    x: Tensor | null,
    readonly y: Tensor,
    readonly trainMask: Tensor,
    readonly valMask: Tensor,
    readonly testMask: Tensor,
    readonly labels: Int32Array,
    readonly masks: { train: Uint8Array; val: Uint8Array; test: Uint8Array },
    readonly numClasses: number,
    readonly sparseX: SparseFeatures | null,
    readonly numFeatures: number,
  ) {
    if (!(graph instanceof Graph)) throw new TypeError('NodeData: create it with NodeData.from(dataset, { device })');
    this.#x = x;
  }

  /**
   * `sparseFeatures`: 'auto' (default) holds features at most 10 % nonzero as nonzeros only
   * (`x` is then built on first use); true always, false never. `features: false` builds the
   * data without features (a dataset loaded with `features: 'none'`): the graph, labels and
   * masks of a distributed run whose features come from a DistributedFeatures store; `x` and
   * `features` then throw.
   */
  static from(data: GraphData, options: { device?: Device; dtype?: DType; sparseFeatures?: boolean | 'auto'; features?: boolean } = {}): NodeData {
    const op = 'NodeData.from';
    const device = options.device ?? 'cpu';
    const dtype = options.dtype ?? 'f32';
    const n = data.numNodes;
    const withFeatures = options.features ?? true;
    if (typeof withFeatures !== 'boolean') throw new TypeError(`${op}: features must be true or false, got ${String(withFeatures)}`);
    if (withFeatures && (!data.x || data.x.length === 0) && n * data.numFeatures > 0) {
      throw new RangeError(`${op}: dataset ${data.name} has no features${data.x ? " (loaded with features: 'none'? then pass features: false)" : ''}`);
    }
    if (!data.x) throw new RangeError(`${op}: dataset ${data.name} has no features`);
    if (withFeatures && data.x.length !== n * data.numFeatures) {
      throw new RangeError(`${op}: features have ${data.x.length} values, expected ${n}×${data.numFeatures}`);
    }
    for (const [name, arr] of [
      ['y', data.y],
      ['trainMask', data.trainMask],
      ['valMask', data.valMask],
      ['testMask', data.testMask],
    ] as const) {
      if (arr.length !== n) throw new RangeError(`${op}: ${name} has ${arr.length} entries, expected numNodes = ${n}`);
    }
    const made: Disposable[] = [];
    // Kept: the data outlives any tidy() scope it was created in.
    const own = <T extends Disposable>(d: T): T => {
      made.push(d);
      if (d instanceof Tensor) keep(d);
      return d;
    };
    try {
      const graph = own(Graph.fromEdgeIndex(data.edgeIndex, { numNodes: n }));
      if (!withFeatures) return NodeData.#withoutFeatures(graph, data, device, own);
      const dense = Tensor.from(dtype === 'f64' ? Float64Array.from(data.x) : data.x, [n, data.numFeatures], { device });
      let sparse: SparseFeatures | null = null;
      try {
        const bad = native().countNonfinite(dense.handle(op));
        if (bad > 0) throw new RangeError(`${op}: features of ${data.name} contain ${bad} NaN or infinite values`);
        if (wantsSparse(op, options.sparseFeatures ?? 'auto', data.x)) sparse = own(SparseFeatures.fromDense(dense));
      } catch (e) {
        dense.dispose();
        throw e;
      }
      // Sparse features are held once, as nonzeros; `x` rebuilds the dense matrix on demand.
      // The dense block would stay in the reuse cache, which keeps blocks by exact size: no
      // step asks for this one again.
      if (sparse) {
        dense.dispose();
        native().emptyCache();
      }
      const x = sparse ? null : own(dense);
      const y = own(Tensor.from(data.y, [n], { device }));
      const masks = [data.trainMask, data.valMask, data.testMask].map((m) => own(Tensor.from(m, [n], { device })));
      const m = { train: data.trainMask, val: data.valMask, test: data.testMask };
      return new NodeData(graph, x, y, masks[0], masks[1], masks[2], data.y, m, data.numClasses, sparse, data.numFeatures);
    } catch (e) {
      for (const d of made) d[Symbol.dispose]();
      throw e;
    }
  }

  static #withoutFeatures(graph: Graph, data: GraphData, device: Device, own: <T extends Disposable>(d: T) => T): NodeData {
    const n = data.numNodes;
    const y = own(Tensor.from(data.y, [n], { device }));
    const masks = [data.trainMask, data.valMask, data.testMask].map((m) => own(Tensor.from(m, [n], { device })));
    const m = { train: data.trainMask, val: data.valMask, test: data.testMask };
    const made = new NodeData(graph, null, y, masks[0]!, masks[1]!, masks[2]!, data.y, m, data.numClasses, null, data.numFeatures);
    made.#onDisk = true;
    return made;
  }

  /** Whether the data was built without features (`features: false`). */
  get hasFeatures(): boolean {
    return !this.#onDisk;
  }

  /** What models should be given: the sparse copy when there is one, else `x`. */
  get features(): Tensor | SparseFeatures {
    return this.sparseX ?? this.x;
  }

  /**
   * The dense features [N, F]. With sparse features it is built from them on first use and kept
   * until dispose (prefer `features`, which never densifies).
   */
  get x(): Tensor {
    if (this.#onDisk) {
      throw new FathomError(
        "NodeData.x: this data was built without features (features: false); read rows through a DistributedFeatures store (fit's features option)",
        'TYPE',
      );
    }
    if (!this.#x) {
      if (!this.sparseX || this.sparseX.disposed) throw new TypeError('NodeData.x: the data was disposed');
      this.#x = keep(this.sparseX.toDense());
    }
    return this.#x;
  }

  dispose(): void {
    this.sparseX?.dispose();
    this.#x?.dispose();
    for (const t of [this.y, this.trainMask, this.valMask, this.testMask]) t.dispose();
    this.graph.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

// Bag-of-words features are ~1 % nonzero; above 10 % a dense GEMM is faster than an SpMM.
const SPARSE_MAX_DENSITY = 0.1;

function wantsSparse(op: string, mode: boolean | 'auto', x: ArrayLike<number>): boolean {
  if (mode !== true && mode !== false && mode !== 'auto') {
    throw new TypeError(`${op}: sparseFeatures must be true, false or 'auto', got ${String(mode)}`);
  }
  if (mode !== 'auto') return mode;
  const limit = SPARSE_MAX_DENSITY * x.length;
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0 && ++nnz > limit) return false;
  return x.length > 0;
}
