import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { NodeData } from '../data/NodeData.js';
import { requireInstance, requireObject } from '../errors/args.js';
import { relu } from '../functional/relu.js';
import { Block } from '../graph/Block.js';
import { loopFreeInDegrees } from '../graph/loopFreeInDegrees.js';
import { GAT } from '../models/GAT.js';
import { GCN } from '../models/GCN.js';
import { GraphSAGE } from '../models/GraphSAGE.js';
import { oneHopNeighborhood } from '../sampling/oneHopNeighborhood.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { BatchFeatures } from './batchFeatures.js';

export interface LayerwiseOptions {
  /** Target nodes per block (positive integer). */
  batchSize: number;
  /** Aborts between batches: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The models layer-wise inference runs: a stack of convolutions with ReLU between them. */
export type LayerwiseModel = GraphSAGE | GCN | GAT;

/** Whether `model` is one layer-wise inference runs. */
export function isLayerwiseModel(model: unknown): model is LayerwiseModel {
  return model instanceof GraphSAGE || model instanceof GCN || model instanceof GAT;
}

/**
 * Full-graph logits of a GraphSAGE, GCN or GAT computed layer by layer (PyG's `inference` with a subgraph
 * loader): each layer runs over all nodes in batches of `batchSize` consecutive target nodes,
 * each batch a {@link Block} of its targets' full one-hop neighbourhood, and writes the layer's
 * output for every node into a host buffer before the next layer reads it. A batch's memory is
 * its targets and their neighbours at one layer, never an L-hop neighbourhood, so graphs whose
 * full-batch forward does not fit can still be evaluated. Blocks carry the graph's in-degrees,
 * so GCN's normalized rows are the full graph's (Block.gcnNorm). Eval mode (no dropout), no gradients;
 * every block and tensor of a batch is freed before the next. Equals `model.forward(data.features,
 * data.graph)` up to f32 rounding: each row aggregates the same neighbours in the same order,
 * but the layer may multiply before or after aggregating depending on the block's size. Yields
 * to the event loop between batches. Returns the logits [N, C] on the data's device.
 *
 * @example
 * const logits = await layerwiseInference(model, data, { batchSize: 1024 });
 */
export async function layerwiseInference(model: LayerwiseModel, data: NodeData, options: LayerwiseOptions): Promise<Tensor> {
  const op = 'layerwiseInference';
  if (!isLayerwiseModel(model)) throw new TypeError(`${op}: argument model must be a GraphSAGE, GCN or GAT`);
  requireInstance(op, 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
  requireObject(op, 'options', options);
  const { batchSize, signal } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${op}: batchSize must be a positive integer, got ${String(batchSize)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${op}: signal must be an AbortSignal`);
  const n = data.graph.numNodes;
  if (n === 0) throw new RangeError(`${op}: the data's graph has no nodes`);
  const { rowptr, col } = data.graph.csr();
  const graphDegrees = loopFreeInDegrees(rowptr, col);
  const scratch = new Int32Array(n).fill(-1);
  const inputs = new BatchFeatures(data);
  const device = data.y.device;
  const wasTraining = model.training;
  model.eval();
  try {
    let prev: Float32Array | Float64Array | null = null;
    let prevC = data.numFeatures;
    const layers: readonly { forward(x: Tensor | SparseFeatures, graph: Block): Tensor }[] = model.layers;
    for (const [l, conv] of layers.entries()) {
      const last = l === layers.length - 1;
      // A layer's width from its first batch: GAT's concatenated heads make it heads × out.
      let C = 0;
      let out: Float32Array | Float64Array | null = null;
      for (let start = 0; start < n; start += batchSize) {
        signal?.throwIfAborted();
        const end = Math.min(n, start + batchSize);
        const { nodes, edgeIndex } = oneHopNeighborhood(rowptr, col, start, end, scratch);
        using block = Block.fromEdgeIndex(edgeIndex, {
          numSources: nodes.length,
          numTargets: end - start,
          degrees: Array.from(nodes, (v) => graphDegrees[v]!),
        });
        const x: Tensor | SparseFeatures = prev === null ? inputs.rows(nodes) : gather(prev, prevC, nodes, device);
        try {
          const rows = noGrad(() =>
            tidy(() => {
              const h = conv.forward(x, block);
              return (last ? h : relu(h)).toArray() as Float32Array | Float64Array;
            }),
          );
          C ||= rows.length / (end - start);
          out ??= new (rows.constructor as Float32ArrayConstructor)(n * C);
          out.set(rows, start * C);
        } finally {
          x.dispose();
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      prev = out;
      prevC = C;
    }
    return Tensor.from(prev!, [n, prevC], { device });
  } finally {
    model.train(wasTraining);
  }
}

/** Rows `nodes` of a host buffer [N, C], as a tensor on `device`. */
function gather(buffer: Float32Array | Float64Array, C: number, nodes: Int32Array, device: Tensor['device']): Tensor {
  const rows = new (buffer.constructor as Float32ArrayConstructor)(nodes.length * C);
  nodes.forEach((v, i) => rows.set(buffer.subarray(v * C, (v + 1) * C), i * C));
  return Tensor.from(rows, [nodes.length, C], { device });
}
