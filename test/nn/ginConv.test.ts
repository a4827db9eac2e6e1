import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { ginAggregate } from '../../lib/functional/ginAggregate.js';
import { propagate } from '../../lib/functional/propagate.js';
import { scaleByScalar } from '../../lib/functional/scaleByScalar.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GINConv } from '../../lib/nn/GINConv.js';
import { Linear } from '../../lib/nn/Linear.js';
import { MLP } from '../../lib/nn/MLP.js';
import { Module } from '../../lib/nn/Module.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { SparseFeatures } from '../../lib/tensor/SparseFeatures.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { Device, DType } from '../../lib/tensor/dtype.js';
import { expectThrows, liveCpu, expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput, centralDifferences, relativeError } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';

const CUDA = devices().cuda.available;
const N = 30;
const E = 90;
const EDGES = randomEdgeIndex(N, E, 21);

// Central differences in float64 with h = 1e-6: truncation error O(h²) ≈ 1e-12 and rounding
// ≈ 1e-16·|L|/h ≈ 1e-9 relative for losses of size ~10, so the project's bound for every op's
// backward (docs/methods.md §5: relative error < 1e-6) holds with three orders of margin.
// Inputs are kept ≥ 0.05 away from 0 (randomInput) so no ReLU kink sits inside a step.
const GRAD_TOL = 1e-6;
// Forward in f64 against the float64 reference: sums of ≤ ~20 products of size ≤ ~5 round to
// ~1e-15 relative; 1e-12 is a safe bound that still catches any wrong term.
const FWD_TOL = 1e-12;

/** Identity network: returns its input (GINConv then computes the bare aggregation). */
class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Returns a tensor of the wrong width. */
class Halve extends Module {
  readonly lin = this.registerModule('lin', new Linear(4, 2, { dtype: 'f64', seed: 1 }));
  forward(x: Tensor): Tensor {
    return this.lin.forward(x);
  }
}

const values = (t: Tensor) => Float64Array.from(t.toArray());

/** Wᵀ of a row-major [rows, cols] matrix, as [cols, rows]. */
function transpose(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return new Float64Array(rows * cols).map((_, k) => w[(k % rows) * cols + Math.floor(k / rows)]);
}

/** The MLP's output in plain float64: ReLU(H W₁ᵀ + b₁) W₂ᵀ + b₂. */
function referenceMlp(mlp: MLP, h: Float64Array, n: number): Float64Array {
  const layer = (lin: Linear, x: Float64Array) => {
    const y = denseMatmul(x, transpose(values(lin.weight), lin.outChannels, lin.inChannels), n, lin.inChannels, lin.outChannels);
    const b = lin.bias ? values(lin.bias) : null;
    return b ? y.map((v, k) => v + b[k % lin.outChannels]) : y;
  };
  return layer(
    mlp.lin2,
    layer(mlp.lin1, h).map((v) => Math.max(v, 0)),
  );
}

/** (A + (1 + ε)I) X in plain float64 from the edge list. */
function referenceAggregate(edges: Int32Array, x: Float64Array, n: number, f: number, eps: number): Float64Array {
  const a = denseOperator(edges, n, 'sum');
  for (let i = 0; i < n; i++) a[i * n + i] += 1 + eps;
  return denseMatmul(a, x, n, n, f);
}

/**
 * Relative errors of the gradients of L = Σ conv(x) ⊙ R with respect to x and every parameter,
 * reverse mode against central differences (the gradcheck helper's measure, for a layer's own
 * parameters: each entry is perturbed in place through assign()).
 */
function layerGradcheck(conv: GINConv, graph: Graph, xv: Float64Array, h = 1e-6): Record<string, number> {
  const inC = conv.inChannels;
  const r = randomInput(new Rng(99), [N, conv.outChannels]).values;
  const loss = () =>
    noGrad(() =>
      tidy(() => {
        const out = conv.forward(Tensor.from(xv, [N, inC]), graph).toArray();
        let s = 0;
        for (let i = 0; i < out.length; i++) s += out[i] * r[i];
        return s;
      }),
    );
  const named = conv.namedParameters();
  const analytic = tidy(() => {
    for (const [, p] of named) {
      p.grad?.dispose();
      p.grad = null;
    }
    const x = Tensor.from(xv, [N, inC]);
    x.requiresGrad = true;
    backward(conv.forward(x, graph), Tensor.from(r, [N, conv.outChannels]));
    return { x: values(x.grad!), ...Object.fromEntries(named.map(([n, p]) => [n, values(p.grad!)])) } as Record<string, Float64Array>;
  });
  const out: Record<string, number> = {
    x: relativeError(
      analytic.x,
      centralDifferences(xv, () => {}, loss, h),
    ),
  };
  for (const [name, p] of named) {
    const v = values(p);
    const set = () => tidy(() => p.assign(Tensor.from(v, [...p.shape])));
    out[name] = relativeError(analytic[name], centralDifferences(v, set, loss, h));
  }
  return out;
}

