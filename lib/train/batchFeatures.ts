import { native } from '../binding/native.js';
import type { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * The per-batch inputs of mini-batch training, gathered by global node id: dense feature rows
 * straight from the data's feature tensor where it lives (gatherRows: no copy of the matrix, and
 * on a GPU no transfer of the rows), sparse ones from a host copy taken at the first rows() (so a
 * batch of bag-of-words features costs its nonzeros in the first layer), labels and mask
 * entries. Steps that read their rows elsewhere (partitioned features) never gather here.
 */
export class BatchFeatures {
  #host: Float32Array | Float64Array | null = null;

  constructor(readonly data: NodeData) {}

  /**
   * Rows `nodes` of the features [nodes.length, F], sparse when the data's are; the caller
   * disposes. Dense rows are gathered on the data's device (a GPU gathers them itself, its ids
   * sent on the copy stream). `overlap` (sparse features on CUDA): the host-gathered rows reach
   * the GPU through the copy stream, without waiting, for a batch staged while the previous step
   * runs (stageBatch.ts).
   */
  rows(nodes: Int32Array, overlap = false): Tensor | SparseFeatures {
    if (!this.data.sparseX) {
      // The ids go to the GPU on the copy stream (the op's own path for host ids): no wait either way.
      using index = Tensor.from(nodes, [nodes.length]);
      return new Tensor(native().gatherRows(this.data.x.handle('BatchFeatures.rows'), index.handle('BatchFeatures.rows')));
    }
    const F = this.data.numFeatures;
    this.#host ??= hostFeatures(this.data);
    const host = this.#host;
    const rows = new (host.constructor as Float32ArrayConstructor)(nodes.length * F);
    nodes.forEach((v, i) => rows.set(host.subarray(v * F, (v + 1) * F), i * F));
    const device = this.data.y.device;
    const dense = overlap && device === 'cuda' ? overlapped(Tensor.from(rows, [nodes.length, F])) : Tensor.from(rows, [nodes.length, F], { device });
    return this.asInput(dense);
  }

  /** Dense rows as the model takes them: sparse when the data's features are (takes `dense`). */
  asInput(dense: Tensor): Tensor | SparseFeatures {
    if (!this.data.sparseX) return dense;
    try {
      return SparseFeatures.fromDense(dense);
    } finally {
      dense.dispose();
    }
  }

  /** The labels of the first `count` of `nodes` (default all). */
  labels(nodes: Int32Array, count = nodes.length): Int32Array {
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) y[i] = this.data.labels[nodes[i]];
    return y;
  }

  /** The training mask restricted to `nodes`, and how many of them it selects. */
  trainMask(nodes: Int32Array): { mask: Uint8Array; count: number } {
    const mask = new Uint8Array(nodes.length);
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (!this.data.masks.train[nodes[i]]) continue;
      mask[i] = 1;
      count++;
    }
    return { mask, count };
  }
}

/** A CPU tensor's copy on CUDA through the copy stream; the CPU tensor is disposed (its bytes were staged). */
function overlapped(host: Tensor): Tensor {
  try {
    return new Tensor(native().toDeviceOverlapped(host.handle('BatchFeatures.rows'), 'cuda'));
  } finally {
    host.dispose();
  }
}

/** A host copy of the data's features, dense [numNodes × numFeatures]. */
export function hostFeatures(data: NodeData): Float32Array | Float64Array {
  if (!data.sparseX) return data.x.toArray() as Float32Array | Float64Array;
  const dense = data.sparseX.toDense();
  try {
    return dense.toArray() as Float32Array | Float64Array;
  } finally {
    dense.dispose();
  }
}

/** A batch loader must be live and built over the data's graph (sampled or partitioned alike). */
export function checkLoaderFits(loader: { disposed: boolean; numNodes: number }, data: NodeData, what: string): void {
  if (loader.disposed) throw new TypeError('fit: the batches loader was disposed');
  if (loader.numNodes !== data.graph.numNodes) {
    throw new FathomError(`fit: the batches loader ${what} a graph of ${loader.numNodes} nodes; the data has ${data.graph.numNodes}`, 'SHAPE');
  }
}

/** Per-layer features (diagnostics) are measured on full-batch steps only. */
export function refuseLayerFeatures(features: boolean): void {
  if (features) {
    throw new FathomError('fit: per-layer diagnostics need full-batch steps; drop diagnostics (or the callback asking for features) or batches', 'TYPE');
  }
}
