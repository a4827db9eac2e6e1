import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { RngState } from '../random/rng.js';

/** What predict and embed use of a NodeModel (structural: NodeModel builds on this module). */
export interface PredictingModel {
  readonly name: string;
  readonly training: boolean;
  readonly rngState: RngState | undefined;
  readonly hasLayerFeatures: boolean;
  eval(): unknown;
  train(mode?: boolean): unknown;
  setRngState(state: RngState): void;
  forward(x: Tensor | SparseFeatures, graph: Graph): Tensor;
  forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): { logits: Tensor; features: Tensor[] };
}

/** Which nodes predict() reports: indices, or a mask with one entry per node (Uint8Array or booleans). */
export type NodeSelection = ArrayLike<number> | Uint8Array | readonly boolean[];

/** What predict() returns, row i for node `nodes[i]`. */
export interface Predictions {
  /** The most probable class of each node (first of equal ones; see argmax). */
  classes: Int32Array;
  /** Softmax probabilities, row-major [nodes.length, numClasses]; each row sums to 1. */
  probabilities: Float32Array;
  /** The node of each row, ascending for a mask, as given for indices. */
  nodes: Int32Array;
  numClasses: number;
}

/**
 * Runs `fn` in eval mode without gradients, disposing every tensor it makes except the one
 * it returns; the training mode and the dropout stream are as before afterwards, so a
 * prediction changes nothing of a later training run.
 */
export function inference<R>(model: PredictingModel, fn: () => R): R {
  const wasTraining = model.training;
  const rng = model.rngState;
  model.eval();
  try {
    return noGrad(() => tidy(fn));
  } finally {
    model.train(wasTraining);
    if (rng) model.setRngState(rng);
  }
}

/** NodeModel.predict's body (see there). */
export function predictNodes(model: PredictingModel, x: Tensor | SparseFeatures, graph: Graph, options: { nodes?: NodeSelection } = {}): Predictions {
  const op = `${model.name}.predict`;
  if (!(graph instanceof Graph)) throw new TypeError(`${op}: argument graph must be a Graph`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${op}: argument options must be an object`);
  const nodes = selectNodes(op, options.nodes, graph.numNodes);
  return inference(model, () => {
    const logp = logSoftmax(model.forward(x, graph));
    const [n, c] = logp.shape as [number, number];
    if (n !== graph.numNodes) throw new FathomError(`${op}: the model returned ${logp.describe()} for a graph of ${graph.numNodes} nodes`, 'SHAPE');
    // The classes as evaluate() computes them (the argmax of the log-probabilities), so that
    // predict() and fit()'s accuracies agree exactly.
    const all = new Tensor(native().argmaxRows(logp.handle(op))).toArray() as Int32Array;
    const lp = logp.toArray();
    const classes = new Int32Array(nodes.length);
    const probabilities = new Float32Array(nodes.length * c);
    nodes.forEach((node, i) => {
      classes[i] = all[node]!;
      for (let j = 0; j < c; j++) probabilities[i * c + j] = Math.exp(lp[node * c + j]!);
    });
    return { classes, probabilities, nodes, numClasses: c };
  });
}

/** NodeModel.embed's body (see there). */
export function embedNodes(model: PredictingModel, x: Tensor | SparseFeatures, graph: Graph): Tensor {
  const op = `${model.name}.embed`;
  if (!model.hasLayerFeatures) {
    throw new TypeError(`${op}: this model does not expose its hidden layers (no forwardFeatures); predict() works, embeddings do not`);
  }
  return inference(model, () => {
    const { logits, features } = model.forwardFeatures(x, graph);
    const hidden = features.at(-1) === logits ? features.at(-2) : features.at(-1);
    if (!hidden) throw new FathomError(`${op}: this model has no hidden layer (only its output layer)`, 'SHAPE');
    return hidden;
  });
}

/** Resolves `nodes` (undefined: every node) to node indices, checked against `numNodes`. */
export function selectNodes(op: string, nodes: NodeSelection | undefined, numNodes: number): Int32Array {
  if (nodes === undefined) return Int32Array.from({ length: numNodes }, (_, i) => i);
  if (!ArrayBuffer.isView(nodes) && !Array.isArray(nodes)) {
    throw new TypeError(`${op}: argument nodes must be node indices (Int32Array, number[]) or a mask (Uint8Array, boolean[])`);
  }
  const isMask = nodes instanceof Uint8Array || (Array.isArray(nodes) && nodes.length > 0 && typeof nodes[0] === 'boolean');
  if (isMask) {
    if (nodes.length !== numNodes)
      throw new FathomError(`${op}: argument nodes is a mask of length ${nodes.length} but the graph has ${numNodes} nodes`, 'SHAPE');
    const out: number[] = [];
    for (let i = 0; i < numNodes; i++) {
      const v = (nodes as ArrayLike<number | boolean>)[i];
      if (v !== 0 && v !== 1 && v !== true && v !== false)
        throw new FathomError(`${op}: argument nodes[${i}] = ${String(v)} is not a mask value (0/1 or a boolean)`, 'RANGE');
      if (v) out.push(i);
    }
    return Int32Array.from(out);
  }
  const out = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const v = (nodes as ArrayLike<unknown>)[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= numNodes) {
      throw new FathomError(`${op}: argument nodes[${i}] = ${String(v)} is not a node index in [0, ${numNodes})`, 'RANGE');
    }
    out[i] = v;
  }
  return out;
}
