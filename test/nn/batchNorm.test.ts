import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { batchNorm } from '../../lib/functional/batchNorm.js';
import { BatchNorm } from '../../lib/nn/BatchNorm.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, type GradInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

/** Batch norm over the rows of x [n, f] straight from the definition, in float64: every column standardized over the rows (biased variance). */
function reference(x: ArrayLike<number>, n: number, f: number, w: ArrayLike<number> | null, b: ArrayLike<number> | null, eps: number): Float64Array {
  const y = new Float64Array(n * f);
  for (let j = 0; j < f; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * f + j];
    const mean = s / n;
    let q = 0;
    for (let i = 0; i < n; i++) q += (x[i * f + j] - mean) ** 2;
    const rstd = 1 / Math.sqrt(q / n + eps);
    for (let i = 0; i < n; i++) y[i * f + j] = (x[i * f + j] - mean) * rstd * (w ? w[j] : 1) + (b ? b[j] : 0);
  }
  return y;
}

function uniform(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.nextFloat());
}

describe('batchNorm', () => {
  // f64: the native column sums and the reference add the same terms in another order (≈ N·ε ≈
  // 1e-14 on outputs of size ≈ 3): 1e-11. f32: the statistics are f32 column sums (relative
  // error ≈ N·6e-8 ≈ 1e-6 for N ≤ 40) and every output is rounded to f32: 2e-5 relative.
  const TOL = { f64: 1e-11, f32: 2e-5 } as const;

  it.each([
    ['f64', 13, 37, true],
    ['f64', 9, 8, false],
    ['f64', 1, 5, true],
    ['f32', 40, 16, true],
  ] as const)('matches the float64 reference in %s for x [%i, %i] (affine: %s)', (dtype, n, f, affine) => {
    const rng = new Rng(11 + n + f);
    const round = (v: Float64Array) => (dtype === 'f32' ? Float64Array.from(Float32Array.from(v)) : v);
    // Columns with their own offsets and scales, and one offset shared by every node: the norm removes both.
    const x = round(Float64Array.from(uniform(rng, n * f, -2, 3), (v, k) => v * (1 + (k % f) / 4) + 5 + (k % f)));
    const w = affine ? round(uniform(rng, f, 0.5, 1.5)) : null;
    const b = affine ? round(uniform(rng, f)) : null;
    const want = reference(x, n, f, w, b, 1e-5);
    const got = tidy(() => {
      const t = (v: Float64Array, shape: number[]) => Tensor.from(v, shape, { dtype });
      return batchNorm(t(x, [n, f]), w && t(w, [f]), b && t(b, [f])).toArray();
    });
    expect(maxRelDiff(got, want)).toBeLessThan(TOL[dtype]);
  });

  // L = Σ y ⊙ R, central differences in f64 (h = 1e-6): a correct gradient agrees to ≈ 1e-9
  // relative (rounding ε·|L|/h); a wrong or missing term is O(1).
  it.each([
    ['weight and bias', true, true],
    ['weight only', true, false],
    ['no affine', false, false],
  ] as const)('has gradients that match central finite differences in f64 (%s)', (_label, withW, withB) => {
    const rng = new Rng(23);
    const n = 6;
    const f = 4;
    const inputs: GradInput[] = [{ values: uniform(rng, n * f, -2, 2), shape: [n, f] }];
    if (withW) inputs.push({ values: uniform(rng, f, 0.5, 1.5), shape: [f] });
    if (withB) inputs.push({ values: uniform(rng, f), shape: [f] });
    const errs = gradcheck((ts) => batchNorm(ts[0], withW ? ts[1] : null, withB ? ts[withW ? 2 : 1] : null), inputs);
    expect(errs).toHaveLength(inputs.length);
    for (const e of errs) expect(e).toBeLessThan(1e-6);
  });

  it('rejects a weight of the wrong width, a non-2-D x and a non-positive eps, naming the argument', () => {
    tidy(() => {
      const x = Tensor.zeros([3, 4]);
      expectFathom(() => batchNorm(x, Tensor.zeros([5]), null), 'SHAPE', /batchNorm.*weight.*\[4\]/);
      expectFathom(() => batchNorm(Tensor.zeros([4]), null, null), 'SHAPE', /batchNorm.*x/);
      expectFathom(() => batchNorm(x, null, null, { eps: 0 }), 'RANGE', /batchNorm.*eps/);
    });
  });
});

describe('BatchNorm', () => {
  it('starts as the plain standardization and rejects input of another width', () => {
    using norm = new BatchNorm(3, { dtype: 'f64' });
    const rng = new Rng(4);
    const x = uniform(rng, 15, -3, 3);
    tidy(() => {
      expect(maxRelDiff(norm.forward(Tensor.from(x, [5, 3], { dtype: 'f64' })).toArray(), reference(x, 5, 3, null, null, 1e-5))).toBeLessThan(1e-6);
    });
    expect(() => norm.forward(Tensor.zeros([5, 4], { dtype: 'f64' }))).toThrow(/BatchNorm: x .* 3 columns/);
    expect(() => new BatchNorm(0)).toThrow(/BatchNorm/);
  });
});
