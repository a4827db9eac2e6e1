import { afterAll, describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { Graph } from '../../lib/graph/Graph.js';
import { SKP } from '../../lib/models/SKP.js';
import { SKPConv, type SKPTerm } from '../../lib/nn/SKPConv.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { paramGradcheck } from './paramGradcheck.js';

const TOL = 1e-6; // docs/methods.md §5 (see edgeOps.test.ts for the margin)
const N = 8;
const edges = randomEdgeIndex(N, 20, 5);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
const other = Graph.fromEdgeIndex(randomEdgeIndex(N, 20, 6), { numNodes: N });
afterAll(() => {
  graph.dispose();
  other.dispose();
});

const FIXED: SKPTerm[] = ['gcn', 'identity', 'mean', 'gcn2', 'sum', 'gin'];
const ALL: SKPTerm[] = [...FIXED, 'learnable-mean', 'softmax'];

function csrOf(kind: 'sum' | 'gin'): { rowptr: Int32Array; col: Int32Array } {
  const a = graph.operator(kind, { dtype: 'f64' }).forward('test').arrays();
  const out = { rowptr: a.rowptr.toArray() as Int32Array, col: a.col.toArray() as Int32Array };
  for (const t of [a.rowptr, a.col, a.perm, a.values]) t?.dispose();
  return out;
}

/** The dense N×N aggregation of a term, from docs/methods.md §1/§2.3 definitions (not from Fathom's kernels). */
function denseTerm(term: SKPTerm, edgeParam: Float64Array | null): Float64Array {
  const eye = new Float64Array(N * N).map((_, i) => (i % (N + 1) === 0 ? 1 : 0));
  switch (term) {
    case 'identity':
      return eye;
    case 'gcn2': {
      const p = denseOperator(edges, N, 'gcn');
      return denseMatmul(p, p, N, N, N);
    }
    case 'learnable-mean': {
      const { rowptr, col } = csrOf('sum');
      const a = new Float64Array(N * N);
      for (let r = 0; r < N; r++) {
        const d = rowptr[r + 1] - rowptr[r];
        for (let k = rowptr[r]; k < rowptr[r + 1]; k++) a[r * N + col[k]] += edgeParam![k] / d;
      }
      return a;
    }
    case 'softmax': {
      const { rowptr, col } = csrOf('gin');
      const a = new Float64Array(N * N);
      for (let r = 0; r < N; r++) {
        let s = 0;
        for (let k = rowptr[r]; k < rowptr[r + 1]; k++) s += Math.exp(edgeParam![k]);
        for (let k = rowptr[r]; k < rowptr[r + 1]; k++) a[r * N + col[k]] += Math.exp(edgeParam![k]) / s;
      }
      return a;
    }
    default:
      return denseOperator(edges, N, term);
  }
}

/** Randomizes the edge parameters of the layer (they start at 1 or 0, which would hide ordering bugs). */
function randomizeEdges(conv: SKPConv, rng: Rng): void {
  tidy(() => {
    for (const p of conv.edgeParams) if (p) p.assign(Tensor.from(randomInput(rng, [p.numel], 0.5, 1.5).values, p.shape));
  });
}

describe('SKPConv', () => {
  const rng = new Rng(99);

  it.each(ALL.map((t) => [t]))('computes Agg(X) Wᵀ with the dense %s operator alongside a gcn term', (term) => {
    for (const [fin, fout] of [
      [3, 2],
      [2, 3],
    ]) {
      using conv = new SKPConv(fin, fout, { terms: ['gcn', term], dtype: 'f64', graph, seed: 1 });
      randomizeEdges(conv, rng);
      const x = randomInput(rng, [N, fin]).values;
      const got = noGrad(() => {
        using out = conv.forward(Tensor.from(x, [N, fin]), graph);
        return out.toArray();
      });
      const want = new Float64Array(N * fout);
      conv.terms.forEach((t, k) => {
        const e = conv.edgeParams[k] ? Float64Array.from(conv.edgeParams[k]!.toArray()) : null;
        const ax = denseMatmul(denseTerm(t, e), x, N, N, fin);
        const w = conv.weights[k].toArray();
        const wt = new Float64Array(fin * fout).map((_, i) => w[(i % fout) * fin + Math.floor(i / fout)]);
        const y = denseMatmul(ax, wt, N, fin, fout);
        for (let i = 0; i < want.length; i++) want[i] += y[i];
      });
      const avg = conv.average ? 1 / conv.K : 1;
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i] * avg, 12);
    }
  });

  it.each(ALL.map((t) => [t]))('has gradients w.r.t. x, weights and edge parameters that match finite differences (%s term)', (term) => {
    using conv = new SKPConv(3, 2, { terms: [term, 'identity'], dtype: 'f64', graph, seed: 2, bias: true });
    randomizeEdges(conv, rng);
    const [ex] = gradcheck(([x]) => conv.forward(x, graph), [randomInput(rng, [N, 3])]);
    expect(ex).toBeLessThan(TOL);
    using x = Tensor.from(randomInput(rng, [N, 3]).values, [N, 3]);
    for (const e of paramGradcheck(() => conv.forward(x, graph), conv.parameters())) expect(e).toBeLessThan(TOL);
  });

  it('averages softmax-only terms (softmax-SKP) and starts from uniform attention', () => {
    using conv = new SKPConv(2, 2, {
      terms: ['softmax', 'softmax'],
      dtype: 'f64',
      graph,
      weights: [
        [1, 0, 0, 1],
        [1, 0, 0, 1],
      ],
    });
    expect(conv.average).toBe(true);
    const x = randomInput(rng, [N, 2]).values;
    const got = noGrad(() => {
      using out = conv.forward(Tensor.from(x, [N, 2]), graph);
      return out.toArray();
    });
    // Logits 0 give α = 1/|N(i) ∪ {i}|: the mean over the gin neighbourhood, twice, averaged.
    const want = denseMatmul(denseTerm('softmax', new Float64Array(conv.edgeParams[0]!.numel)), x, N, N, 2);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 13);
  });

  it('in f32 agrees with f64 for every term kind', () => {
    using c64 = new SKPConv(4, 3, { terms: ALL, dtype: 'f64', graph, seed: 4 });
    using c32 = new SKPConv(4, 3, { terms: ALL, dtype: 'f32', graph, seed: 4 });
    const x = randomInput(rng, [N, 4]).values;
    const [a, b] = noGrad(() => {
      using y64 = c64.forward(Tensor.from(x, [N, 4]), graph);
      using y32 = c32.forward(Tensor.from(Float32Array.from(x), [N, 4]), graph);
      return [y64.toArray(), y32.toArray()];
    });
    // |entries| ≲ 10 after 8 terms; f32 rounding (6e-8 relative) over a few dozen operations.
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(a[i])));
  });

  it('refuses learnable edge weights on a graph other than the one they were built for', () => {
    using conv = new SKPConv(2, 2, { terms: ['learnable-mean'], graph });
    using x = Tensor.zeros([N, 2]);
    expect(() => conv.forward(x, other)).toThrow(RangeError);
    expect(() => conv.forward(x, other)).toThrow(/SKPConv.forward: this layer's learnable edge weights belong to another graph/);
  });

  it('rejects K < 1, an unknown term kind and learnable terms without a graph', () => {
    expect(() => new SKPConv(2, 2, { terms: [] })).toThrow(/SKPConv: terms must list K ≥ 1/);
    expect(() => new SKPConv(2, 2, { terms: ['gcn', 'attention' as SKPTerm] })).toThrow(/SKPConv: unknown term kind 'attention'/);
    expect(() => new SKPConv(2, 2, { terms: ['softmax'] })).toThrow(TypeError);
    expect(() => new SKPConv(2, 2, { weights: [[1, 0, 0, 1]] })).toThrow(/weights has 1 arrays for K = 2/);
  });
});

describe('SKP model', () => {
  it('gives the KP baseline as many hidden-layer weights as the two-term SKP', () => {
    using skp = new SKP({ inChannels: 5, hiddenChannels: 12, outChannels: 3, numLayers: 4 });
    using kp = new SKP({ inChannels: 5, hiddenChannels: 12, outChannels: 3, numLayers: 4, kp: true });
    expect(skp.layers[0].K).toBe(2);
    expect(kp.layers[0].K).toBe(1);
    const perLayer = (m: SKP) => m.layers[0].numParameters();
    // 2·12² = 288 against round(√2·12)² = 17² = 289.
    expect(Math.abs(perLayer(kp) - perLayer(skp)) / perLayer(skp)).toBeLessThan(0.01);
  });

  it('produces logits of shape [N, C] and gradients for every parameter', () => {
    using model = new SKP({ inChannels: 3, hiddenChannels: 4, outChannels: 2, numLayers: 3, terms: ['gcn', 'learnable-mean'], graph, dtype: 'f64', seed: 0 });
    using x = Tensor.from(randomInput(new Rng(1), [N, 3]).values, [N, 3]);
    const errs = paramGradcheck(() => model.forward(x, graph), model.parameters());
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });
});
