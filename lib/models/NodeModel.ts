import type { Graph } from '../graph/Graph.js';
import { Module } from '../nn/Module.js';
import type { Tensor } from '../tensor/Tensor.js';

/** A model mapping node features [N, F] on a graph to logits [N, C]; what fit() trains. */
export abstract class NodeModel extends Module {
  abstract readonly name: string;
  abstract forward(x: Tensor, graph: Graph): Tensor;
}
