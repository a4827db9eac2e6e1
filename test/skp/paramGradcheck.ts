import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import type { Parameter } from '../../lib/nn/Parameter.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

/**
 * Central finite differences against backward() for a module's f64 parameters (weights and
 * edge parameters), which gradcheck() cannot reach because it builds fresh input tensors.
 * L = Σ f() ⊙ R with R fixed random; returns the relative error per parameter,
 * ‖g_autograd − g_fd‖ / max(‖g_autograd‖, ‖g_fd‖, 1e-12).
 */
export function paramGradcheck(f: () => Tensor, params: Parameter[], seed = 3, h = 1e-6): number[] {
  const rng = new Rng(seed);
  let weights: Float64Array | undefined;
  const loss = (): number =>
    noGrad(() =>
      tidy(() => {
        const o = f().toArray();
        weights ??= Float64Array.from({ length: o.length }, () => rng.nextFloat() * 2 - 1);
        let s = 0;
        for (let i = 0; i < o.length; i++) s += o[i] * weights[i];
        return s;
      }),
    );
  loss();
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
  tidy(() => {
    const out = f();
    backward(out, Tensor.from(Float64Array.from(weights!), out.shape));
  });
  return params.map((p) => {
    const analytic = p.grad ? Float64Array.from(p.grad.toArray()) : new Float64Array(p.numel);
    const v = Float64Array.from(p.toArray());
    const set = (vals: Float64Array) => tidy(() => p.assign(Tensor.from(vals, p.shape)));
    let diff = 0;
    let na = 0;
    let nn = 0;
    for (let j = 0; j < v.length; j++) {
      const keep = v[j];
      v[j] = keep + h;
      set(v);
      const up = loss();
      v[j] = keep - h;
      set(v);
      const down = loss();
      v[j] = keep;
      set(v);
      const numeric = (up - down) / (2 * h);
      diff += (analytic[j] - numeric) ** 2;
      na += analytic[j] ** 2;
      nn += numeric ** 2;
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-12);
  });
}
