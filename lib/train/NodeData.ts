import { keep } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { GraphData } from '../data/types.js';
import { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';

/**
 * A node-classification problem on one device: the graph, features, labels and masks as
 * tensors, plus host copies of labels and masks for metrics. Checks features for NaN/Inf.
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
  ) {
    if (!(graph instanceof Graph)) throw new TypeError('NodeData: create it with NodeData.from(dataset, { device })');
  }

  static from(data: GraphData, options: { device?: Device; dtype?: DType } = {}): NodeData {
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
      return new NodeData(graph, x, y, masks[0], masks[1], masks[2], data.y, { train: data.trainMask, val: data.valMask, test: data.testMask }, data.numClasses);
    } catch (e) {
      for (const d of made) d[Symbol.dispose]();
      throw e;
    }
  }

  get numFeatures(): number {
    return this.x.shape[1];
  }

  dispose(): void {
    for (const t of [this.x, this.y, this.trainMask, this.valMask, this.testMask]) t.dispose();
    this.graph.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
