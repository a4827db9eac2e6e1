import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { native } from '../../lib/binding/native.js';
import { layerNorm } from '../../lib/functional/layerNorm.js';
import { LayerNorm } from '../../lib/nn/LayerNorm.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectThrows, liveCpu, expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, type GradInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

/** Layer norm over the rows of x [n, f] straight from the definition, in float64 (two passes, biased variance). */
function reference(x: ArrayLike<number>, n: number, f: number, w: ArrayLike<number> | null, b: ArrayLike<number> | null, eps: number): Float64Array {
  const y = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += x[i * f + j];
    const mean = s / f;
    let q = 0;
    for (let j = 0; j < f; j++) q += (x[i * f + j] - mean) ** 2;
    const rstd = 1 / Math.sqrt(q / f + eps);
    for (let j = 0; j < f; j++) y[i * f + j] = (x[i * f + j] - mean) * rstd * (w ? w[j] : 1) + (b ? b[j] : 0);
  }
  return y;
}

function uniform(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.nextFloat());
}

/** Row means and (biased) variances of y [n, f]. */
function rowMoments(y: ArrayLike<number>, n: number, f: number): { mean: number[]; variance: number[] } {
  const mean: number[] = [];
  const variance: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += y[i * f + j];
    const m = s / f;
    let q = 0;
    for (let j = 0; j < f; j++) q += (y[i * f + j] - m) ** 2;
    mean.push(m);
    variance.push(q / f);
  }
  return { mean, variance };
}

