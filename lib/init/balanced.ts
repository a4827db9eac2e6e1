import type { Rng } from '../random/rng.js';
import { glorotUniform } from './glorot.js';
import { looksLinear } from './looksLinear.js';
import { orthogonal } from './orthogonal.js';
import { requireArray, requireObject } from '../errors/args.js';

/** One GAT layer's values in float64, as balancedInit and gatBalance read them. */
export interface GatLayerValues {
  rows: number;
  cols: number;
  /** Projections [rows, cols] (out × in): [W] for GATv1 and shared GATv2, [W_s, W_t] for separate GATv2. */
  weights: Float64Array[];
  /** Attention vectors of length rows (heads × channels): [a_src, a_dst] for GATv1, [a] for GATv2. */
  att: Float64Array[];
}

export interface BalancedOptions {
  /** 'xavier' (BalX, Glorot uniform) or 'looks-linear' (BalO). */
  base: 'xavier' | 'looks-linear';
  rng: Rng;
  /** Squared norm of every first-layer row (default 2). */
  c?: number;
  /** Share of r = ‖W^{l−1}[i,:]‖² carried by the outgoing column, the rest by a^{l−1}[i]² (default 1). */
  beta?: number;
}

const sq = (w: Float64Array, start: number, stride: number, n: number) => {
  let s = 0;
  for (let k = 0; k < n; k++) s += w[start + k * stride] ** 2;
  return s;
};

/**
 * Balanced GAT initialization (docs/methods.md §3, source 3), in place on a whole stack W¹..W^L, a¹..a^L:
 * base-initialize every W, set every a = 0, scale each row of W¹ to squared norm c, then for
 * l = 2..L scale column i of W^l to squared norm β·‖W^{l−1}[i,:]‖² and set a^{l−1}[i] so that
 * a[i]² = (1−β)·‖W^{l−1}[i,:]‖² (split evenly between a_src and a_dst for GATv1). Afterwards every
 * c_i^l of the conservation law is zero. Separate GATv2 projections count together: their
 * squared norms add. A zero row or column cannot be rescaled and throws a RangeError.
 *
 * @example
 * balancedInit(layers, { base: 'looks-linear', rng: new Rng(0) });
 */
export function balancedInit(layers: GatLayerValues[], options: BalancedOptions): void {
  requireArray('balancedInit', 'layers', layers);
  requireObject('balancedInit', 'options', options);
  const c = options.c ?? 2;
  const beta = options.beta ?? 1;
  if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`balancedInit: c must be a positive number, got ${c}`);
  if (!(beta > 0 && beta <= 1)) throw new RangeError(`balancedInit: beta must be in (0, 1], got ${beta}`);
  if (options.base !== 'xavier' && options.base !== 'looks-linear') {
    throw new RangeError(`balancedInit: base must be 'xavier' or 'looks-linear', got ${String(options.base)}`);
  }
  const L = layers.length;
  layers.forEach((layer, l) => {
    const { rows, cols } = layer;
    for (const w of layer.weights) {
      if (w.length !== rows * cols) throw new RangeError(`balancedInit: layer ${l + 1} has a weight of ${w.length} values, expected ${rows}×${cols}`);
      if (l > 0 && cols !== layers[l - 1].rows) {
        throw new RangeError(`balancedInit: layer ${l + 1} takes ${cols} inputs but layer ${l} has ${layers[l - 1].rows} outputs`);
      }
      const position = l === 0 ? 'first' : l === L - 1 ? 'last' : 'hidden';
      const v =
        options.base === 'xavier'
          ? glorotUniform(rows, cols, options.rng)
          : L === 1
            ? orthogonal(rows, cols, options.rng)
            : looksLinear(rows, cols, options.rng, position);
      w.set(v);
    }
    for (const a of layer.att) a.fill(0);
  });

  const first = layers[0];
  for (let i = 0; i < first.rows; i++) {
    const norm2 = first.weights.reduce((s, w) => s + sq(w, i * first.cols, 1, first.cols), 0);
    if (!(norm2 > 0)) throw new RangeError(`balancedInit: row ${i} of layer 1's weight is zero and cannot be scaled to norm √c`);
    const f = Math.sqrt(c / norm2);
    for (const w of first.weights) for (let k = 0; k < first.cols; k++) w[i * first.cols + k] *= f;
  }
  for (let l = 1; l < L; l++) {
    const prev = layers[l - 1];
    const cur = layers[l];
    for (let i = 0; i < prev.rows; i++) {
      const r = prev.weights.reduce((s, w) => s + sq(w, i * prev.cols, 1, prev.cols), 0);
      const col2 = cur.weights.reduce((s, w) => s + sq(w, i, cur.cols, cur.rows), 0);
      if (!(col2 > 0)) throw new RangeError(`balancedInit: column ${i} of layer ${l + 1}'s weight is zero and cannot be balanced`);
      const f = Math.sqrt((beta * r) / col2);
      for (const w of cur.weights) for (let k = 0; k < cur.rows; k++) w[k * cur.cols + i] *= f;
      const ai = Math.sqrt(((1 - beta) * r) / prev.att.length);
      for (const a of prev.att) a[i] = ai;
    }
  }
}
