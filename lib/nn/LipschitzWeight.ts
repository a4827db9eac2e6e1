import { spectralNormalize } from '../functional/spectralNormalize.js';
import type { Rng } from '../random/rng.js';
import type { Parameter } from './Parameter.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * `lipschitz` normalization of one weight (docs/methods.md §2.5): holds the persistent power-iteration
 * vectors u [out], v [in] of a parameter W and returns Ŵ = c·W/σ_max(W). Each training-mode
 * call advances the power iteration by one step (u ← Wv/‖·‖, v ← Wᵀu/‖·‖) before normalizing;
 * evaluation reuses the current u, v, so evaluating never changes the model.
 *
 * @example
 * const lip = new LipschitzWeight(conv.weight, 1, rng);
 * const wHat = lip.weight(true);
 */
export class LipschitzWeight {
  readonly u: Float64Array;
  readonly v: Float64Array;

  constructor(
    readonly param: Parameter,
    readonly c: number,
    rng: Rng,
  ) {
    if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`LipschitzWeight: target c must be a finite number > 0, got ${c}`);
    const [rows, cols] = param.shape;
    this.u = unit(Float64Array.from({ length: rows }, () => rng.normal()));
    this.v = unit(Float64Array.from({ length: cols }, () => rng.normal()));
    // A few warm-up steps at construction: at init σ is then close to σ_max, not a random Rayleigh quotient.
    for (let i = 0; i < 8; i++) this.step(param.toArray());
  }

  /** Ŵ, advancing the power iteration first when `training`. */
  weight(training: boolean): Tensor {
    if (training) this.step(this.param.toArray());
    return spectralNormalize(this.param, this.u, this.v, this.c);
  }

  private step(w: ArrayLike<number>): void {
    const rows = this.u.length;
    const cols = this.v.length;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += w[i * cols + j] * this.v[j];
      this.u[i] = s;
    }
    unit(this.u);
    this.v.fill(0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) this.v[j] += w[i * cols + j] * this.u[i];
    unit(this.v);
  }
}

function unit(x: Float64Array): Float64Array {
  let n = 0;
  for (const v of x) n += v * v;
  n = Math.sqrt(n);
  // A zero vector (zero weight) stays zero; spectralNormalize then reports the zero weight.
  if (n > 0) for (let i = 0; i < x.length; i++) x[i] /= n;
  return x;
}
