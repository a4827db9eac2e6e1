import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { dropout } from '../../lib/functional/dropout.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GENBranch } from '../../lib/nn/GENBranch.js';
import { GENConv } from '../../lib/nn/GENConv.js';
import { Linear } from '../../lib/nn/Linear.js';
import { MLP } from '../../lib/nn/MLP.js';
import type { Parameter } from '../../lib/nn/Parameter.js';
import { Adam } from '../../lib/optim/Adam.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { SparseFeatures } from '../../lib/tensor/SparseFeatures.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { Device } from '../../lib/tensor/dtype.js';
import { expectFathom, expectThrows, liveCpu } from '../helpers/apiFixtures.js';
import { randomInput, centralDifferences, relativeError } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const CUDA = devices().cuda.available;
const N = 30;
// randomEdgeIndex keeps nodes 28 and 29 free of edges: two empty neighbourhoods (aggregation 0).
const EDGES = randomEdgeIndex(N, 90, 21);
const E = EDGES.length / 2;

// Tolerances.
// Forward, f64 against the float64 reference: the same terms (a softmax over ≤ ~8 messages, two
// products of width ≤ 16) in another summation order and exp's last bit: ≈ 1e-15 relative to the
// largest output; 1e-12 leaves room and still catches any wrong term.
const FWD_TOL = 1e-12;
// Gradients, f64 against central differences with h = 1e-6: truncation O(h²·|f'''|) ≈ 1e-12 and
// rounding O(1e-16·|L|/h) ≈ 1e-9 for losses |L| ≲ 10, relative to gradients of order 0.1–1; the
// project's bound for backward passes (docs/methods.md §5, relative error < 1e-6) holds with
// two orders of margin, while a wrong term gives O(1e-2) or more. Valid only if no step crosses
// a ReLU kink: every test asserts that each pre-activation (messages x_j + e_ij and the MLP's
// hidden layer) is at least KINK_MARGIN from 0, far more than a step moves it (h times a
// derivative of ≲ 10, i.e. ≤ 1e-5).
const GRAD_TOL = 1e-6;
const KINK_MARGIN = 1e-4;

const values = (t: Tensor) => Float64Array.from(t.toArray());

/** y = x Wᵀ + b of a Linear in plain float64. */
function linear(lin: Linear, x: ArrayLike<number>, rows: number): Float64Array {
  const w = values(lin.weight);
  const b = lin.bias ? values(lin.bias) : null;
  const [o, i] = [lin.outChannels, lin.inChannels];
  const y = new Float64Array(rows * o);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < o; c++) {
      let s = b ? b[c] : 0;
      for (let k = 0; k < i; k++) s += x[r * i + k] * w[c * i + k];
      y[r * o + c] = s;
    }
  }
  return y;
}

interface Reference {
  out: Float64Array;
  /** The smallest |pre-activation| of any ReLU: messages x_j + e_ij and the MLP's hidden layer. */
  margin: number;
}

/**
 * GENConv in plain float64, from the definition: h = x (or x W_linᵀ), e = edgeAttr W_edgeᵀ,
 * per channel a_i = Σ_{j→i} softmax_j(t·m_ij)·m_ij (or (mean_j m_ij^p)^(1/p) with aggr 'power') with m_ij = ReLU(h_j + e_ij) + ε over the
 * in-edges in edge-list order, then out = lin2(ReLU(lin1(a + h))), or lin(a + h) with one MLP layer.
 */
