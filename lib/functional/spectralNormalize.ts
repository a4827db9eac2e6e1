import { isGradEnabled } from '../autograd/gradMode.js';
import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, numberArg, requireFinite, requireFloat, requireRank, tensorArg, valueError } from './checks.js';

/**
 * The spectral-normalized weight map of `lipschitz` normalization (docs/methods.md §2.5):
 * Ŵ = c·W/σ with σ = uᵀWv for given unit vectors u [out], v [in] (the power-iteration
 * estimate of σ_max). The backward treats u and v as constants:
 * ∂L/∂W = (G − ⟨G, Ŵ/c⟩·u vᵀ)·c/σ. u and v are f64 tensors [out, 1] and [in, 1] on w's device
 * (as LipschitzWeight keeps them), or Float64Arrays, copied to one. σ is computed by the op, in
 * f64, where w lives: no host read, so a compiled step replays it. A weight with σ ≈ 0 cannot be
 * normalized: FathomError NUMERIC.
 *
 * @example
 * const wHat = spectralNormalize(w, u, v, 1);   // σ_max(wHat) ≈ 1
 */
export function spectralNormalize(w: Tensor, u: Tensor | Float64Array, v: Tensor | Float64Array, c: number): Tensor {
  const op = 'spectralNormalize';
  tensorArg(op, 'w', w);
  requireFloat(op, 'w', w);
  requireRank(op, 'w', w, 2);
  requireFinite(op, 'c', numberArg(op, 'c', c));
  const [rows, cols] = w.shape;
  const lengthOf = (x: Tensor | Float64Array) => (x instanceof Tensor ? x.numel : x.length);
  if (lengthOf(u) !== rows || lengthOf(v) !== cols) {
    throw valueError('SHAPE', op, `u has ${lengthOf(u)} and v ${lengthOf(v)} entries, but w is ${brief(w)} (need u [${rows}], v [${cols}])`);
  }
  using uOwn = u instanceof Tensor ? null : vectorOn(u, w);
  using vOwn = v instanceof Tensor ? null : vectorOn(v, w);
  const ut = uOwn ?? (u as Tensor);
  const vt = vOwn ?? (v as Tensor);
  const out = new Tensor(native().spectralNormalize(w.handle(op), ut.handle(op), vt.handle(op), c));
  if (!w.requiresGrad || !isGradEnabled()) return out;
  // The backward reads u and v as they are now: keep copies of vectors the caller may advance.
  const uKept = ut.clone();
  const vKept = vt.clone();
  return record(out, op, [w], (g) => {
    try {
      return [new Tensor(native().spectralNormalizeBackward(g.handle(op), w.handle(op), uKept.handle(op), vKept.handle(op), c))];
    } finally {
      uKept.dispose();
      vKept.dispose();
    }
  });
}

/** `x` as an f64 column [n, 1] on w's device. */
export function vectorOn(x: Float64Array, w: Tensor): Tensor {
  return Tensor.from(x, [x.length, 1], { dtype: 'f64', device: w.device });
}
