import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { sum } from '../../lib/functional/reduce.js';
import { Graph } from '../../lib/graph/Graph.js';
import { APPNP } from '../../lib/nn/APPNP.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { liveCpu } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { appnpReference, comb, solve } from './deepReference.js';

// docs/methods.md §5: backward vs central finite differences in f64, relative error < 1e-6. APPNP
// is linear in x, so the central difference is exact but for rounding, O(ε·|L|/h) ≈ 1e-9.
const TOL = 1e-6;
const CUDA = devices().cuda.available;
const N = 10;
const C = 3;
const edges = randomEdgeIndex(N, 26, 13);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
const P = denseOperator(edges, N, 'gcn');
afterAll(() => graph.dispose());

function run(prop: APPNP, x: Float64Array, dtype: DType = 'f64'): Float64Array {
  return noGrad(() => tidy(() => Float64Array.from(prop.forward(Tensor.from(dtype === 'f64' ? x : Float32Array.from(x), [N, C]), graph).toArray())));
}

describe('APPNP', () => {
  const rng = new Rng(31);

  it.each([
    [1, 0.1],
    [3, 0.1],
    [10, 0.1],
    [5, 0.5],
    [4, 1],
  ])('equals K = %s steps of h ← (1 − α)P̃h + αx with α = %s', (K, alpha) => {
    using prop = new APPNP(C, { K, alpha });
    expect(prop.parameters()).toHaveLength(0);
    const x = randomInput(rng, [N, C]).values;
    expect(maxRelDiff(run(prop, x), appnpReference(P, x, K, alpha, N, C))).toBeLessThan(1e-13);
  });

  it('with K = 0 is the identity', () => {
    using prop = new APPNP(C, { K: 0 });
    const x = randomInput(rng, [N, C]).values;
    expect(Array.from(run(prop, x))).toEqual(Array.from(x));
  });

  it('with α = 0 is P̃^K x', () => {
    using prop = new APPNP(C, { K: 4, alpha: 0 });
    const x = randomInput(rng, [N, C]).values;
    let want: Float64Array = Float64Array.from(x);
    for (let k = 0; k < 4; k++) want = denseMatmul(P, want, N, N, C);
    expect(maxRelDiff(run(prop, x), want)).toBeLessThan(1e-13);
  });

  it('with large K reaches the fixed point h = (1 − α)P̃h + αx = α(I − (1 − α)P̃)⁻¹x', () => {
    // The iteration contracts by (1 − α)·ρ(P̃) = 0.9 per step: 0.9^300 ≈ 2e-14.
    using prop = new APPNP(C, { K: 300, alpha: 0.1 });
    const x = randomInput(rng, [N, C]).values;
    const h = run(prop, x);
    const step = comb(0.9, denseMatmul(P, h, N, N, C), 0.1, x);
    expect(maxRelDiff(step, h)).toBeLessThan(1e-6);
    expect(Math.max(...h.map((v, i) => Math.abs(v - step[i])))).toBeLessThan(1e-6);
    const a = Float64Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0) - 0.9 * P[i]);
    const exact = solve(
      a,
      x.map((v) => 0.1 * v),
      N,
      C,
    );
    expect(maxRelDiff(h, exact)).toBeLessThan(1e-10);
  });

  it.each([
    [3, 0.1],
    [2, 0],
    [2, 1],
  ])('has gradients w.r.t. x that match finite differences (K = %s, α = %s)', (K, alpha) => {
    using prop = new APPNP(C, { K, alpha });
    const [e] = gradcheck(([x]) => prop.forward(x, graph), [randomInput(rng, [N, C])]);
    expect(e).toBeLessThan(TOL);
  });

  it('runs in the dtype of its input (it has no parameters); f32 agrees with f64', () => {
    using prop = new APPNP(C, { K: 10, alpha: 0.1 });
    const x = randomInput(rng, [N, C]).values;
    // Ten steps of a normalized operator (entries ≤ 1): f32 rounding stays ~1e-7 relative.
    expect(maxRelDiff(run(prop, x, 'f32'), run(prop, x, 'f64'))).toBeLessThan(1e-5);
  });

  it('checks its options', () => {
    expect(() => new APPNP(C, { K: -1 })).toThrow(/APPNP: K must be a non-negative integer, got -1/);
    expect(() => new APPNP(C, { K: 2.5 })).toThrow(/APPNP: K must be a non-negative integer/);
    expect(() => new APPNP(C, { alpha: 1.1 })).toThrow(/APPNP: alpha must be in \[0, 1\], got 1.1/);
    expect(() => new APPNP(C, { alpha: Number.NaN })).toThrow(/APPNP: alpha must be in \[0, 1\]/);
    expect(() => new APPNP(0)).toThrow(/APPNP: channels must be a positive integer, got 0/);
    using prop = new APPNP(C);
    using wide = Tensor.zeros([N, C + 1]);
    expect(() => prop.forward(wide, graph)).toThrow(/APPNP.forward: argument x .* must be \[10, 3\]/);
  });

  it('frees its intermediates: a forward and backward leave memory at the baseline', () => {
    using prop = new APPNP(C, { K: 50, alpha: 0.1 });
    graph.operator('gcn'); // the graph caches its operator for its own lifetime
    using x = Tensor.from(Float32Array.from(randomInput(rng, [N, C]).values), [N, C]);
    x.requiresGrad = true;
    const base = liveCpu();
    let peak = 0;
    tidy(() => {
      const out = prop.forward(x, graph);
      // 50 steps hold the output, not 100 intermediates: the live count grows by a handful.
      peak = liveCpu().tensors - base.tensors;
      backward(sum(out));
    });
    expect(peak).toBeLessThan(10);
    expect(x.grad?.shape).toEqual([N, C]);
    x.grad!.dispose();
    x.grad = null;
    expect(liveCpu()).toEqual(base);
    prop.dispose();
    prop.dispose();
    expect(prop.disposed).toBe(true);
  });

  describe.skipIf(!CUDA)(`on CUDA${CUDA ? '' : ' (skipped: no CUDA device: devices().cuda.available is false)'}`, () => {
    it('matches the CPU layer, forward and gradient', () => {
      using prop = new APPNP(C, { K: 10, alpha: 0.1 });
      const x = randomInput(rng, [N, C]).values;
      const pass = (device: 'cpu' | 'cuda') =>
        tidy(() => {
          const t = Tensor.from(x, [N, C], { dtype: 'f64', device });
          t.requiresGrad = true;
          const out = prop.forward(t, graph);
          backward(sum(out));
          return [Float64Array.from(out.toArray()), Float64Array.from(t.grad!.toArray())];
        });
      const [outCpu, gCpu] = pass('cpu');
      const [outGpu, gGpu] = pass('cuda');
      expect(maxRelDiff(outGpu, outCpu)).toBeLessThan(1e-12);
      expect(maxRelDiff(gGpu, gCpu)).toBeLessThan(1e-12);
    });
  });
});
