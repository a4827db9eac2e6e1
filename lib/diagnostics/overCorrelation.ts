import { featureMoments, type FeatureMoments } from './featureMoments.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * Over-correlation of docs/methods.md §4: the mean over channel pairs a < b of |Pearson corr(z_a, z_b)|,
 * in float64. Channels with zero variance have no correlation and are left out (0 when fewer
 * than two channels vary). Takes Z [N, n] or its moments with `gram: true`.
 *
 * @example
 * const oc = overCorrelation(h);   // → 1 as the channels collapse onto one direction
 */
export function overCorrelation(z: Tensor | FeatureMoments): number {
  const m = z instanceof Tensor ? featureMoments(z, { gram: true }) : z;
  if (!m || typeof m !== 'object' || !(m.centeredGram instanceof Float64Array)) {
    throw new TypeError('overCorrelation: argument z must be a Tensor or moments taken with { gram: true }');
  }
  const n = m.cols;
  const c = m.centeredGram;
  const varying: number[] = [];
  for (let a = 0; a < n; a++) if (c[a * n + a] > 0) varying.push(a);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < varying.length; i++) {
    const a = varying[i];
    for (let j = i + 1; j < varying.length; j++) {
      const b = varying[j];
      sum += Math.min(1, Math.abs(c[a * n + b]) / Math.sqrt(c[a * n + a] * c[b * n + b]));
      pairs++;
    }
  }
  return pairs > 0 ? sum / pairs : 0;
}
