import type { GatLayerValues } from '../init/balanced.js';
import { requireArray } from '../errors/args.js';

export interface GatBalanceReport {
  /** c^l for l = 1..L−1: c_i^l = ‖W^l[i,:]‖² − Σ_a a^l[i]² − ‖W^{l+1}[:,i]‖². */
  perLayer: Float64Array[];
  maxAbs: number;
  meanAbs: number;
}

/**
 * The GAT balance diagnostic of docs/methods.md §4 (source 3): gradient flow conserves every c_i^l,
 * and balanced initialization sets them to zero. For GATv1 both a_src[i]² and a_dst[i]² are
 * subtracted; separate GATv2 projections add their squared norms.
 *
 * @example
 * const { maxAbs } = gatBalance(model.layerValues());
 */
export function gatBalance(layers: GatLayerValues[]): GatBalanceReport {
  requireArray('gatBalance', 'layers', layers);
  const perLayer: Float64Array[] = [];
  let maxAbs = 0;
  let sumAbs = 0;
  let count = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const cur = layers[l];
    const next = layers[l + 1];
    if (next.cols !== cur.rows) throw new RangeError(`gatBalance: layer ${l + 2} takes ${next.cols} inputs but layer ${l + 1} has ${cur.rows} outputs`);
    const c = new Float64Array(cur.rows);
    for (let i = 0; i < cur.rows; i++) {
      let v = 0;
      for (const w of cur.weights) for (let k = 0; k < cur.cols; k++) v += w[i * cur.cols + k] ** 2;
      for (const a of cur.att) v -= a[i] ** 2;
      for (const w of next.weights) for (let k = 0; k < next.rows; k++) v -= w[k * next.cols + i] ** 2;
      c[i] = v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sumAbs += Math.abs(v);
      count++;
    }
    perLayer.push(c);
  }
  return { perLayer, maxAbs, meanAbs: count ? sumAbs / count : 0 };
}
