import { axpby } from '../functional/arithmetic.js';
import { propagate } from '../functional/propagate.js';
import { AGGREGATIONS, type Aggregation, type Graph } from '../graph/Graph.js';
import type { Tensor } from '../tensor/Tensor.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { checkChannels, type LayerOptions } from './layerOptions.js';

export interface APPNPOptions extends Pick<LayerOptions, 'dtype' | 'device'> {
  /** Number of power-iteration steps K ≥ 0 (default 10). */
  K?: number;
  /** Teleport probability α in [0, 1] (default 0.1). */
  alpha?: number;
  /** The aggregation operator P̃ (default 'gcn': D̃^-1/2 (A+I) D̃^-1/2). */
  aggregation?: Aggregation;
}

/**
 * Approximate personalized-PageRank propagation (PyG's `APPNP`): K steps of
 * h ← (1 − α)·P̃h + α·h₀ from h₀ = x. It has no parameters and keeps the width
 * (in = out channels). As K grows, h tends to the fixed point h = α(I − (1 − α)P̃)⁻¹x.
 * K = 0 returns x itself; α = 0 is P̃^K x.
 *
 * The operator is looked up in x's dtype and on x's device (a parameter-free layer has no
 * placement of its own to impose). Per step: one propagate (coefficient 1 − α) and one axpby;
 * neither backward reads its inputs, so each step's intermediate is freed as soon as the next
 * one exists and a forward pass holds O(1) feature matrices whatever K is.
 *
 * @example
 * using prop = new APPNP(7, { K: 10, alpha: 0.1 });
 * const logits = prop.forward(lin2.forward(h), graph);
 */
export class APPNP extends GraphConv {
  readonly channels: number;
  readonly K: number;
  readonly alpha: number;
  readonly aggregation: Aggregation;

  constructor(channels: number, options: APPNPOptions = {}) {
    super('APPNP', checkChannels('APPNP', 'channels', channels), channels, options);
    this.channels = channels;
    const K = options.K ?? 10;
    if (!Number.isInteger(K) || K < 0) throw new RangeError(`APPNP: K must be a non-negative integer, got ${String(K)}`);
    const alpha = options.alpha ?? 0.1;
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new RangeError(`APPNP: alpha must be in [0, 1], got ${String(alpha)}`);
    this.aggregation = options.aggregation ?? 'gcn';
    if (!AGGREGATIONS.includes(this.aggregation))
      throw new RangeError(`APPNP: aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${String(this.aggregation)}`);
    this.K = K;
    this.alpha = alpha;
  }

  protected conv(x: NodeFeatures, graph: Graph): Tensor {
    const h0 = dense(x);
    const op = graph.operator(this.aggregation, { dtype: h0.dtype, device: h0.device });
    const a = this.alpha;
    let h = h0;
    for (let k = 0; k < this.K; k++) {
      const p = propagate(op, h, { alpha: 1 - a });
      if (h !== h0) h.releaseData();
      if (a === 0) {
        h = p;
      } else {
        h = axpby(1, p, a, h0);
        p.releaseData();
      }
    }
    return h;
  }
}