function reference(conv: GENConv, x: ArrayLike<number>, edgeAttr: ArrayLike<number> | null, edges = EDGES): Reference {
  const F = conv.outChannels;
  const ne = edges.length / 2;
  const h = conv.lin ? linear(conv.lin, x, N) : Float64Array.from(x);
  const e = edgeAttr ? linear(conv.linEdge!, edgeAttr, ne) : null;
  const t = conv.t ? values(conv.t)[0] : 0;
  const power = conv.p ? values(conv.p)[0] : null;
  let margin = Infinity;
  const a = new Float64Array(N * F);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < F; c++) {
      const m: number[] = [];
      for (let k = 0; k < ne; k++) {
        if (edges[ne + k] !== i) continue;
        const z = h[edges[k] * F + c] + (e ? e[k * F + c] : 0);
        // An exact 0 (an input zeroed by an earlier ReLU or dropout) stays 0 under every step.
        if (z !== 0) margin = Math.min(margin, Math.abs(z));
        m.push(Math.max(z, 0) + conv.eps);
      }
      if (m.length === 0) continue;
      if (power !== null) {
        // The power mean (aggr 'power'): (mean m^p)^(1/p).
        a[i * F + c] = (m.reduce((s, v) => s + v ** power, 0) / m.length) ** (1 / power);
        continue;
      }
      const mx = Math.max(...m.map((v) => t * v));
      const w = m.map((v) => Math.exp(t * v - mx));
      const den = w.reduce((s, v) => s + v, 0);
      a[i * F + c] = w.reduce((s, wk, k) => s + (wk / den) * m[k], 0);
    }
  }
  if (conv.msgScale) {
    // MsgNorm: a_i ← s·‖h_i‖·a_i/‖a_i‖.
    const s = values(conv.msgScale)[0];
    for (let i = 0; i < N; i++) {
      const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from({ length: F }, (_, c) => v[i * F + c] ** 2).reduce((x, y) => x + y, 0));
      const ratio = (s * norm(h)) / Math.max(norm(a), 1e-12);
      for (let c = 0; c < F; c++) a[i * F + c] *= ratio;
    }
  }
  const pre = a.map((v, k) => v + h[k]);
  if (!(conv.mlp instanceof MLP)) return { out: linear(conv.mlp, pre, N), margin };
  const u = linear(conv.mlp.lin1, pre, N);
  for (const v of u) margin = Math.min(margin, Math.abs(v));
  return {
    out: linear(
      conv.mlp.lin2,
      u.map((v) => Math.max(v, 0)),
      N,
    ),
    margin,
  };
}

/** Relative error ‖a − b‖ / max(‖a‖, ‖b‖): the gradcheck helper's measure. */
const relErr = relativeError;

/**
 * Relative errors of the gradients of L = Σ conv(x, edgeAttr) ⊙ R with respect to x, the edge
 * features and every parameter (t included when learned), reverse mode against central
 * differences; parameters are perturbed in place through assign().
 */
