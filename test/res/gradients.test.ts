import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { mul } from '../../lib/functional/arithmetic.js';
import { pairNorm } from '../../lib/functional/pairNorm.js';
import { sum } from '../../lib/functional/reduce.js';
import { spectralNormalize } from '../../lib/functional/spectralNormalize.js';
import { Graph } from '../../lib/graph/Graph.js';
import { gnnHe } from '../../lib/init/gnnHe.js';
import { ResidualBlock, type ResidualKind } from '../../lib/nn/ResidualBlock.js';
import { ReversibleStack } from '../../lib/nn/ReversibleStack.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// docs/methods.md §5: backward vs central finite differences in f64, relative error < 1e-6
// (h = 1e-6: truncation O(h²) ≈ 1e-12, rounding O(ε/h) ≈ 1e-10, so 1e-6 has a wide margin).
const TOL = 1e-6;

/** Plain-TS PairNorm in f64, straight from docs/methods.md §2.5 (the forward reference). */
function pairNormReference(x: Float64Array, n: number, f: number, s: number, eps: number, si: boolean): Float64Array {
  const mean = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j] += x[i * f + j] / n;
  const xc = x.map((v, k) => v - mean[k % f]);
  const rowSq = Array.from({ length: n }, (_, i) => xc.subarray(i * f, (i + 1) * f).reduce((a, v) => a + v * v, 0));
  const meanSq = rowSq.reduce((a, b) => a + b, 0) / n;
  return xc.map((v, k) => (s * v) / Math.sqrt(eps + (si ? rowSq[Math.floor(k / f)] : meanSq)));
}

describe('PairNorm', () => {
  const rng = new Rng(11);
  it.each([false, true])('with scaleIndividually = %s equals the METHODS formula and its backward matches finite differences', (si) => {
    const x = randomInput(rng, [7, 5]);
    const ref = pairNormReference(x.values, 7, 5, 1.7, 1e-5, si);
    const got = tidy(() => pairNorm(Tensor.from(x.values, x.shape), { scale: 1.7, scaleIndividually: si }).toArray());
    for (let k = 0; k < ref.length; k++) expect(got[k]).toBeCloseTo(ref[k], 12);
    const [err] = gradcheck(([t]) => pairNorm(t, { scale: 1.7, scaleIndividually: si }), [x]);
    expect(err).toBeLessThan(TOL);
  });

  it('rejects a non-positive scale and a 1-D input, naming the argument', () => {
    tidy(() => {
      const x = Tensor.from(new Float64Array(6), [3, 2]);
      expect(() => pairNorm(x, { scale: 0 })).toThrow(/pairNorm: argument scale = 0 must be a finite number > 0/);
      expect(() => pairNorm(x, { eps: -1 })).toThrow(/pairNorm: argument eps = -1 must be a finite number >= 0/);
      expect(() => pairNorm(Tensor.from(new Float64Array(3)))).toThrow(/pairNorm: argument x must be 2-D/);
    });
  });
});

describe('lipschitz normalization', () => {
  it('maps W to c·W/(uᵀWv) and its backward with u, v frozen matches finite differences', () => {
    const rng = new Rng(12);
    const w = randomInput(rng, [4, 3]);
    const unit = (n: number) => {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      const norm = Math.hypot(...v);
      return v.map((a) => a / norm);
    };
    const u = unit(4);
    const v = unit(3);
    const [err] = gradcheck(([t]) => spectralNormalize(t, u, v, 0.7), [w]);
    expect(err).toBeLessThan(TOL);
  });

  it('brings the spectral norm of a weight to the target after the power iteration converges', () => {
    using block = new ResidualBlock(6, { kind: 'fixup', weight: gnnHe(6, 6, new Rng(3)), lipschitz: { c: 0.5, rng: new Rng(4) }, dtype: 'f64' });
    // 8 warm-up steps at construction plus 40 training-mode steps: ample for a 6×6 matrix.
    for (let i = 0; i < 40; i++) tidy(() => block.lipschitz!.weight(true));
    const w = tidy(() => block.lipschitz!.weight(false).toArray());
    // σ_max of Ŵ by a long power iteration in plain TS.
    let x = Float64Array.from({ length: 6 }, (_, i) => 1 + i);
    let sigma = 0;
    for (let it = 0; it < 500; it++) {
      const y = new Float64Array(6);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) y[i] += w[i * 6 + j] * x[j];
      const z = new Float64Array(6);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) z[j] += w[i * 6 + j] * y[i];
      sigma = Math.sqrt(Math.hypot(...z) / Math.hypot(...x));
      x = z.map((a) => a / Math.hypot(...z));
    }
    expect(sigma).toBeCloseTo(0.5, 6);
  });
});

