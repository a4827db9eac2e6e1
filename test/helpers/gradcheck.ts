import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

export interface GradInput {
  values: Float64Array;
  shape: number[];
}

/** Random f64 values in ±[lo, hi] (kept away from 0 so ReLU kinks never sit inside a finite-difference step). */
export function randomInput(rng: Rng, shape: number[], lo = 0.05, hi = 1): GradInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = (rng.nextFloat() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.nextFloat());
  return { values, shape };
}

/**
 * Compares reverse-mode gradients of L = Σ f(inputs) ⊙ R (R fixed random) with central
 * finite differences, all in float64. Returns the relative error per input:
 * ‖g_autograd − g_fd‖ / max(‖g_autograd‖, ‖g_fd‖, 1e-12).
 */
export function gradcheck(f: (xs: Tensor[]) => Tensor, inputs: GradInput[], seed = 1, h = 1e-6): number[] {
  const rng = new Rng(seed);
  let weights: Float64Array | undefined;

  const loss = (vals: Float64Array[]): number =>
    noGrad(() =>
      tidy(() => {
        const out = f(vals.map((v, i) => Tensor.from(v, inputs[i].shape)));
        const o = out.toArray();
        weights ??= Float64Array.from({ length: o.length }, () => rng.nextFloat() * 2 - 1);
        let s = 0;
        for (let i = 0; i < o.length; i++) s += o[i] * weights[i];
        return s;
      }),
    );

  const base = inputs.map((x) => Float64Array.from(x.values));
  loss(base);
  const analytic = tidy(() => {
    const xs = base.map((v, i) => {
      const t = Tensor.from(v, inputs[i].shape);
      t.requiresGrad = true;
      return t;
    });
    const out = f(xs);
    const seedGrad = Tensor.from(Float64Array.from(weights!), out.shape);
    backward(out, seedGrad);
    return xs.map((x) => (x.grad ? Float64Array.from(x.grad.toArray()) : new Float64Array(x.numel)));
  });

  return base.map((v, i) => {
    const numeric = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) {
      const keep = v[j];
      v[j] = keep + h;
      const up = loss(base);
      v[j] = keep - h;
      const down = loss(base);
      v[j] = keep;
      numeric[j] = (up - down) / (2 * h);
    }
    let diff = 0;
    let na = 0;
    let nn = 0;
    for (let j = 0; j < v.length; j++) {
      diff += (analytic[i][j] - numeric[j]) ** 2;
      na += analytic[i][j] ** 2;
      nn += numeric[j] ** 2;
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-12);
  });
}

/**
 * Central differences (L(v + h) − L(v − h)) / 2h of `loss` in each entry of `v`, for checks
 * whose inputs live in a model: `set` pushes `v` into it after every change. `v` ends as it was.
 */
export function centralDifferences(v: Float64Array, set: () => void, loss: () => number, h: number): Float64Array {
  return v.map((keep, j) => {
    v[j] = keep + h;
    set();
    const up = loss();
    v[j] = keep - h;
    set();
    const down = loss();
    v[j] = keep;
    set();
    return (up - down) / (2 * h);
  });
}

/** ‖a − b‖ / max(‖a‖, ‖b‖, 1e-12): the measure gradcheck reports. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    d += (a[j] - b[j]) ** 2;
    na += a[j] ** 2;
    nb += b[j] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-12);
}