function layerGradcheck(conv: GENConv, graph: Graph, xv: Float64Array, ev: Float64Array | null, h = 1e-6): Record<string, number> {
  const inC = conv.inChannels;
  const r = randomInput(new Rng(99), [N, conv.outChannels]).values;
  const edgeShape = [E, conv.edgeDim ?? 1];
  const run = (x: Tensor, e: Tensor | null) => conv.forward(x, graph, e ? { edgeAttr: e } : {});
  const loss = () =>
    noGrad(() =>
      tidy(() => {
        const out = run(Tensor.from(xv, [N, inC]), ev ? Tensor.from(ev, edgeShape) : null).toArray();
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
    const e = ev ? Tensor.from(ev, edgeShape) : null;
    if (e) e.requiresGrad = true;
    backward(run(x, e), Tensor.from(r, [N, conv.outChannels]));
    const g: Record<string, Float64Array> = { x: values(x.grad!) };
    if (e) g.edgeAttr = values(e.grad!);
    for (const [n, p] of named) g[n] = values(p.grad!);
    for (const [, p] of named) {
      p.grad!.dispose();
      p.grad = null;
    }
    return g;
  });
  const numeric = (v: Float64Array, set: () => void) => centralDifferences(v, set, loss, h);
  const out: Record<string, number> = {
    x: relErr(
      analytic.x,
      numeric(xv, () => {}),
    ),
  };
  if (ev)
    out.edgeAttr = relErr(
      analytic.edgeAttr,
      numeric(ev, () => {}),
    );
  for (const [name, p] of named) {
    const v = values(p);
    out[name] = relErr(
      analytic[name],
      numeric(v, () => tidy(() => p.assign(Tensor.from(v, [...p.shape])))),
    );
  }
  return out;
}

function forwardValues(conv: GENConv, graph: Graph, xv: Float64Array, ev: Float64Array | null): Float64Array {
  return noGrad(() =>
    tidy(() => values(conv.forward(Tensor.from(xv, [N, conv.inChannels]), graph, ev ? { edgeAttr: Tensor.from(ev, [E, conv.edgeDim!]) } : {}))),
  );
}

describe('GENConv forward against a float64 reference', () => {
  // [in, out, edgeDim, t, expansion, MLP layers]: in = out aggregates x itself; in ≠ out
  // projects x first (both ways); edge features are projected to the layer's width; t spans
  // mean-like (0.1), the default (1), max-like (5) and min-like (−2) aggregation.
  it.each([
    [6, 6, null, 1, 2, 2],
    [6, 6, 3, 0.1, 2, 2],
    [5, 8, null, 5, 2, 2],
    [8, 5, 4, -2, 1, 2],
    [4, 4, 2, 1.5, 3, 2],
    [6, 6, null, 1, 2, 1],
    [5, 7, 3, 0.7, 2, 1],
  ] as const)('%i → %i, edgeDim %s, t = %s, expansion %i, %i MLP layers', (inC, outC, edgeDim, t, expansion, mlpLayers) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(inC, outC, { edgeDim: edgeDim ?? undefined, t, expansion, mlpLayers, seed: 5, dtype: 'f64' });
    if (mlpLayers === 2) expect((conv.mlp as MLP).hiddenChannels).toBe(expansion * outC);
    else expect(conv.mlp).toBeInstanceOf(Linear);
    expect(conv.lin === null).toBe(inC === outC);
    expect(conv.linEdge === null).toBe(edgeDim === null);
    const rng = new Rng(7);
    const xv = randomInput(rng, [N, inC]).values;
    const ev = edgeDim ? randomInput(rng, [E, edgeDim]).values : null;
    const got = forwardValues(conv, graph, xv, ev);
    expect(maxRelDiff(got, reference(conv, xv, ev).out)).toBeLessThan(FWD_TOL);
  });

  it('gives the empty neighbourhoods MLP(x_i): the aggregation of no messages is 0', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(4, 4, { seed: 2, dtype: 'f64' });
    const xv = randomInput(new Rng(3), [N, 4]).values;
    const got = forwardValues(conv, graph, xv, null);
    const mlp = noGrad(() => tidy(() => values(conv.mlp.forward(Tensor.from(xv, [N, 4])))));
    for (const i of [28, 29]) for (let c = 0; c < 4; c++) expect(got[i * 4 + c]).toBe(mlp[i * 4 + c]);
  });

  it('reads edge features in edge-list order whatever the order of the edges', () => {
    // The same graph with its edges listed in reverse: the same output once edgeAttr is reversed too.
    const rev = Int32Array.from([...EDGES.subarray(0, E)].reverse().concat([...EDGES.subarray(E)].reverse()));
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using graphRev = Graph.fromEdgeIndex(rev, { numNodes: N });
    using conv = new GENConv(3, 3, { edgeDim: 2, seed: 4, dtype: 'f64' });
    const rng = new Rng(8);
    const xv = randomInput(rng, [N, 3]).values;
    const ev = randomInput(rng, [E, 2]).values;
    const evRev = new Float64Array(E * 2);
    for (let k = 0; k < E; k++) evRev.set(ev.subarray(k * 2, k * 2 + 2), (E - 1 - k) * 2);
    const a = forwardValues(conv, graph, xv, ev);
    const b = forwardValues(conv, graphRev, xv, evRev);
    expect(maxRelDiff(b, a)).toBeLessThan(FWD_TOL);
    expect(maxRelDiff(b, reference(conv, xv, evRev, rev).out)).toBeLessThan(FWD_TOL);
  });

  it('takes constant sparse input features, with the dense result (projected and not)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    for (const [inC, outC] of [
      [12, 4],
      [5, 5],
    ] as const) {
      using conv = new GENConv(inC, outC, { seed: 2, dtype: 'f64' });
      const xv = randomInput(new Rng(3), [N, inC]).values.map((v, i) => (i % 3 === 0 ? v : 0));
      tidy(() => {
        const x = Tensor.from(xv, [N, inC]);
        using xs = SparseFeatures.fromDense(x);
        expect(maxRelDiff(values(conv.forward(xs, graph)), values(conv.forward(x, graph)))).toBeLessThan(FWD_TOL);
      });
    }
  });
});