describe('GINConv forward against a float64 reference', () => {
  // 10 → 4 aggregates the narrow product X W₁ᵀ (fused bias and ReLU when ε is fixed); 4 → 10
  // aggregates X first; the explicit MLP (hidden 12 > in 6) takes the generic path.
  it.each([
    [10, 4, undefined, 0, false],
    [10, 4, undefined, 0.3, true],
    [4, 10, undefined, -0.4, false],
    [4, 10, undefined, 0.25, true],
    [6, 5, 12, 0.5, false],
    [6, 5, 3, 0.5, true],
  ] as const)('%i → %i (MLP hidden %s), ε = %s, trainEps %s', (inC, outC, hidden, eps, trainEps) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(inC, outC, { eps, trainEps, hiddenChannels: hidden, seed: 5, dtype: 'f64' });
    expect(conv.epsValue()).toBe(eps);
    expect(conv.eps === null).toBe(!trainEps);
    const xv = randomInput(new Rng(7), [N, inC]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(xv, [N, inC]), graph)));
    const want = referenceMlp(conv.nn as MLP, referenceAggregate(EDGES, xv, N, inC, eps), N);
    expect(maxRelDiff(got, want)).toBeLessThan(FWD_TOL);
  });

  it('takes constant sparse input features on both paths, with the dense result', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    for (const [inC, outC, trainEps] of [
      [12, 4, false],
      [12, 4, true],
      [3, 8, false],
    ] as const) {
      using conv = new GINConv(inC, outC, { seed: 2, eps: 0.2, trainEps, dtype: 'f64' });
      const xv = randomInput(new Rng(3), [N, inC]).values.map((v, i) => (i % 3 === 0 ? v : 0));
      tidy(() => {
        const x = Tensor.from(xv, [N, inC]);
        using xs = SparseFeatures.fromDense(x);
        expect(maxRelDiff(values(conv.forward(xs, graph)), values(conv.forward(x, graph)))).toBeLessThan(FWD_TOL);
      });
    }
  });
});

describe('GINConv special cases', () => {
  it('with ε = 0 and an identity network computes (A + I)X', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(6, 6, { nn: new Identity(), dtype: 'f64' });
    const xv = randomInput(new Rng(4), [N, 6]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(xv, [N, 6]), graph)));
    expect(maxRelDiff(got, denseMatmul(denseOperator(EDGES, N, 'gin'), xv, N, N, 6))).toBeLessThan(FWD_TOL);
  });

  it('with an identity network and a learnable ε = 0.7 computes (A + 1.7 I)X', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(6, 6, { nn: new Identity(), eps: 0.7, trainEps: true, dtype: 'f64' });
    const xv = randomInput(new Rng(4), [N, 6]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(xv, [N, 6]), graph)));
    expect(maxRelDiff(got, referenceAggregate(EDGES, xv, N, 6, 0.7))).toBeLessThan(FWD_TOL);
  });

  it.each([
    [8, 3, 0, false],
    [8, 3, 0.6, true],
    [3, 8, -0.3, false],
    [3, 8, 1.5, true],
  ] as const)('on a graph without edges computes MLP((1 + ε)X): %i → %i, ε = %s, trainEps %s', (inC, outC, eps, trainEps) => {
    using graph = Graph.fromEdgeIndex(new Int32Array(0), { numNodes: N });
    using conv = new GINConv(inC, outC, { eps, trainEps, seed: 8, dtype: 'f64' });
    const xv = randomInput(new Rng(9), [N, inC]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(xv, [N, inC]), graph)));
    const direct = tidy(() =>
      values(
        conv.nn.forward(
          Tensor.from(
            xv.map((v) => (1 + eps) * v),
            [N, inC],
          ),
        ),
      ),
    );
    expect(maxRelDiff(got, direct)).toBeLessThan(FWD_TOL);
    expect(
      maxRelDiff(
        got,
        referenceMlp(
          conv.nn as MLP,
          xv.map((v) => (1 + eps) * v),
          N,
        ),
      ),
    ).toBeLessThan(FWD_TOL);
  });
});

