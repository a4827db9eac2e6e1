import type { Rng } from '../random/rng.js';
import { dropout } from '../functional/dropout.js';
import { reluDropout } from '../functional/reluDropout.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import type { GraphConv, NodeFeatures } from '../nn/GraphConv.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { LayerFeatures } from './NodeModel.js';

/** What a stack runs: any graph convolution whose forward needs no per-call options. */
type StackLayer = Pick<GraphConv, 'forward'>;

/**
 * The forward pass of a plain stack of graph convolutions (GCN, GAT, GIN, ...): dropout before every
 * layer, ReLU between layers, and every layer's output Z^l (before its ReLU; the last one is the
 * logits) for diagnostics. One dropout seed per layer is drawn from `rng`, in layer order, so
 * forward() and forwardFeatures() draw the same masks. `graph` is one Graph for every layer, or
 * a sampled batch's blocks, layer l on blocks[l] (checked by the caller).
 */
export function layerStack(
  layers: readonly StackLayer[],
  x: NodeFeatures,
  graph: Graph | readonly Block[],
  p: number,
  rng: Rng,
  training: boolean,
): LayerFeatures {
  let out: Tensor | null = null;
  const features: Tensor[] = [];
  layers.forEach((conv, l) => {
    const how = { seed: rng.nextUint32(), training };
    const on = Array.isArray(graph) ? (graph as readonly Block[])[l] : (graph as Graph);
    out = conv.forward(out === null ? dropout(x, p, how) : reluDropout(out, p, how), on);
    features.push(out);
  });
  return { logits: out!, features };
}