describe('GENConv gradients against central differences (float64)', () => {
  it.each([
    [5, 5, null, 1.3, 11, 2],
    [4, 6, 3, -0.8, 12, 2],
    [6, 4, 2, 0.5, 13, 2],
    [4, 6, 3, 0.9, 14, 1],
  ] as const)('x, edge features, t and every weight: %i → %i, edgeDim %s, t = %s (seed %i, %i MLP layers)', (inC, outC, edgeDim, t, seed, mlpLayers) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(inC, outC, { edgeDim: edgeDim ?? undefined, t, mlpLayers, seed, dtype: 'f64' });
    const rng = new Rng(seed + 100);
    const xv = randomInput(rng, [N, inC]).values;
    const ev = edgeDim ? randomInput(rng, [E, edgeDim]).values : null;
    expect(reference(conv, xv, ev).margin).toBeGreaterThan(KINK_MARGIN);
    const errs = layerGradcheck(conv, graph, xv, ev);
    const expected = [
      'x',
      ...(edgeDim ? ['edgeAttr'] : []),
      't',
      ...(inC !== outC ? ['lin.weight'] : []),
      ...(edgeDim ? ['linEdge.weight'] : []),
      ...(mlpLayers === 2 ? ['mlp.lin1.weight', 'mlp.lin1.bias', 'mlp.lin2.weight', 'mlp.lin2.bias'] : ['mlp.weight', 'mlp.bias']),
    ];
    expect(Object.keys(errs)).toEqual(expected);
    for (const [name, e] of Object.entries(errs)) expect(e, name).toBeLessThan(GRAD_TOL);
  });

  it("t's gradient is Σ g·∂a/∂t: zero when every neighbourhood's messages are equal, nonzero otherwise", () => {
    // With x constant over nodes, all messages of a channel are equal: the softmax weights do not
    // matter and the output does not depend on t.
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(3, 3, { t: 0.7, seed: 6, dtype: 'f64' });
    const tGrad = (xv: Float64Array) =>
      tidy(() => {
        backward(conv.forward(Tensor.from(xv, [N, 3]), graph), Tensor.from(randomInput(new Rng(1), [N, 3]).values, [N, 3]));
        const g = values(conv.t!.grad!)[0];
        for (const p of conv.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        return g;
      });
    expect(Math.abs(tGrad(new Float64Array(N * 3).map((_, k) => 0.3 + 0.2 * (k % 3))))).toBeLessThan(1e-14);
    expect(Math.abs(tGrad(randomInput(new Rng(2), [N, 3]).values))).toBeGreaterThan(1e-3);
  });
});

describe('GENConv with addSelfLoops', () => {
  it('equals the plain layer on the graph with one explicit self loop per node', () => {
    const loops = Int32Array.from([
      ...EDGES.subarray(0, E),
      ...Array.from({ length: N }, (_, i) => i),
      ...EDGES.subarray(E),
      ...Array.from({ length: N }, (_, i) => i),
    ]);
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(4, 5, { addSelfLoops: true, t: 1.4, seed: 41, dtype: 'f64' });
    const xv = randomInput(new Rng(141), [N, 4]).values;
    const ref = reference(conv, xv, null, loops);
    expect(ref.margin).toBeGreaterThan(KINK_MARGIN);
    const got = forwardValues(conv, graph, xv, null);
    expect(maxRelDiff(got, ref.out)).toBeLessThan(FWD_TOL);
    // The isolated nodes 28 and 29 now aggregate their own message: not MLP(x_i) any more.
    expect(maxRelDiff(got, reference(conv, xv, null).out)).toBeGreaterThan(1e-3);
    const errs = layerGradcheck(conv, graph, xv, null);
    expect(Object.keys(errs)).toEqual(['x', 't', 'lin.weight', 'mlp.lin1.weight', 'mlp.lin1.bias', 'mlp.lin2.weight', 'mlp.lin2.bias']);
    for (const [name, e] of Object.entries(errs)) expect(e, name).toBeLessThan(GRAD_TOL);
  });

  it('rejects self loops together with edge features (a loop has no edge feature)', () => {
    expect(() => new GENConv(4, 4, { addSelfLoops: true, edgeDim: 2 })).toThrow(/GENConv: addSelfLoops cannot be combined with edgeDim/);
  });
});

