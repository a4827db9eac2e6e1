import { afterAll, describe, expect, it } from 'vitest';

import { FathomError } from '../../lib/errors/FathomError.js';
import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { sum } from '../../lib/functional/reduce.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GCN2Conv, type GCN2ConvOptions } from '../../lib/nn/GCN2Conv.js';
import { GCNConv } from '../../lib/nn/GCNConv.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { liveCpu } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { paramGradcheck } from '../skp/paramGradcheck.js';
import { comb, gcn2Reference, identityMapping } from './deepReference.js';

// docs/methods.md §5: backward vs central finite differences in f64, relative error < 1e-6. The
// layer is linear in each of x, x₀ and W separately, so the central difference has no truncation
// error in the perturbed input; what remains is rounding, O(ε·|L|/h) ≈ 1e-16·10/1e-6 = 1e-9.
const TOL = 1e-6;
const CUDA = devices().cuda.available;
const N = 9;
const C = 4;
const edges = randomEdgeIndex(N, 24, 11);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
const P = denseOperator(edges, N, 'gcn');
afterAll(() => graph.dispose());

function run(conv: GCN2Conv, x: Float64Array, x0: Float64Array): Float64Array {
  return noGrad(() =>
    tidy(() => {
      const dt = conv.placement.dtype;
      const t = (v: Float64Array) => Tensor.from(dt === 'f64' ? v : Float32Array.from(v), [N, C], conv.placement);
      return Float64Array.from(conv.forward(t(x), graph, { x0: t(x0) }).toArray());
    }),
  );
}

const values = (t: Tensor | null) => (t ? Float64Array.from(t.toArray()) : null);

