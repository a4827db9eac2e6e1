import { keep } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { spectralNormalize, vectorOn } from '../functional/spectralNormalize.js';
import type { Rng } from '../random/rng.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Parameter } from './Parameter.js';

/**
 * `lipschitz` normalization of one weight (docs/methods.md §2.5): holds the persistent power-iteration
 * vectors u [out], v [in] of a parameter W and returns Ŵ = c·W/σ_max(W). Each training-mode
 * call advances the power iteration by one step (u ← Wv/‖·‖, v ← Wᵀu/‖·‖) before normalizing;
 * evaluation reuses the current u, v, so evaluating never changes the model. u and v live on
 * W's device as f64 tensors and every step runs there (native powerIteration), so a compiled
 * training step replays it.
 *
 * @example
 * const lip = new LipschitzWeight(conv.weight, 1, rng);
 * const wHat = lip.weight(true);
 */
export class LipschitzWeight implements Disposable {
  readonly #u: Tensor;
  readonly #v: Tensor;

  constructor(
    readonly param: Parameter,
    readonly c: number,
    rng: Rng,
  ) {
    if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`LipschitzWeight: target c must be a finite number > 0, got ${c}`);
    const [rows, cols] = param.shape;
    // Kept out of any open tidy() scope: they live as long as the layer.
    this.#u = keep(vectorOn(unit(Float64Array.from({ length: rows }, () => rng.normal())), param));
    this.#v = keep(vectorOn(unit(Float64Array.from({ length: cols }, () => rng.normal())), param));
    // A few warm-up steps at construction: at init σ is then close to σ_max, not a random Rayleigh quotient.
    for (let i = 0; i < 8; i++) this.#step();
  }

  /** The current left singular vector estimate (a host copy). */
  get u(): Float64Array {
    return this.#u.toArray() as Float64Array;
  }

  /** The current right singular vector estimate (a host copy). */
  get v(): Float64Array {
    return this.#v.toArray() as Float64Array;
  }

  /** Ŵ, advancing the power iteration first when `training`. */
  weight(training: boolean): Tensor {
    if (training) this.#step();
    return spectralNormalize(this.param, this.#u, this.#v, this.c);
  }

  /** Frees u and v (the parameter stays with its module). Idempotent. */
  dispose(): void {
    this.#u.dispose();
    this.#v.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #step(): void {
    const op = 'LipschitzWeight';
    native().powerIteration(this.param.handle(op), this.#u.handle(op), this.#v.handle(op));
  }
}

function unit(x: Float64Array): Float64Array {
  let n = 0;
  for (const v of x) n += v * v;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < x.length; i++) x[i] /= n;
  return x;
}