describe('GENConv with MsgNorm', () => {
  it.each([
    [5, 5, false, 31],
    [4, 6, true, 32],
  ] as const)('matches the float64 reference and central differences: %i → %i, learned scale %s (seed %i)', (inC, outC, learnMsgScale, seed) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(inC, outC, { msgNorm: true, learnMsgScale, mlpLayers: 1, t: 0.8, seed, dtype: 'f64' });
    if (learnMsgScale) tidy(() => (conv.msgScale as Parameter).assign(Tensor.from([1.7], [1], { dtype: 'f64' })));
    const rng = new Rng(seed + 100);
    const xv = randomInput(rng, [N, inC]).values;
    const ref = reference(conv, xv, null);
    expect(ref.margin).toBeGreaterThan(KINK_MARGIN);
    expect(maxRelDiff(forwardValues(conv, graph, xv, null), ref.out)).toBeLessThan(FWD_TOL);
    const errs = layerGradcheck(conv, graph, xv, null);
    expect(Object.keys(errs)).toEqual(['x', 't', ...(learnMsgScale ? ['msgScale'] : []), ...(inC !== outC ? ['lin.weight'] : []), 'mlp.weight', 'mlp.bias']);
    for (const [name, e] of Object.entries(errs)) expect(e, name).toBeLessThan(GRAD_TOL);
  });

  it('keeps a fixed scale of 1 out of parameters() unless learnMsgScale, and frees it with the layer', () => {
    const before = liveCpu();
    {
      using conv = new GENConv(4, 4, { msgNorm: true, mlpLayers: 1, seed: 5 });
      expect(conv.namedParameters().map(([n]) => n)).toEqual(['t', 'mlp.weight', 'mlp.bias']);
      expect(Array.from(conv.msgScale!.toArray())).toEqual([1]);
      expect(conv.msgScale!.requiresGrad).toBe(false);
    }
    expect(liveCpu()).toEqual(before);
  });

  it('rejects a learned scale without MsgNorm and non-boolean flags', () => {
    expect(() => new GENConv(4, 4, { learnMsgScale: true })).toThrow(/GENConv: learnMsgScale needs msgNorm: true/);
    expect(() => new GENConv(4, 4, { msgNorm: 1 as unknown as boolean })).toThrow(/GENConv: msgNorm must be true or false, got 1/);
  });
});

describe("GENConv with aggr 'power' (the power mean)", () => {
  it.each([
    [6, 6, null, 1, 2],
    [5, 7, 3, 2.5, 1],
    [6, 6, null, 0.5, 1],
  ] as const)('forward equals the float64 reference: %i → %i, edgeDim %s, p = %s, %i MLP layers', (inC, outC, edgeDim, p, mlpLayers) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(inC, outC, { aggr: 'power', p, edgeDim: edgeDim ?? undefined, mlpLayers, seed: 5, dtype: 'f64' });
    expect(conv.t).toBeNull();
    const rng = new Rng(7);
    const xv = randomInput(rng, [N, inC]).values;
    const ev = edgeDim ? randomInput(rng, [E, edgeDim]).values : null;
    expect(maxRelDiff(forwardValues(conv, graph, xv, ev), reference(conv, xv, ev).out)).toBeLessThan(FWD_TOL);
  });

  it.each([
    [5, 5, null, 1, 31],
    [4, 6, 3, 2.2, 32],
  ] as const)('gradients of x, edge features, p and every weight match central differences: %i → %i, edgeDim %s, p = %s', (inC, outC, edgeDim, p, seed) => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using conv = new GENConv(inC, outC, { aggr: 'power', p, edgeDim: edgeDim ?? undefined, mlpLayers: 1, seed, dtype: 'f64' });
    const rng = new Rng(seed + 100);
    const xv = randomInput(rng, [N, inC]).values;
    const ev = edgeDim ? randomInput(rng, [E, edgeDim]).values : null;
    expect(reference(conv, xv, ev).margin).toBeGreaterThan(KINK_MARGIN);
    const errs = layerGradcheck(conv, graph, xv, ev);
    const expected = [
      'x',
      ...(edgeDim ? ['edgeAttr'] : []),
      'p',
      ...(inC !== outC ? ['lin.weight'] : []),
      ...(edgeDim ? ['linEdge.weight'] : []),
      'mlp.weight',
      'mlp.bias',
    ];
    expect(Object.keys(errs)).toEqual(expected);
    for (const [name, e] of Object.entries(errs)) expect(e, name).toBeLessThan(GRAD_TOL);
  });

  it('p = 1 is the mean aggregation: softmax at t = 0 gives the same output', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using mean = new GENConv(4, 4, { aggr: 'power', p: 1, mlpLayers: 1, seed: 3, dtype: 'f64' });
    using soft = new GENConv(4, 4, { t: 0, mlpLayers: 1, seed: 3, dtype: 'f64' });
    const xv = randomInput(new Rng(9), [N, 4]).values;
    // The same draws (t and p come from their own constructors' first values, not the stream).
    expect(values((mean.mlp as Linear).weight)).toEqual(values((soft.mlp as Linear).weight));
    expect(maxRelDiff(forwardValues(mean, graph, xv, null), forwardValues(soft, graph, xv, null))).toBeLessThan(FWD_TOL);
  });

  it('keeps a fixed p out of parameters() with learnP false, and rejects options of the other aggregation', () => {
    using fixed = new GENConv(4, 4, { aggr: 'power', p: 2, learnP: false, seed: 1, dtype: 'f64' });
    expect(fixed.namedParameters().map(([n]) => n)).toEqual(['mlp.lin1.weight', 'mlp.lin1.bias', 'mlp.lin2.weight', 'mlp.lin2.bias']);
    expect(values(fixed.p!)).toEqual(new Float64Array([2]));
    fixed.dispose();
    expect(fixed.p!.disposed).toBe(true);
    const base = liveCpu();
    expectThrows(() => new GENConv(4, 4, { aggr: 'power', t: 0.5 }), RangeError, 'GENConv', 't and learnT', "'softmax'");
    expectThrows(() => new GENConv(4, 4, { p: 2 }), RangeError, 'GENConv', 'p and learnP', "'power'");
    expectThrows(() => new GENConv(4, 4, { aggr: 'power', p: 0 }), RangeError, 'GENConv', 'p must be finite and not 0', '0');
    expectThrows(() => new GENConv(4, 4, { aggr: 'power', eps: 0 }), RangeError, 'GENConv', 'eps must be > 0', "'power'");
    expectThrows(() => new GENConv(4, 4, { aggr: 'max' as never }), RangeError, 'GENConv', 'aggr', 'got max');
    expectThrows(() => new GENConv(4, 4, { aggr: 'power', learnP: 1 as never }), TypeError, 'GENConv', 'learnP', '1');
    expect(liveCpu()).toEqual(base);
  });
});