describe('GCN2Conv', () => {
  const rng = new Rng(21);

  it.each([
    [0.1, 0.5, 1, true],
    [0.1, 0.5, 7, true],
    [0.3, 1.5, 2, false],
    [0, 0.5, 3, true],
    [0.25, 0.5, 64, false],
  ] as const)('equals the dense reference with α = %s, θ = %s, ℓ = %s, shared weights %s', (alpha, theta, layer, shared) => {
    using conv = new GCN2Conv(C, { alpha, theta, layer, sharedWeights: shared, dtype: 'f64', seed: 3 });
    expect(conv.beta).toBeCloseTo(Math.log(theta / layer + 1), 15);
    expect(conv.weight2 === null).toBe(shared);
    const x = randomInput(rng, [N, C]).values;
    const x0 = randomInput(rng, [N, C]).values;
    const want = gcn2Reference(P, x, x0, values(conv.weight)!, values(conv.weight2), alpha, conv.beta, N, C);
    expect(maxRelDiff(run(conv, x, x0), want)).toBeLessThan(1e-13);
  });

  it.each([[true], [false]])('has gradients w.r.t. x, x₀ and the weights that match finite differences (shared weights %s)', (shared) => {
    using conv = new GCN2Conv(C, { alpha: 0.2, theta: 0.9, layer: 2, sharedWeights: shared, bias: true, dtype: 'f64', seed: 4 });
    // A nonzero bias, so its gradient is checked against something other than zeros.
    tidy(() => conv.bias!.assign(Tensor.from(randomInput(rng, [C]).values, [C])));
    const [ex, ex0] = gradcheck(([x, x0]) => conv.forward(x, graph, { x0 }), [randomInput(rng, [N, C]), randomInput(rng, [N, C])]);
    expect(ex).toBeLessThan(TOL);
    expect(ex0).toBeLessThan(TOL);
    using x = Tensor.from(randomInput(rng, [N, C]).values, [N, C]);
    using x0 = Tensor.from(randomInput(rng, [N, C]).values, [N, C]);
    const errors = paramGradcheck(() => conv.forward(x, graph, { x0 }), conv.parameters());
    expect(errors).toHaveLength(shared ? 2 : 3);
    for (const e of errors) expect(e).toBeLessThan(TOL);
  });

  it('with α = 1 is x₀((1 − β)I + βWᵀ): the graph and x drop out', () => {
    using conv = new GCN2Conv(C, { alpha: 1, theta: 0.5, layer: 1, dtype: 'f64', seed: 5 });
    const x0 = randomInput(rng, [N, C]).values;
    const want = denseMatmul(x0, identityMapping(conv.weight.toArray(), C, conv.beta), N, C, C);
    expect(maxRelDiff(run(conv, randomInput(rng, [N, C]).values, x0), want)).toBeLessThan(1e-14);
    expect(maxRelDiff(run(conv, randomInput(rng, [N, C]).values, x0), want)).toBeLessThan(1e-14);
  });

  it('with θ → 0 has β → 0 and becomes (1 − α)P̃x + αx₀ (no weight)', () => {
    const x = randomInput(rng, [N, C]).values;
    const x0 = randomInput(rng, [N, C]).values;
    const want = comb(0.9, denseMatmul(P, x, N, N, C), 0.1, x0);
    using exact = new GCN2Conv(C, { alpha: 0.1, theta: 0, layer: 1, dtype: 'f64', seed: 6 });
    expect(exact.beta).toBe(0);
    expect(maxRelDiff(run(exact, x, x0), want)).toBeLessThan(1e-14);
    // β = log(1 + θ) ≈ θ: the deviation shrinks linearly with θ.
    for (const theta of [1e-2, 1e-4, 1e-6]) {
      using conv = new GCN2Conv(C, { alpha: 0.1, theta, layer: 1, dtype: 'f64', seed: 6 });
      const d = maxRelDiff(run(conv, x, x0), want);
      expect(d).toBeLessThan(10 * theta);
      expect(d).toBeGreaterThan(0);
    }
  });

  it('with β = 1 and α = 0 is a bias-free GCNConv with the same weight', () => {
    using conv = new GCN2Conv(C, { alpha: 0, beta: 1, dtype: 'f64', seed: 7 });
    using gcn = new GCNConv(C, C, { bias: false, dtype: 'f64', weight: conv.weight.toArray() });
    const x = randomInput(rng, [N, C]).values;
    const want = noGrad(() => tidy(() => Float64Array.from(gcn.forward(Tensor.from(x, [N, C]), graph).toArray())));
    expect(maxRelDiff(run(conv, x, randomInput(rng, [N, C]).values), want)).toBeLessThan(1e-14);
  });

  it('in f32 agrees with f64', () => {
    using c64 = new GCN2Conv(C, { alpha: 0.1, theta: 0.5, layer: 2, sharedWeights: false, dtype: 'f64', seed: 8 });
    using c32 = new GCN2Conv(C, { alpha: 0.1, theta: 0.5, layer: 2, sharedWeights: false, dtype: 'f32', seed: 8 });
    const x = randomInput(rng, [N, C]).values;
    const x0 = randomInput(rng, [N, C]).values;
    // |entries| ≲ 4; f32 rounding (6e-8 relative) over ~20 accumulated products and the f32 weights.
    expect(maxRelDiff(run(c32, x, x0), run(c64, x, x0))).toBeLessThan(1e-5);
  });

  it('requires x₀ of the right shape, dtype and device, and checks its options', () => {
    using conv = new GCN2Conv(C, { seed: 1 });
    using x = Tensor.zeros([N, C]);
    expect(() => conv.forward(x, graph)).toThrow(/GCN2Conv.forward: options.x0 .* is required/);
    expect(() => conv.forward(x, graph, { x0: [1] as unknown as Tensor })).toThrow(/x0 must be a Tensor/);
    using short = Tensor.zeros([N - 1, C]);
    expect(() => conv.forward(x, graph, { x0: short })).toThrow(FathomError);
    expect(() => conv.forward(x, graph, { x0: short })).toThrow(/argument x0 f32\[8, 4\].* must be \[9, 4\]/);
    using wrongType = Tensor.zeros([N, C], { dtype: 'f64' });
    expect(() => conv.forward(x, graph, { x0: wrongType })).toThrow(/must be f32 on cpu/);
    using wide = Tensor.zeros([N, C + 1]);
    expect(() => conv.forward(wide, graph, { x0: x })).toThrow(/GCN2Conv.forward: argument x .* must be \[9, 4\]/);
    const bad: [GCN2ConvOptions, RegExp][] = [
      [{ alpha: 1.5 }, /alpha must be in \[0, 1\]/],
      [{ alpha: -0.1 }, /alpha must be in \[0, 1\]/],
      [{ theta: -1 }, /theta must be a finite number ≥ 0/],
      [{ theta: Infinity }, /theta must be a finite number ≥ 0/],
      [{ layer: 0 }, /layer must be a positive integer \(1-based\)/],
      [{ layer: 1.5 }, /layer must be a positive integer/],
      [{ beta: 0.5, theta: 0.5 }, /either beta, or theta and layer/],
      [{ beta: -1 }, /beta must be a finite number ≥ 0/],
      [{ weight2: [1] }, /weight2 applies to sharedWeights: false only/],
      [{ weight: [1, 2] }, /weight has 2 values, expected 4×4/],
      [{ sharedWeights: false, weight2: [1, 2] }, /weight2 has 2 values/],
    ];
    for (const [o, re] of bad) expect(() => new GCN2Conv(C, o)).toThrow(re);
    expect(() => new GCN2Conv(0)).toThrow(/GCN2Conv: channels must be a positive integer, got 0/);
  });

  it('redraws its weights on resetParameters, frees everything on dispose (twice is fine)', () => {
    using x = Tensor.from(randomInput(rng, [N, C]).values, [N, C], { dtype: 'f32' });
    graph.operator('gcn'); // the graph caches its operator for its own lifetime
    const base = liveCpu();
    const conv = new GCN2Conv(C, { sharedWeights: false, bias: true, seed: 9 });
    const before = conv.parameters().map((p) => Float64Array.from(p.toArray()));
    conv.resetParameters(new Rng(10));
    const after = conv.parameters().map((p) => Float64Array.from(p.toArray()));
    expect(maxRelDiff(after[0], before[0])).toBeGreaterThan(0.01);
    expect(maxRelDiff(after[1], before[1])).toBeGreaterThan(0.01);
    expect(Array.from(after[2])).toEqual(Array.from(before[2])); // the bias initializer is zeros
    tidy(() => {
      backward(sum(conv.forward(x, graph, { x0: x })));
      for (const p of conv.parameters()) expect(p.grad?.shape).toEqual(p.shape);
    });
    conv.dispose();
    conv.dispose();
    expect(conv.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  describe.skipIf(!CUDA)(`on CUDA${CUDA ? '' : ' (skipped: no CUDA device: devices().cuda.available is false)'}`, () => {
    it.each([[true], [false]])('matches the CPU layer, forward and gradients (shared weights %s)', (shared) => {
      using cpu = new GCN2Conv(C, { alpha: 0.2, theta: 0.5, layer: 3, sharedWeights: shared, dtype: 'f64', seed: 12 });
      using gpu = new GCN2Conv(C, { alpha: 0.2, theta: 0.5, layer: 3, sharedWeights: shared, dtype: 'f64', device: 'cuda', seed: 12 });
      const x = randomInput(rng, [N, C]).values;
      const x0 = randomInput(rng, [N, C]).values;
      const pass = (conv: GCN2Conv) =>
        tidy(() => {
          const o = { dtype: 'f64' as const, device: conv.placement.device };
          const tx = Tensor.from(x, [N, C], o);
          const tx0 = Tensor.from(x0, [N, C], o);
          tx.requiresGrad = true;
          tx0.requiresGrad = true;
          const out = conv.forward(tx, graph, { x0: tx0 });
          backward(sum(out));
          const grads = [tx.grad!, tx0.grad!, ...conv.parameters().map((p) => p.grad!)].map((g) => Float64Array.from(g.toArray()));
          for (const p of conv.parameters()) {
            p.grad!.dispose();
            p.grad = null;
          }
          return { out: Float64Array.from(out.toArray()), grads };
        });
      const a = pass(cpu);
      const b = pass(gpu);
      expect(maxRelDiff(b.out, a.out)).toBeLessThan(1e-12);
      a.grads.forEach((g, i) => expect(maxRelDiff(b.grads[i], g)).toBeLessThan(1e-12));
    });
  });
});
