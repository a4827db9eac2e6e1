import type { Rng } from '../data/rng.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import { reluBits } from '../functional/reluBits.js';
import type { Graph } from '../graph/Graph.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { LayerFeatures } from './NodeModel.js';

/** A graph convolution as GCN and GAT stack them. */
interface Conv {
  forward(x: Tensor | SparseFeatures, graph: Graph): Tensor;
}

/**
 * The forward pass of a plain stack of graph convolutions (GCN, GAT): dropout before every
 * layer, ReLU between layers, and every layer's output Z^l (before its ReLU; the last one is the
 * logits) for diagnostics. One dropout seed per layer is drawn from `rng`, in layer order, so
 * forward() and forwardFeatures() draw the same masks.
 */
export function convStackFeatures(
  layers: readonly Conv[],
  x: Tensor | SparseFeatures,
  graph: Graph,
  p: number,
  rng: Rng,
  training: boolean,
): LayerFeatures {
  let h: Tensor | SparseFeatures = x;
  let out: Tensor | null = null;
  const features: Tensor[] = [];
  // With dropout after it, the ReLU keeps its mask as bits and its output is freed once dropped
  // out: the dropout's output is what the next layer's backward reads.
  const dropped = training && p > 0;
  layers.forEach((conv, l) => {
    const input = dropout(h, p, { seed: rng.nextUint32(), training });
    if (l > 0 && dropped && input !== h) (h as Tensor).releaseData();
    out = conv.forward(input, graph);
    features.push(out);
    h = l < layers.length - 1 ? (dropped ? reluBits(out) : relu(out)) : out;
  });
  return { logits: out!, features };
}