describe('GENConv parameters and options', () => {
  it('names its parameters as PyG (t when learned, projections, then the MLP) and redraws them', () => {
    using conv = new GENConv(6, 4, { edgeDim: 3, t: 0.5, seed: 3 });
    expect(conv.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      't:1',
      'lin.weight:4x6',
      'linEdge.weight:4x3',
      'mlp.lin1.weight:8x4',
      'mlp.lin1.bias:8',
      'mlp.lin2.weight:4x8',
      'mlp.lin2.bias:4',
    ]);
    const before = conv.parameters().map(values);
    tidy(() => {
      for (const p of conv.parameters()) p.assign(Tensor.full(p.shape, 3));
    });
    conv.resetParameters(new Rng(3));
    // t goes back to its initial value and the weights to the same draws (same stream, same order).
    expect(conv.parameters().map(values)).toEqual(before);
    expect(values(conv.t!)[0]).toBe(0.5);
  });

  it('with learnT false keeps t out of parameters() and fixed through training, with the same output', () => {
    const base = liveCpu();
    {
      using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
      using fixed = new GENConv(5, 5, { t: 2, learnT: false, seed: 9, dtype: 'f64' });
      using learned = new GENConv(5, 5, { t: 2, seed: 9, dtype: 'f64' });
      expect(fixed.namedParameters().map(([n]) => n)).toEqual(['mlp.lin1.weight', 'mlp.lin1.bias', 'mlp.lin2.weight', 'mlp.lin2.bias']);
      expect(fixed.t!.requiresGrad).toBe(false);
      // No draw is spent on t: the same weights, and so the same output, as the learned layer.
      expect(fixed.parameters().map(values)).toEqual(learned.parameters().slice(1).map(values));
      const xv = randomInput(new Rng(4), [N, 5]).values;
      expect(forwardValues(fixed, graph, xv, null)).toEqual(forwardValues(learned, graph, xv, null));
      using opt = new Adam(fixed.parameters(), { lr: 0.1 });
      for (let s = 0; s < 3; s++) {
        tidy(() => {
          const x = Tensor.from(xv, [N, 5]);
          x.requiresGrad = true;
          backward(fixed.forward(x, graph), Tensor.from(randomInput(new Rng(s), [N, 5]).values, [N, 5]));
          expect(fixed.t!.grad).toBeNull();
          opt.step();
          opt.zeroGrad();
        });
      }
      expect(values(fixed.t!)).toEqual(new Float64Array([2]));
      fixed.resetParameters(new Rng(0));
      expect(values(fixed.t!)).toEqual(new Float64Array([2]));
      fixed.dispose();
      fixed.dispose();
      expect(fixed.disposed).toBe(true);
    }
    expect(liveCpu()).toEqual(base);
  });

  it('disposes once however often dispose is called, and memory comes back to its baseline', () => {
    const base = liveCpu();
    {
      using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
      const conv = new GENConv(4, 6, { edgeDim: 2, seed: 1 });
      tidy(() => {
        const x = Tensor.from(randomInput(new Rng(1), [N, 4]).values, [N, 4], { dtype: 'f32' });
        const e = Tensor.from(randomInput(new Rng(2), [E, 2]).values, [E, 2], { dtype: 'f32' });
        backward(conv.forward(x, graph, { edgeAttr: e }), Tensor.full([N, 6], 1));
      });
      for (const p of conv.parameters()) expect(p.grad).not.toBeNull();
      conv.dispose();
      conv.dispose();
      expect(conv.disposed).toBe(true);
    }
    expect(liveCpu()).toEqual(base);
  });

  it('rejects bad options with messages that say what to change, leaking nothing', () => {
    const base = liveCpu();
    expectThrows(() => new GENConv(4, 4, null as never), TypeError, 'GENConv', 'options');
    expectThrows(() => new GENConv(4, 4, { t: Number.NaN }), RangeError, 'GENConv', 't must be finite');
    expectThrows(() => new GENConv(4, 4, { t: Infinity }), RangeError, 'GENConv', 't must be finite');
    expectThrows(() => new GENConv(4, 4, { learnT: 'yes' as never }), TypeError, 'GENConv', 'learnT');
    expectThrows(() => new GENConv(4, 4, { eps: -1 }), RangeError, 'GENConv', 'eps');
    expectThrows(() => new GENConv(4, 4, { expansion: 0 }), RangeError, 'GENConv', 'expansion');
    expectThrows(() => new GENConv(4, 4, { expansion: 1.5 }), RangeError, 'GENConv', 'expansion');
    expectThrows(() => new GENConv(4, 4, { edgeDim: 0 }), RangeError, 'GENConv', 'edgeDim');
    expectThrows(() => new GENConv(4, 4, { mlpLayers: 3 as never }), RangeError, 'GENConv', 'mlpLayers must be 1 or 2');
    expectThrows(() => new GENConv(0, 4), RangeError, 'GENConv', 'inChannels');
    expectThrows(() => new GENBranch(4, { dropout: 1 }), RangeError, 'GENBranch', 'dropout');
    expectThrows(() => new GENBranch(4, { t: Number.NaN }), RangeError, 'GENConv', 't must be finite');
    expect(liveCpu()).toEqual(base);
  });

  it('rejects edge features that do not fit the layer', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using plain = new GENConv(3, 3, { dtype: 'f64' });
    using withEdges = new GENConv(3, 3, { edgeDim: 2, dtype: 'f64' });
    tidy(() => {
      const x = Tensor.from(new Float64Array(N * 3), [N, 3]);
      const e = Tensor.from(new Float64Array(E * 2), [E, 2]);
      expectThrows(() => plain.forward(x, graph, { edgeAttr: e }), RangeError, 'GENConv.forward', 'without edgeDim');
      expectThrows(() => withEdges.forward(x, graph), RangeError, 'GENConv.forward', 'edgeDim 2', 'edgeAttr');
      expectThrows(() => withEdges.forward(x, graph, { edgeAttr: Tensor.from(new Float64Array(E * 3), [E, 3]) }), RangeError, 'GENConv.forward', `[${E}, 2]`);
      expectThrows(() => withEdges.forward(x, graph, { edgeAttr: Tensor.from(new Float64Array(4), [2, 2]) }), RangeError, 'GENConv.forward', `[${E}, 2]`);
      expectThrows(() => withEdges.forward(x, graph, { edgeAttr: [1, 2] as never }), TypeError, 'GENConv.forward', 'edgeAttr');
      expectFathom(() => plain.forward(Tensor.from(new Float64Array(N * 4), [N, 4]), graph), 'SHAPE', 'GENConv.forward', `[${N}, 3]`);
    });
  });
});

