import { keep } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { GraphData } from '../data/types.js';
import { Graph } from '../graph/Graph.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';

/**
 * A node-classification problem on one device: the graph, features, labels and masks as
 * tensors, plus host copies of labels and masks for metrics. Checks features for NaN/Inf.
 * Features at most 10 % nonzero (bag-of-words) are also held as {@link SparseFeatures}, which
 * `features` returns and fit() trains on: the first layer's products then cost nnz, not N·F.
 *
 * @example
 * using data = NodeData.from(loadDataset('cora', { normalizeFeatures: true }), { device: 'cpu' });
 */
export class NodeData implements Disposable {
  private constructor(
    readonly graph: Graph,
    readonly x: Tensor,
    readonly y: Tensor,
    readonly trainMask: Tensor,
    readonly valMask: Tensor,
    readonly testMask: Tensor,
    readonly labels: Int32Array,
    readonly masks: { train: Uint8Array; val: Uint8Array; test: Uint8Array },
    readonly numClasses: number,
    readonly sparseX: SparseFeatures | null,
  ) {
    if (!(graph instanceof Graph)) throw new TypeError('NodeData: create it with NodeData.from(dataset, { device })');
  }

  /**
   * `sparseFeatures`: 'auto' (default) keeps a sparse copy of features at most 10 % nonzero;
   * true always, false never.
   */
  static from(data: GraphData, options: { device?: Device; dtype?: DType; sparseFeatures?: boolean | 'auto' } = {}): NodeData {
    const op = 'NodeData.from';
    const device = options.device ?? 'cpu';
    const dtype = options.dtype ?? 'f32';
    const n = data.numNodes;
    if (!data.x) throw new RangeError(`${op}: dataset ${data.name} has no features`);
    if (data.x.length !== n * data.numFeatures) {
      throw new RangeError(`${op}: features have ${data.x.length} values, expected ${n}×${data.numFeatures}`);
    }
    for (const [name, arr] of [['y', data.y], ['trainMask', data.trainMask], ['valMask', data.valMask], ['testMask', data.testMask]] as const) {
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
      const x = own(Tensor.from(dtype === 'f64' ? Float64Array.from(data.x) : data.x, [n, data.numFeatures], { device }));
      const bad = native().countNonfinite(x.handle(op));
      if (bad > 0) throw new RangeError(`${op}: features of ${data.name} contain ${bad} NaN or infinite values`);
      const y = own(Tensor.from(data.y, [n], { device }));
      const masks = [data.trainMask, data.valMask, data.testMask].map((m) => own(Tensor.from(m, [n], { device })));
      const sparse = wantsSparse(op, options.sparseFeatures ?? 'auto', data.x) ? own(SparseFeatures.fromDense(x)) : null;
      return new NodeData(graph, x, y, masks[0], masks[1], masks[2], data.y, { train: data.trainMask, val: data.valMask, test: data.testMask }, data.numClasses, sparse);
    } catch (e) {
      for (const d of made) d[Symbol.dispose]();
      throw e;
    }
  }

  /** What models should be given: the sparse copy when there is one, else `x`. */
  get features(): Tensor | SparseFeatures {
    return this.sparseX ?? this.x;
  }

  get numFeatures(): number {
    return this.x.shape[1];
  }

  dispose(): void {
    this.sparseX?.dispose();
    for (const t of [this.x, this.y, this.trainMask, this.valMask, this.testMask]) t.dispose();
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
