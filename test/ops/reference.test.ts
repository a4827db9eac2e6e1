import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { dropout } from '../../lib/functional/dropout.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { matmul } from '../../lib/functional/matmul.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { propagate } from '../../lib/functional/propagate.js';
import { sum } from '../../lib/functional/reduce.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomInput } from '../helpers/gradcheck.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

// f64 paths against plain TypeScript references: both compute the same sums in double, so
// the only differences are reassociation, ≈ K·ε ≈ 1e-14 for these sizes; 1e-12 is safe.
const F64_TOL = 1e-12;

describe('forward ops agree with plain TypeScript references in float64', () => {
  const rng = new Rng(7);

  it('matmul equals the triple loop for odd sizes', () => {
    const [m, k, n] = [7, 13, 5];
    const a = randomInput(rng, [m, k]);
    const b = randomInput(rng, [k, n]);
    const out = tidy(() => matmul(Tensor.from(a.values, a.shape), Tensor.from(b.values, b.shape)).toArray());
    expect(maxRelDiff(out, denseMatmul(a.values, b.values, m, k, n))).toBeLessThan(F64_TOL);
  });

  it.each(['gcn', 'mean', 'sum', 'gin'] as const)('propagate with %s equals the dense operator of docs/methods.md §1, for t = 1 and t = 0.4', (kind) => {
    const n = 12;
    const ei = randomEdgeIndex(n, 40, 11);
    using graph = Graph.fromEdgeIndex(ei, { numNodes: n });
    const p = denseOperator(ei, n, kind);
    const h = randomInput(rng, [n, 4]);
    const ph = denseMatmul(p, h.values, n, n, 4);
    tidy(() => {
      const x = Tensor.from(h.values, h.shape);
      const op = graph.operator(kind, { dtype: 'f64' });
      expect(maxRelDiff(propagate(op, x).toArray(), ph)).toBeLessThan(F64_TOL);
      const t = 0.4;
      const expected = ph.map((v, i) => t * v + (1 - t) * h.values[i]);
      expect(maxRelDiff(propagate(op, x, { alpha: t, selfScale: 1 - t }).toArray(), expected)).toBeLessThan(F64_TOL);
    });
  });

  it('the gcn operator keeps an existing self loop once, with weight 1 before normalization', () => {
    // 0→1, 1→0, 1→1 (self loop), 2→1
    const ei = Int32Array.from([0, 1, 1, 2, 1, 0, 1, 1]);
    using graph = Graph.fromEdgeIndex(ei, { numNodes: 3 });
    const out = tidy(() => propagate(graph.operator('gcn', { dtype: 'f64' }), Tensor.from(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3])).toArray());
    expect(maxRelDiff(out, denseOperator(ei, 3, 'gcn'))).toBeLessThan(F64_TOL);
    // Row 1 has in-neighbours {0, 1, 2}: d̃ = 3 (the self loop is not doubled).
    expect(out[1 * 3 + 1]).toBeCloseTo(1 / 3, 14);
  });

  it('P_t applied to H Wᵀ equals (P_t H) Wᵀ (docs/methods.md §5)', () => {
    const n = 10;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 30, 3), { numNodes: n });
    const h = randomInput(rng, [n, 6]);
    const w = randomInput(rng, [4, 6]);
    tidy(() => {
      const op = graph.operator('gcn', { dtype: 'f64' });
      const H = Tensor.from(h.values, h.shape);
      const W = Tensor.from(w.values, w.shape);
      const p = { alpha: 0.7, selfScale: 0.3 };
      const left = propagate(op, matmul(H, W, { transB: true }), p).toArray();
      const right = matmul(propagate(op, H, p), W, { transB: true }).toArray();
      expect(maxRelDiff(left, right)).toBeLessThan(F64_TOL);
    });
  });

  it('logSoftmax and nllLoss equal their definitions, also for logits of 1e4', () => {
    const x = randomInput(rng, [5, 4], 0.1, 3);
    x.values[0] = 1e4;
    const labels = Int32Array.from([3, 0, 1, 2, 1]);
    const mask = Uint8Array.from([1, 1, 0, 1, 0]);
    const ref = new Float64Array(20);
    for (let r = 0; r < 5; r++) {
      const row = x.values.subarray(r * 4, r * 4 + 4);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      for (let c = 0; c < 4; c++) ref[r * 4 + c] = row[c] - lse;
    }
    const expectedLoss = -(ref[0 * 4 + 3] + ref[1 * 4 + 0] + ref[3 * 4 + 2]) / 3;
    tidy(() => {
      const logp = logSoftmax(Tensor.from(x.values, x.shape));
      expect(maxRelDiff(logp.toArray(), ref)).toBeLessThan(F64_TOL);
      const loss = nllLoss(logp, Tensor.from(labels), Tensor.from(mask)).item();
      expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(F64_TOL);
    });
  });

  it('nllLoss of an empty mask is 0', () => {
    tidy(() => {
      const logp = logSoftmax(Tensor.from(randomInput(rng, [3, 2]).values, [3, 2]));
      expect(nllLoss(logp, Tensor.from(new Int32Array(3)), Tensor.from(new Uint8Array(3))).item()).toBe(0);
    });
  });

  it('dropout replays the same mask for a seed, keeps about 1 − p, and scales kept values by 1/(1 − p)', () => {
    const n = 100_000;
    tidy(() => {
      const x = Tensor.full([n], 1, { dtype: 'f64' });
      const a = dropout(x, 0.3, { seed: 5 }).toArray();
      const b = dropout(x, 0.3, { seed: 5 }).toArray();
      const c = dropout(x, 0.3, { seed: 6 }).toArray();
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      let kept = 0;
      for (const v of a) {
        if (v !== 0) {
          kept++;
          expect(v).toBeCloseTo(1 / 0.7, 14);
        }
      }
      // Binomial(1e5, 0.7): standard deviation ≈ 145, so ±1000 is a 7σ band.
      expect(Math.abs(kept - 0.7 * n)).toBeLessThan(1000);
    });
  });

  it('sum equals the compensated sum of its inputs', () => {
    const x = randomInput(rng, [1000, 37]);
    let s = 0;
    let c = 0;
    for (const v of x.values) {
      const y = v - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    const got = tidy(() => sum(Tensor.from(x.values, x.shape)).item());
    expect(Math.abs(got - s) / Math.abs(s)).toBeLessThan(1e-11);
  });
});

