import { Graph } from '../graph/Graph.js';

/**
 * One partition mini-batch (ClusterGCN's batch, of METIS or random parts): a set of nodes and the
 * subgraph they induce (every edge among them) as an ordinary {@link Graph}, so any full-batch
 * model runs on it unchanged. `nodeIds` are the global ids in ascending order; local id i is
 * `nodeIds[i]`. fit() gathers the batch's features, labels and training mask by `nodeIds`.
 * The batch owns its graph: dispose() frees it.
 *
 * @example
 * for await (const batch of loader.batches(1)) {
 *   using b = batch;
 *   const logits = model.forward(x, b.graph); // x: the feature rows of b.nodeIds
 * }
 */
export class PartitionBatch implements Disposable {
  readonly nodeIds: Int32Array;
  readonly graph: Graph;

  constructor(nodeIds: Int32Array, graph: Graph) {
    if (!(nodeIds instanceof Int32Array)) throw new TypeError('PartitionBatch: nodeIds must be an Int32Array');
    if (!(graph instanceof Graph)) throw new TypeError('PartitionBatch: graph must be a Graph');
    if (graph.numNodes !== nodeIds.length) {
      throw new RangeError(`PartitionBatch: graph has ${graph.numNodes} nodes but nodeIds has ${nodeIds.length} entries`);
    }
    this.nodeIds = nodeIds;
    this.graph = graph;
  }

  /** The number of nodes in the batch. */
  get numNodes(): number {
    return this.nodeIds.length;
  }

  get disposed(): boolean {
    return this.graph.disposed;
  }

  dispose(): void {
    this.graph.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
