import type { Rng } from '../data/rng.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
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
  layers.forEach((conv, l) => {
    out = conv.forward(dropout(h, p, { seed: rng.nextUint32(), training }), graph);
    features.push(out);
    h = l < layers.length - 1 ? relu(out) : out;
  });
  return { logits: out!, features };
}