describe('float32 results match the float64 path to float32 precision', () => {
  const rng = new Rng(8);
  // One f32 rounding per operation of a length-K dot product gives a relative error of about
  // sqrt(K)·2^-24 ≈ 1e-6 for K ≤ 100; 2e-5 of the largest magnitude is a safe bound.
  const F32_TOL = 2e-5;

  const both = (f: (dtype: 'f32' | 'f64') => ArrayLike<number>) => {
    const a = tidy(() => Float64Array.from(f('f32')));
    const b = tidy(() => Float64Array.from(f('f64')));
    return maxRelDiff(a, b);
  };
  const t = (v: Float64Array, shape: number[], dtype: 'f32' | 'f64') => Tensor.from(dtype === 'f32' ? Float32Array.from(v) : v, shape);

  it('for matmul, propagate, logSoftmax and nllLoss', () => {
    const n = 30;
    const ei = randomEdgeIndex(n, 120, 9);
    using graph = Graph.fromEdgeIndex(ei, { numNodes: n });
    const h = randomInput(rng, [n, 16]);
    const w = randomInput(rng, [8, 16]);
    // Inputs rounded to f32 first, so both paths start from identical values.
    const hv = Float64Array.from(Float32Array.from(h.values));
    const wv = Float64Array.from(Float32Array.from(w.values));
    expect(both((d) => matmul(t(hv, h.shape, d), t(wv, w.shape, d), { transB: true }).toArray())).toBeLessThan(F32_TOL);
    for (const kind of ['gcn', 'mean', 'sum'] as const) {
      expect(both((d) => propagate(graph.operator(kind, { dtype: d }), t(hv, h.shape, d), { alpha: 0.5, selfScale: 0.5 }).toArray())).toBeLessThan(F32_TOL);
    }
    expect(both((d) => logSoftmax(t(hv, h.shape, d)).toArray())).toBeLessThan(F32_TOL);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 16);
    expect(both((d) => [nllLoss(logSoftmax(t(hv, h.shape, d)), Tensor.from(labels)).item()])).toBeLessThan(F32_TOL);
  });
});