describe('residual blocks', () => {
  const n = 8;
  const h = 4;
  it.each<[ResidualKind, boolean, boolean]>([
    ['fixup', false, false],
    ['interpolate', false, false],
    ['res+', true, false],
    ['plain', false, false],
    ['fixup', false, true],
  ])('a %s block (pairnorm %s, lipschitz %s) has input and weight gradients matching finite differences', (kind, pn, lip) => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 20, 5), { numNodes: n });
    const rng = new Rng(21);
    const z = randomInput(rng, [n, h]);
    const w = randomInput(rng, [h, h]);
    // One block for every evaluation, so lipschitz's u, v stay frozen (eval mode: no power step).
    using block = new ResidualBlock(h, {
      kind,
      weight: w.values,
      t: 0.7,
      branchScale: 0.5,
      dtype: 'f64',
      pairNorm: pn ? { scale: 1.3 } : null,
      lipschitz: lip ? { c: 0.9, rng: new Rng(1) } : null,
    });
    block.eval();
    const errs = gradcheck(([zt, wt]) => blockWithWeight(block, zt, wt, graph), [z, w]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });
});

// Calls block.forward with its weight parameter replaced by `w` (a leaf of the gradcheck), so
// the finite differences see the weight as an input.
function blockWithWeight(block: ResidualBlock, z: Tensor, w: Tensor, graph: Graph): Tensor {
  const own = block.weight;
  Object.defineProperty(block, 'weight', { value: w, configurable: true });
  if (block.lipschitz) Object.defineProperty(block.lipschitz, 'param', { value: w, configurable: true });
  try {
    return block.forward(z, graph);
  } finally {
    Object.defineProperty(block, 'weight', { value: own, configurable: true });
    if (block.lipschitz) Object.defineProperty(block.lipschitz, 'param', { value: own, configurable: true });
  }
}

describe('reversible stack', () => {
  const n = 9;
  const h = 6;
  it.each([0, 0.3])('with dropout %s gives the gradients of plain autograd to 1e-10 in f64', (p) => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 24, 8), { numNodes: n });
    const make = () =>
      new ReversibleStack(h, { depth: 5, groups: 3, t: 0.8, dropout: p, seed: 4, dtype: 'f64', weight: (l, i) => gnnHe(2, 2, new Rng(100 * l + i)) });
    using rev = make();
    using ref = make();
    const x0 = randomInput(new Rng(9), [n, h]);
    const r = randomInput(new Rng(10), [n, h]);
    const run = (stack: ReversibleStack, reversible: boolean) =>
      tidy(() => {
        const x = Tensor.from(x0.values, x0.shape);
        x.requiresGrad = true;
        const y = reversible ? stack.forward(x, graph) : stack.forwardStored(x, graph);
        backward(sum(mul(y, Tensor.from(r.values, r.shape))));
        const out = { y: y.toArray(), gx: x.grad!.toArray(), gw: stack.parameters().map((q) => q.grad!.toArray()) };
        return out;
      });
    const a = run(rev, true);
    const b = run(ref, false);
    const close = (u: ArrayLike<number>, v: ArrayLike<number>) => {
      for (let k = 0; k < u.length; k++) expect(Math.abs(u[k] - v[k])).toBeLessThan(1e-10 * Math.max(1, Math.abs(v[k])));
    };
    close(a.y, b.y);
    close(a.gx, b.gx);
    a.gw.forEach((g, i) => close(g, b.gw[i]));
  });

  it('rejects channels not divisible by groups, saying what to change', () => {
    expect(() => new ReversibleStack(5, { depth: 2, groups: 2, weight: () => [] })).toThrow(/channels \(5\) must be divisible by groups \(2\)/);
  });
});