describe('GINConv gradients against central differences (float64)', () => {
  it.each([
    [7, 4, undefined, 0.2, false],
    [7, 4, undefined, 0.2, true],
    [3, 6, undefined, -0.3, true],
    [4, 5, 6, 0.1, true],
  ] as const)('x, ε and the MLP weights: %i → %i (hidden %s), ε = %s, trainEps %s', (inC, outC, hidden, eps, trainEps) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(inC, outC, { eps, trainEps, hiddenChannels: hidden, seed: 11, dtype: 'f64' });
    const errs = layerGradcheck(conv, graph, randomInput(new Rng(12), [N, inC]).values);
    const expected = ['x', ...(trainEps ? ['eps'] : []), 'nn.lin1.weight', 'nn.lin1.bias', 'nn.lin2.weight', 'nn.lin2.bias'];
    expect(Object.keys(errs)).toEqual(expected);
    for (const [name, e] of Object.entries(errs)) expect(e, name).toBeLessThan(GRAD_TOL);
  });

  it('ε receives Σ g ⊙ x through an identity network', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(5, 5, { nn: new Identity(), eps: 0.4, trainEps: true, dtype: 'f64' });
    const errs = layerGradcheck(conv, graph, randomInput(new Rng(13), [N, 5]).values);
    expect(errs.x).toBeLessThan(GRAD_TOL);
    expect(errs.eps).toBeLessThan(GRAD_TOL);
  });
});

describe('scaleByScalar and ginAggregate', () => {
  it('scaleByScalar: s·x with gradients of s and x (2-D and 1-D x)', () => {
    const rng = new Rng(14);
    for (const shape of [[N, 5], [17]]) {
      const s = randomInput(rng, [1]);
      const x = randomInput(rng, shape);
      const errs = gradcheck(([a, b]) => scaleByScalar(a, b), [s, x]);
      for (const e of errs) expect(e).toBeLessThan(GRAD_TOL);
      tidy(() => {
        const y = values(scaleByScalar(Tensor.from(s.values, [1]), Tensor.from(x.values, shape)));
        expect(Array.from(y)).toEqual(Array.from(x.values, (v) => s.values[0] * v));
      });
    }
  });

  it('ginAggregate: S·x + (1 + ε)·x, equal to propagate plus scaleByScalar, with gradients of x and ε', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    const op = graph.operator('sum', { dtype: 'f64' });
    const rng = new Rng(15);
    const eps = randomInput(rng, [1]);
    const x = randomInput(rng, [N, 4]);
    const errs = gradcheck(([e, h]) => ginAggregate(op, h, e), [eps, x]);
    for (const e of errs) expect(e).toBeLessThan(GRAD_TOL);
    tidy(() => {
      const e = Tensor.from(eps.values, [1]);
      const h = Tensor.from(x.values, [N, 4]);
      const fused = values(ginAggregate(op, h, e));
      const split = values(propagate(op, h, { selfScale: 1 }));
      const scaled = values(scaleByScalar(e, h));
      expect(
        maxRelDiff(
          fused,
          split.map((v, i) => v + scaled[i]),
        ),
      ).toBeLessThan(FWD_TOL);
    });
  });

  it('reject a scalar that is not [1], of another dtype, or an operator that is not one', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    tidy(() => {
      const x = Tensor.from(new Float64Array(N * 2), [N, 2]);
      expectFathom(() => scaleByScalar(Tensor.from(new Float64Array(2)), x), 'SHAPE', 'scaleByScalar', '[1]');
      expectFathom(() => scaleByScalar(Tensor.from(new Float32Array(1)), x), 'TYPE', 'scaleByScalar', 'argument s');
      expectThrows(() => ginAggregate({} as never, x, Tensor.from(new Float64Array(1))), TypeError, 'ginAggregate', 'GraphOperator');
      expectFathom(
        () => ginAggregate(graph.operator('sum', { dtype: 'f64' }), x, Tensor.from(new Float64Array([Number.NaN]))),
        'RANGE',
        'ginAggregate',
        'finite',
      );
    });
  });
});

