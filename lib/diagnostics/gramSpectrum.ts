import type { RankReport } from './rank.js';
import type { FeatureMoments } from './featureMoments.js';
import { native } from '../binding/native.js';
import { symmetricEigenvalues } from './symmetricEigenvalues.js';

/**
 * The rank diagnostics of docs/methods.md §4 (singular values of Z, numerical rank σ_i > 1e-6·σ_1,
 * effective rank, σ₂/σ₁) from moments taken with `gram: true`: the uncentered Gram is
 * C + N·m mᵀ, and σ_i = √λ_i of it (LAPACK's dsyevd where the addon has it, else the
 * plain-TS Householder–QL of symmetricEigenvalues()). Same report as rankDiagnostics(), which
 * stays the exact (Jacobi) reference.
 *
 * @example
 * const { effectiveRank } = gramSpectrum(featureMoments(z, { gram: true }));
 */
export function gramSpectrum(m: FeatureMoments): RankReport {
  if (!m?.centeredGram) throw new TypeError('gramSpectrum: argument m must be moments taken with { gram: true }');
  const n = m.cols;
  const g = Float64Array.from(m.centeredGram);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += m.rows * m.mean[i] * m.mean[j];
  // Once per layer per record: the TS reduction costs ~1 ms at n = 64, LAPACK a fraction of it.
  const eigenvalues = native().symmetricEigenvalues(g, n) ?? symmetricEigenvalues(g, n);
  const singularValues = eigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  // Z has at most min(N, n) nonzero singular values; the Gram's extra eigenvalues are rounding.
  const kept = singularValues.subarray(0, Math.min(m.rows, n));
  const s1 = kept[0] ?? 0;
  if (!(s1 > 0)) return { singularValues: kept, numericalRank: 0, effectiveRank: 0, sigmaRatio: 0 };
  const numericalRank = kept.filter((s) => s > 1e-6 * s1).length;
  const total = kept.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const s of kept) if (s > 0) entropy -= (s / total) * Math.log(s / total);
  return { singularValues: kept, numericalRank, effectiveRank: Math.exp(entropy), sigmaRatio: kept.length > 1 ? kept[1] / s1 : 0 };
}
