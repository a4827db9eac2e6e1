import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, numberArg, requireFinite, requireFloat, requireRank, tensorArg, valueError } from './checks.js';

/**
 * The spectral-normalized weight map of `lipschitz` normalization (docs/methods.md §2.5):
 * Ŵ = c·W/σ with σ = uᵀWv for given unit vectors u [out], v [in] (the power-iteration
 * estimate of σ_max). The backward treats u and v as constants:
 * ∂L/∂W = (G − ⟨G, Ŵ/c⟩·u vᵀ)·c/σ. σ is computed on the host before any native call, so the
 * arguments are checked here, with native's codes (FathomError TYPE, SHAPE, RANGE); a weight
 * with σ ≈ 0 cannot be normalized: FathomError NUMERIC.
 *
 * @example
 * const wHat = spectralNormalize(w, u, v, 1);   // σ_max(wHat) ≈ 1
 */
export function spectralNormalize(w: Tensor, u: Float64Array, v: Float64Array, c: number): Tensor {
  const op = 'spectralNormalize';
  tensorArg(op, 'w', w);
  requireFloat(op, 'w', w);
  requireRank(op, 'w', w, 2);
  requireFinite(op, 'c', numberArg(op, 'c', c));
  const [rows, cols] = w.shape;
  if (u.length !== rows || v.length !== cols) {
    throw valueError('SHAPE', op, `u has ${u.length} and v ${v.length} entries, but w is ${brief(w)} (need u [${rows}], v [${cols}])`);
  }
  const host = w.toArray();
  let sigma = 0;
  for (let i = 0; i < rows; i++) {
    let row = 0;
    for (let j = 0; j < cols; j++) row += host[i * cols + j] * v[j];
    sigma += u[i] * row;
  }
  if (!(Math.abs(sigma) > 1e-12)) {
    throw valueError('NUMERIC', op, `σ = uᵀWv = ${sigma} for w ${brief(w)}; the weight is (numerically) zero, so it cannot be normalized`);
  }
  const k = c / sigma;
  const out = new Tensor(native().scale(w.handle(op), k));
  return record(out, op, [w], (g) => {
    // ⟨G, W/σ⟩ on the host: the weights are small (hidden × hidden) next to the activations.
    const gh = g.toArray();
    let dot = 0;
    for (let i = 0; i < gh.length; i++) dot += gh[i] * host[i];
    dot /= sigma;
    // A non-finite upstream gradient makes the whole gradient non-finite; native would refuse
    // the coefficient, and the NaNs must reach the caller's checks (fit stops on them).
    if (!Number.isFinite(k * dot)) return [Tensor.full(w.shape, Number.NaN, { dtype: w.dtype, device: w.device })];
    const uv = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) uv[i * cols + j] = u[i] * v[j];
    const uvT = Tensor.from(uv, [rows, cols], { dtype: w.dtype, device: w.device });
    try {
      return [new Tensor(native().axpby(k, g.handle(op), -k * dot, uvT.handle(op)))];
    } finally {
      uvT.dispose();
    }
  });
}