describe('layerNorm', () => {
  // f64: the kernel and the reference sum the same terms in double in another order, ≈ F·ε ≈ 1e-14
  // on outputs of size ≈ 3, so 1e-12. f32: the inputs are rounded to f32 first (both sides see the
  // same numbers) and the kernel computes in double, so the outputs differ by their final rounding
  // to f32 (≤ 6e-8 relative): 1e-6 relative to the largest output.
  const TOL: Record<'f32' | 'f64', number> = { f64: 1e-12, f32: 1e-6 };

  it.each([
    ['f64', 13, 37, true],
    ['f64', 9, 8, false],
    ['f64', 4, 1, true],
    ['f32', 13, 37, true],
    ['f32', 21, 64, false],
  ] as const)('matches the float64 reference in %s for x [%i, %i] (affine: %s)', (dtype, n, f, affine) => {
    const rng = new Rng(7 + n + f);
    const round = (v: Float64Array) => (dtype === 'f32' ? Float64Array.from(Float32Array.from(v)) : v);
    const x = round(uniform(rng, n * f, -2, 3));
    const w = affine ? round(uniform(rng, f, 0.5, 1.5)) : null;
    const b = affine ? round(uniform(rng, f)) : null;
    const want = reference(x, n, f, w, b, 1e-5);
    const got = tidy(() => {
      const t = (v: Float64Array, shape: number[]) => Tensor.from(v, shape, { dtype });
      return layerNorm(t(x, [n, f]), w && t(w, [f]), b && t(b, [f])).toArray();
    });
    expect(maxRelDiff(got, want)).toBeLessThan(TOL[dtype]);
  });

  it('gives rows of mean 0 and variance 1 (up to eps) under the identity affine', () => {
    const rng = new Rng(3);
    const n = 11;
    const f = 50;
    const x = Float64Array.from(uniform(rng, n * f, -4, 4), (v, k) => v * (1 + (k % 7)) + 100 * Math.floor(k / f));
    const inputMoments = rowMoments(x, n, f);
    for (const eps of [1e-5, 1e-12]) {
      const y = tidy(() => layerNorm(Tensor.from(x, [n, f]), Tensor.from(new Float64Array(f).fill(1)), Tensor.from(new Float64Array(f)), { eps }).toArray());
      const { mean, variance } = rowMoments(y, n, f);
      for (let i = 0; i < n; i++) {
        // Exactly: mean 0 and variance σ²/(σ² + eps); both to rounding (≈ F·ε ≈ 1e-14).
        expect(Math.abs(mean[i])).toBeLessThan(1e-12);
        const s2 = inputMoments.variance[i];
        expect(Math.abs(variance[i] - s2 / (s2 + eps))).toBeLessThan(1e-12);
        expect(Math.abs(variance[i] - 1)).toBeLessThan(eps / s2 + 1e-12);
      }
    }
  });

  // L = Σ y ⊙ R (R fixed random), central differences in f64 with h = 1e-6: truncation O(h²·|L'''|)
  // ≈ 1e-12 (rstd ≈ 1 here) and rounding O(ε·|L|/h) ≈ 1e-9, so the relative 2-norm error of a
  // correct gradient is ≈ 1e-9; 1e-6 leaves a wide margin and still catches any wrong or missing
  // term, which is O(1).
  const FD_TOL = 1e-6;

  it.each([
    ['weight and bias', true, true],
    ['weight only', true, false],
    ['bias only', false, true],
    ['no affine', false, false],
  ] as const)('has gradients that match central finite differences in f64 (%s)', (_label, withW, withB) => {
    const rng = new Rng(21);
    const n = 5;
    const f = 7;
    const inputs: GradInput[] = [{ values: uniform(rng, n * f, -2, 2), shape: [n, f] }];
    if (withW) inputs.push({ values: uniform(rng, f, 0.5, 1.5), shape: [f] });
    if (withB) inputs.push({ values: uniform(rng, f), shape: [f] });
    const errs = gradcheck((ts) => {
      const w = withW ? ts[1] : null;
      const b = withB ? ts[withW ? 2 : 1] : null;
      return layerNorm(ts[0], w, b);
    }, inputs);
    expect(errs).toHaveLength(inputs.length);
    for (const e of errs) expect(e).toBeLessThan(FD_TOL);
  });

  it('gives the parameters their gradients when x needs none, and dbias is the column sums of the upstream gradient', () => {
    const rng = new Rng(5);
    const n = 6;
    const f = 4;
    const x = uniform(rng, n * f);
    const seed = uniform(rng, n * f);
    tidy(() => {
      const xt = Tensor.from(x, [n, f]);
      const w = Tensor.from(uniform(rng, f, 0.5, 1.5), [f]);
      const b = Tensor.from(uniform(rng, f), [f]);
      w.requiresGrad = true;
      b.requiresGrad = true;
      backward(layerNorm(xt, w, b), Tensor.from(seed, [n, f]));
      expect(xt.grad).toBeNull();
      const xhat = reference(x, n, f, null, null, 1e-5);
      const dw = new Float64Array(f);
      const db = new Float64Array(f);
      for (let i = 0; i < n * f; i++) {
        dw[i % f] += seed[i] * xhat[i];
        db[i % f] += seed[i];
      }
      expect(maxRelDiff(w.grad!.toArray(), dw)).toBeLessThan(1e-12);
      expect(maxRelDiff(b.grad!.toArray(), db)).toBeLessThan(1e-12);
    });
  });

  it('agrees between f32 and f64, forward and gradients, to f32 output rounding', () => {
    const rng = new Rng(8);
    const n = 40;
    const f = 24;
    const f32 = (v: Float64Array) => Float64Array.from(Float32Array.from(v));
    const x = f32(uniform(rng, n * f, -3, 3));
    const w = f32(uniform(rng, f, 0.5, 1.5));
    const b = f32(uniform(rng, f));
    const seed = f32(uniform(rng, n * f));
    const run = (dtype: DType) =>
      tidy(() => {
        const xt = Tensor.from(x, [n, f], { dtype });
        const wt = Tensor.from(w, [f], { dtype });
        const bt = Tensor.from(b, [f], { dtype });
        for (const t of [xt, wt, bt]) t.requiresGrad = true;
        const y = layerNorm(xt, wt, bt);
        backward(y, Tensor.from(seed, [n, f], { dtype }));
        return [y, xt.grad!, wt.grad!, bt.grad!].map((t) => Float64Array.from(t.toArray()));
      });
    const lo = run('f32');
    const hi = run('f64');
    // Both runs see the same (f32) numbers and keep the row statistics in double, so they differ
    // by the f32 rounding of each output (≤ 6e-8 relative) and of dx's and the sums' last step:
    // 1e-6 relative to the largest value leaves room and catches any f32 accumulation (≈ 1e-5+).
    for (let k = 0; k < 4; k++) expect(maxRelDiff(lo[k], hi[k])).toBeLessThan(1e-6);
  });

  it('does not lose the variance to a large common offset', () => {
    const rng = new Rng(9);
    const n = 6;
    const f = 33;
    const x = Float64Array.from(uniform(rng, n * f), (v) => 1e6 + v);
    const want = reference(x, n, f, null, null, 1e-5);
    const got = tidy(() => layerNorm(Tensor.from(x, [n, f]), null, null).toArray());
    // E[x²] − mean² would lose ≈ 1e12·ε ≈ 1e-4 of the variance; the inputs' own rounding (ε·1e6
    // ≈ 1e-10 on a spread of ≈ 1) bounds what the two-pass reduction can reach.
    expect(maxRelDiff(got, want)).toBeLessThan(1e-8);
  });

  it.each(['f32', 'f64'] as const)('gives finite outputs and gradients for constant rows in %s', (dtype) => {
    const n = 3;
    const f = 5;
    tidy(() => {
      const x = Tensor.from(new Float64Array(n * f).fill(2.75), [n, f], { dtype });
      const w = Tensor.from(
        Float64Array.from({ length: f }, (_, j) => 0.5 + j),
        [f],
        { dtype },
      );
      const b = Tensor.from(
        Float64Array.from({ length: f }, (_, j) => j - 2),
        [f],
        { dtype },
      );
      for (const t of [x, w, b]) t.requiresGrad = true;
      const y = layerNorm(x, w, b);
      // (x − mean) is exactly 0, so y is the bias.
      expect(Array.from(y.toArray())).toEqual(Array.from({ length: n * f }, (_, k) => (k % f) - 2));
      backward(
        y,
        Tensor.from(
          Float64Array.from({ length: n * f }, (_, k) => Math.sin(k)),
          [n, f],
          { dtype },
        ),
      );
      for (const g of [x.grad!, w.grad!, b.grad!]) expect(Array.from(g.toArray()).every(Number.isFinite)).toBe(true);
    });
  });

  it('rejects bad inputs with errors that name the op, the argument and the shapes', () => {
    tidy(() => {
      const x = Tensor.from(new Float64Array(12), [4, 3]);
      const w = Tensor.from(new Float64Array(3));
      // Type guards in TypeScript (TypeError); every value check in the native op (FathomError with a code).
      expectFathom(() => layerNorm(Tensor.from(new Float64Array(3)), null, null), 'SHAPE', 'layerNorm: argument x must be 2-D, got f64[3]');
      expectFathom(() => layerNorm(Tensor.from(new Int32Array(6), [2, 3]), null, null), 'TYPE', 'layerNorm: argument x must be f32 or f64, got i32[2, 3]');
      expectFathom(() => layerNorm(Tensor.from(new Float64Array(0), [4, 0]), null, null), 'SHAPE', 'layerNorm: argument x is f64[4, 0]', 'at least one column');
      expectFathom(
        () => layerNorm(x, Tensor.from(new Float64Array(4)), null),
        'SHAPE',
        'layerNorm: argument weight is f64[4]',
        'must be [3]',
        'x is f64[4, 3]',
      );
      expectFathom(() => layerNorm(x, w, Tensor.from(new Float64Array(6), [2, 3])), 'SHAPE', 'layerNorm: argument bias is f64[2, 3]', 'must be [3]');
      expectFathom(() => layerNorm(x, Tensor.from(new Float32Array(3)), null), 'TYPE', 'layerNorm: argument weight is f32[3]', 'x is f64[4, 3]');
      expectThrows(() => layerNorm(x, w, 3 as unknown as Tensor), TypeError, 'layerNorm: argument bias must be a Tensor');
      for (const eps of [0, -1, Number.NaN])
        expectFathom(
          () => layerNorm(x, w, w, { eps }),
          'RANGE',
          `layerNorm: argument eps = ${Number.isNaN(eps) ? 'nan' : eps} must be a finite number > 0`,
          'f64[4, 3]',
        );
      expectThrows(() => layerNorm(x, w, w, { eps: '1e-5' as unknown as number }), TypeError, 'layerNorm: argument eps must be a number');
      // Wrapped in Tensors so that tidy frees them.
      const stats = native()
        .layerNorm(x.handle('test'), w.handle('test'), null, 1e-5)
        .map((h) => new Tensor(h))[1]
        .handle('test');
      expectFathom(
        () => native().layerNormBackward(Tensor.from(new Float64Array(8), [4, 2]).handle('test'), x.handle('test'), w.handle('test'), stats, true, true, true),
        'SHAPE',
        'layerNormBackward: argument grad is f64[4, 2] but x is f64[4, 3]',
      );
      expectThrows(
        () => native().layerNormBackward(x.handle('test'), x.handle('test'), null, stats, true, true, false),
        Error,
        'layerNormBackward',
        'weight is null',
      );
    });
  });
});

