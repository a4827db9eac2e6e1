import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { biasAdd } from '../../lib/functional/biasAdd.js';
import { dropout } from '../../lib/functional/dropout.js';
import { matmul } from '../../lib/functional/matmul.js';
import { propagate } from '../../lib/functional/propagate.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GCN } from '../../lib/models/GCN.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { randomInput } from '../helpers/gradcheck.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 60;

/** Logits and every parameter's gradient (for a fixed upstream gradient) of one training pass. */
function pass(model: GCN, run: () => Tensor, seedGrad: Float64Array): number[][] {
  return tidy(() => {
    for (const p of model.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
    const logits = run();
    backward(logits, Tensor.from(seedGrad, logits.shape, { dtype: logits.dtype }));
    return [Array.from(logits.toArray()), ...model.parameters().map((p) => Array.from(p.grad!.toArray()))];
  });
}

/** The GCN of Kipf & Welling spelled out with the unfused ops: propagate, biasAdd, relu. */
function unfused(model: GCN, x: Tensor, graph: Graph, rng: Rng): Tensor {
  let h = x;
  model.layers.forEach((conv, l) => {
    const op = graph.operator('gcn', { dtype: x.dtype });
    const d = dropout(h, model.dropout, { seed: rng.nextUint32(), training: true });
    const y =
      conv.outChannels <= conv.inChannels ? propagate(op, matmul(d, conv.weight, { transB: true })) : matmul(propagate(op, d), conv.weight, { transB: true });
    const z = biasAdd(y, conv.bias!);
    h = l < model.layers.length - 1 ? relu(z) : z;
  });
  return h;
}

describe('the GCN model on the fused layer path', () => {
  // [in, hidden]: 12 → 8 aggregates after the weight (fused bias and ReLU); 3 → 8 aggregates
  // before it (bias and ReLU stay separate ops); both give the same numbers either way.
  it.each([
    ['f32', 12, 8],
    ['f64', 12, 8],
    ['f32', 3, 8],
  ] as [DType, number, number][])('gives the unfused composition’s logits and gradients to the bit (%s, %i → %i)', (dtype, inC, hidden) => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 240, 8), { numNodes: N });
    using model = new GCN({ inChannels: inC, hiddenChannels: hidden, outChannels: 3, numLayers: 3, seed: 5, dtype });
    model.train();
    const rng = new Rng(9);
    const xv = randomInput(rng, [N, inC]).values;
    const gv = randomInput(rng, [N, 3]).values;
    using x = Tensor.from(xv, [N, inC], { dtype });
    const state = model.rngState!;
    const fused = pass(model, () => model.forward(x, graph), gv);
    model.setRngState(state);
    const features = pass(model, () => model.forwardFeatures(x, graph).logits, gv);
    const stream = new Rng(1);
    stream.setState(state);
    const plain = pass(model, () => unfused(model, x, graph, stream), gv);
    expect(fused).toEqual(plain);
    expect(features).toEqual(plain);
  });
});