describe('GENBranch', () => {
  it('equals GENConv(Dropout(ReLU(LayerNorm(h)))) with the same dropout seed, in training and in eval', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using branch = new GENBranch(6, { dropout: 0.4, t: 0.8, seed: 3, dtype: 'f64' });
    expect(branch.namedParameters().map(([n]) => n)).toEqual([
      'norm.weight',
      'norm.bias',
      'genConv.t',
      'genConv.mlp.lin1.weight',
      'genConv.mlp.lin1.bias',
      'genConv.mlp.lin2.weight',
      'genConv.mlp.lin2.bias',
    ]);
    // A LayerNorm that is not the identity map's affine: scale and shift drawn at random.
    tidy(() => {
      branch.norm.weight!.assign(Tensor.from(randomInput(new Rng(1), [6], 0.5, 1.5).values, [6]));
      branch.norm.bias!.assign(Tensor.from(randomInput(new Rng(2), [6]).values, [6]));
    });
    const xv = randomInput(new Rng(4), [N, 6]).values;
    for (const training of [true, false]) {
      branch.train(training);
      tidy(() => {
        const x = Tensor.from(xv, [N, 6]);
        const got = values(branch.forward(x, graph, { dropoutSeed: 17 }));
        const h = dropout(relu(branch.norm.forward(x)), 0.4, { seed: 17, training });
        expect(got).toEqual(values(branch.genConv.forward(h, graph)));
        // Dropout is on in training: another seed gives another output; in eval it does not matter.
        const other = values(branch.forward(x, graph, { dropoutSeed: 18 }));
        if (training) expect(other).not.toEqual(got);
        else expect(other).toEqual(got);
      });
    }
  });

  it('passes gradients to its input, the norm and the convolution (float64 central differences)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using branch = new GENBranch(4, { dropout: 0.3, seed: 8, dtype: 'f64' });
    const xv = randomInput(new Rng(5), [N, 4]).values;
    const r = randomInput(new Rng(6), [N, 4]).values;
    const h = 1e-6;
    const loss = () =>
      noGrad(() =>
        tidy(() => {
          const out = values(branch.forward(Tensor.from(xv, [N, 4]), graph, { dropoutSeed: 3 }));
          return out.reduce((s, v, i) => s + v * r[i], 0);
        }),
      );
    const analytic = tidy(() => {
      const x = Tensor.from(xv, [N, 4]);
      x.requiresGrad = true;
      backward(branch.forward(x, graph, { dropoutSeed: 3 }), Tensor.from(r, [N, 4]));
      return [values(x.grad!), ...branch.parameters().map((p) => values(p.grad!))];
    });
    // No step crosses a kink: |LayerNorm output| (the ReLU) and the convolution's own
    // pre-activations stay KINK_MARGIN from 0 (inputs zeroed by the ReLU or dropout stay 0).
    noGrad(() =>
      tidy(() => {
        const x = Tensor.from(xv, [N, 4]);
        const ln = values(branch.norm.forward(x));
        expect(Math.min(...ln.map(Math.abs))).toBeGreaterThan(KINK_MARGIN);
        const hv = values(dropout(relu(branch.norm.forward(x)), 0.3, { seed: 3, training: true }));
        expect(reference(branch.genConv, hv, null).margin).toBeGreaterThan(KINK_MARGIN);
      }),
    );
    const numeric = (v: Float64Array, set: () => void) => centralDifferences(v, set, loss, h);
    const errs = [
      relErr(
        analytic[0],
        numeric(xv, () => {}),
      ),
    ];
    for (const p of branch.parameters()) {
      const v = values(p);
      errs.push(
        relErr(
          analytic[errs.length],
          numeric(v, () => tidy(() => p.assign(Tensor.from(v, [...p.shape])))),
        ),
      );
    }
    for (const e of errs) expect(e).toBeLessThan(GRAD_TOL);
  });
});

describe.skipIf(!CUDA)(`GENConv on CUDA against CPU${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  it('gives the same output and gradients (f64) on both devices, with edge features', () => {
    const run = (device: Device) =>
      tidy(() => {
        using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
        using conv = new GENConv(5, 6, { edgeDim: 3, t: 0.7, seed: 4, dtype: 'f64', device });
        const rng = new Rng(5);
        const x = Tensor.from(randomInput(rng, [N, 5]).values, [N, 5], { device });
        const e = Tensor.from(randomInput(rng, [E, 3]).values, [E, 3], { device });
        x.requiresGrad = true;
        e.requiresGrad = true;
        const out = conv.forward(x, graph, { edgeAttr: e });
        backward(out, Tensor.from(randomInput(new Rng(6), [N, 6]).values, [N, 6], { device }));
        return [out, x.grad!, e.grad!, ...conv.parameters().map((p) => p.grad!)].map((t) => values(t.to('cpu')));
      });
    const cpu = run('cpu');
    const gpu = run('cuda');
    // f64 on both: only the summation order differs (~1e-15 relative).
    cpu.forEach((c, i) => expect(maxRelDiff(gpu[i], c), `output ${i}`).toBeLessThan(1e-12));
  });
});