describe('LayerNorm', () => {
  it('has parameters named weight and bias, initialized to 1 and 0, and equals the functional form', () => {
    using norm = new LayerNorm(6, { dtype: 'f64' });
    expect(norm.namedParameters().map(([name]) => name)).toEqual(['weight', 'bias']);
    expect(Array.from(norm.weight!.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(norm.bias!.toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(norm.weight!.requiresGrad && norm.bias!.requiresGrad).toBe(true);
    expect(norm.numParameters()).toBe(12);
    const x = uniform(new Rng(4), 5 * 6, -2, 2);
    const got = tidy(() => norm.forward(Tensor.from(x, [5, 6])).toArray());
    expect(maxRelDiff(got, reference(x, 5, 6, null, null, 1e-5))).toBeLessThan(1e-12);
  });

  it('trains its parameters through backward', () => {
    using norm = new LayerNorm(3, { eps: 1e-6 });
    tidy(() => {
      const y = norm.forward(Tensor.from(new Float32Array([1, 2, 4, -1, 0, 5]), [2, 3]));
      backward(y, Tensor.from(new Float32Array([1, 0, 0, 0, 1, 0]), [2, 3]));
    });
    expect(norm.weight!.grad?.shape).toEqual([3]);
    expect(Array.from(norm.bias!.grad!.toArray())).toEqual([1, 1, 0]);
  });

  it('has no parameters without elementwiseAffine, and no bias with bias: false', () => {
    using plain = new LayerNorm(4, { elementwiseAffine: false });
    using noBias = new LayerNorm(4, { bias: false });
    expect(plain.parameters()).toHaveLength(0);
    expect(plain.weight).toBeNull();
    expect(noBias.namedParameters().map(([name]) => name)).toEqual(['weight']);
    expect(noBias.bias).toBeNull();
  });

  it('checks its options and the width of its input', () => {
    expectThrows(() => new LayerNorm(0), RangeError, 'LayerNorm: normalizedShape must be a positive integer, got 0');
    expectThrows(() => new LayerNorm(4, { eps: 0 }), RangeError, 'LayerNorm: eps must be a finite number > 0, got 0');
    expectThrows(() => new LayerNorm(4, null as unknown as object), TypeError, 'LayerNorm: argument options must be an object');
    using norm = new LayerNorm(4);
    tidy(() => {
      expectThrows(() => norm.forward(Tensor.from(new Float32Array(6), [2, 3])), RangeError, 'LayerNorm: x f32[2, 3] on cpu must have 4 columns');
    });
  });

  it('frees its parameters and the forward statistics; dispose twice is harmless', () => {
    const before = liveCpu();
    const norm = new LayerNorm(8);
    tidy(() => {
      const x = Tensor.from(
        new Float32Array(16).map((_, k) => Math.cos(k)),
        [2, 8],
      );
      backward(norm.forward(x), Tensor.full([2, 8], 1));
    });
    // Without a recorded backward the row statistics are freed at once: only x and y remain.
    const base = liveCpu().tensors;
    noGrad(() => {
      const x = Tensor.from(new Float32Array(16), [2, 8]);
      const y = norm.forward(x);
      expect(liveCpu().tensors).toBe(base + 2);
      y.dispose();
      x.dispose();
    });
    norm.dispose();
    expect(norm.disposed).toBe(true);
    expect(() => norm.dispose()).not.toThrow();
    expect(liveCpu()).toEqual(before);
  });
});
