import type { Rng } from '../random/rng.js';
import { dropout } from '../functional/dropout.js';
import { reluDropout } from '../functional/reluDropout.js';
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
  let out: Tensor | null = null;
  const features: Tensor[] = [];
  layers.forEach((conv, l) => {
    const how = { seed: rng.nextUint32(), training };
    out = conv.forward(out === null ? dropout(x, p, how) : reluDropout(out, p, how), graph);
    features.push(out);
  });
  return { logits: out!, features };
}