describe('GINConv construction and parameters', () => {
  it('names its parameters as PyG (eps when learned, then the network) and redraws them', () => {
    using conv = new GINConv(6, 4, { trainEps: true, eps: 0.25, seed: 3 });
    expect(conv.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'eps:1',
      'nn.lin1.weight:4x6',
      'nn.lin1.bias:4',
      'nn.lin2.weight:4x4',
      'nn.lin2.bias:4',
    ]);
    const before = conv.parameters().map(values);
    tidy(() => {
      for (const p of conv.parameters()) p.assign(Tensor.full(p.shape, 3));
    });
    conv.resetParameters(new Rng(3));
    // ε goes back to its initial value and the MLP to the same draws (same stream, same order).
    expect(conv.parameters().map(values)).toEqual(before);
    expect(conv.epsValue()).toBeCloseTo(0.25, 6);
  });

  it("owns a given network: its parameters are the layer's and it is disposed with the layer", () => {
    const base = liveCpu();
    const mlp = new MLP(6, 3, { hiddenChannels: 9, seed: 1, dtype: 'f64' });
    const conv = new GINConv(6, 3, { nn: mlp, dtype: 'f64' });
    expect(conv.nn).toBe(mlp);
    expect(conv.parameters()).toEqual(mlp.parameters());
    conv.dispose();
    conv.dispose();
    expect(mlp.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('rejects bad options with messages that say what to change', () => {
    expectThrows(() => new GINConv(4, 4, { eps: Number.NaN }), RangeError, 'GINConv', 'eps');
    expectThrows(() => new GINConv(4, 4, { trainEps: 'yes' as never }), TypeError, 'GINConv', 'trainEps');
    expectThrows(() => new GINConv(4, 4, { nn: {} as never }), TypeError, 'GINConv', 'options.nn');
    expectThrows(() => new GINConv(4, 4, null as never), TypeError, 'GINConv', 'options');
    using other = new MLP(5, 4);
    expectThrows(() => new GINConv(4, 4, { nn: other }), RangeError, 'GINConv', '5 → 4');
    using f32 = new MLP(4, 4);
    expectThrows(() => new GINConv(4, 4, { nn: f32, dtype: 'f64' }), RangeError, 'GINConv', 'lin1.weight', 'f64');
    using ok = new MLP(4, 4);
    expectThrows(() => new GINConv(4, 4, { nn: ok, hiddenChannels: 8 }), RangeError, 'GINConv', 'hiddenChannels');
    expect(ok.disposed).toBe(false);
    expectThrows(() => new MLP(4, 4, { hiddenChannels: 0 }), RangeError, 'MLP', 'hiddenChannels');
  });

  it('checks what a given network returns', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(4, 4, { nn: new Halve(), dtype: 'f64' });
    tidy(() => {
      expectThrows(() => conv.forward(Tensor.from(new Float64Array(N * 4), [N, 4]), graph), RangeError, 'GINConv.forward', 'nn returned', `[${N}, 4]`);
    });
  });

  it('leaves no tensor behind after forward and backward in a scope', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GINConv(8, 4, { trainEps: true, seed: 1 });
    tidy(() => conv.forward(Tensor.zeros([N, 8]), graph)); // operators cached by the graph
    const base = liveCpu();
    tidy(() => {
      const x = Tensor.from(randomInput(new Rng(1), [N, 8]).values, [N, 8], { dtype: 'f32' });
      x.requiresGrad = true;
      backward(conv.forward(x, graph), Tensor.full([N, 4], 1));
    });
    for (const p of conv.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
    expect(liveCpu()).toEqual(base);
  });
});

describe.skipIf(!CUDA)(`GINConv on CUDA against CPU${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  const run = (device: Device, dtype: DType, inC: number, outC: number, trainEps: boolean) =>
    tidy(() => {
      using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
      using conv = new GINConv(inC, outC, { seed: 4, eps: 0.3, trainEps, dtype, device });
      const x = Tensor.from(randomInput(new Rng(5), [N, inC]).values, [N, inC], { dtype, device });
      x.requiresGrad = true;
      const y = conv.forward(x, graph);
      backward(y, Tensor.from(randomInput(new Rng(6), [N, outC]).values, [N, outC], { dtype, device }));
      const out = [y, x.grad!, ...conv.parameters().map((p) => p.grad!)].map((t) => values(t.to('cpu')));
      for (const p of conv.parameters()) p.grad?.dispose();
      return out;
    });
  // f64: both devices round differently (summation order), to ~1e-15; f32 to ~1e-6.
  it.each([
    [10, 4, false, 'f64', 1e-12],
    [10, 4, true, 'f64', 1e-12],
    [4, 10, true, 'f64', 1e-12],
    [10, 4, true, 'f32', 1e-4],
    [4, 10, false, 'f32', 1e-4],
  ] as const)('%i → %i, trainEps %s, %s: forward and every gradient agree', (inC, outC, trainEps, dtype, tol) => {
    const cpu = run('cpu', dtype, inC, outC, trainEps);
    const gpu = run('cuda', dtype, inC, outC, trainEps);
    expect(gpu.length).toBe(cpu.length);
    cpu.forEach((c, i) => expect(maxRelDiff(gpu[i], c), `output ${i}`).toBeLessThan(tol));
  });
});
