import { afterAll, describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { rankDiagnostics, symmetricEigen } from '../../lib/diagnostics/rank.js';
import { Graph } from '../../lib/graph/Graph.js';
import { orthogonal } from '../../lib/init/orthogonal.js';
import { SKPConv } from '../../lib/nn/SKPConv.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { denseOperator } from '../helpers/randomGraph.js';

// An undirected, connected, non-bipartite graph with uneven degrees: an odd ring of 15 nodes
// with three chords. Its gcn operator is symmetric with λ₁ = 1 > |λ₂| > |λ₃|, and the top
// eigenvectors of gcn (∝ √d̃) and mean (constant) differ because the degrees do.
const N = 15;
const pairs: [number, number][] = [...Array.from({ length: N }, (_, i) => [i, (i + 1) % N] as [number, number]), [0, 5], [3, 11], [7, 13]];
const edges = Int32Array.from([...pairs.flat(), ...pairs.flatMap(([a, b]) => [b, a])]);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
afterAll(() => graph.dispose());

describe('rank diagnostics', () => {
  it('recover the singular values of a matrix built from known ones', () => {
    const rng = new Rng(3);
    const [m, n] = [7, 4];
    const u = orthogonal(m, n, rng); // orthonormal columns
    const v = orthogonal(n, n, rng);
    const s = [5, 2, 0.5, 0];
    const x = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) x[i * n + j] += u[i * n + k] * s[k] * v[j * n + k];
    const r = rankDiagnostics(x, m, n);
    s.forEach((sv, i) => expect(r.singularValues[i]).toBeCloseTo(sv, 7));
    expect(r.numericalRank).toBe(3);
    expect(r.sigmaRatio).toBeCloseTo(0.4, 12);
    const p = [5, 2, 0.5].map((v) => v / 7.5);
    expect(r.effectiveRank).toBeCloseTo(Math.exp(-p.reduce((a, q) => a + q * Math.log(q), 0)), 10);
  });

  it('report rank 0 and ratio 0 for a zero matrix', () => {
    const r = rankDiagnostics(new Float64Array(6), 3, 2);
    expect([r.numericalRank, r.effectiveRank, r.sigmaRatio]).toEqual([0, 0, 0]);
  });
});

/** σ₂/σ₁ after each of `depth` linear layers (no activation), in f64. */
function ratios(conv: SKPConv, x0: Float64Array, width: number, depth: number): number[] {
  return noGrad(() => {
    const out: number[] = [];
    let h = Tensor.from(x0, [N, width]);
    for (let l = 0; l < depth; l++) {
      const next = tidy(() => conv.forward(h, graph));
      h.dispose();
      h = next;
      out.push(rankDiagnostics(h.toArray(), N, width).sigmaRatio);
    }
    h.dispose();
    return out;
  });
}

describe('docs/methods.md §5 rank collapse checks', () => {
  const width = 4;
  const x0 = Float64Array.from({ length: N * width }, (_, i) => Math.sin(1.7 * i + 0.3) + 0.1 * (i % 5));

  it('a linear KP stack with orthogonal W decays σ₂/σ₁ geometrically at the rate |λ₂/λ₁| of the gcn operator (within 5% after 32 layers)', () => {
    const eig = Array.from(symmetricEigen(denseOperator(edges, N, 'gcn'), N).values).sort((a, b) => Math.abs(b) - Math.abs(a));
    const rate = Math.abs(eig[1] / eig[0]);
    expect(Math.abs(eig[2])).toBeLessThan(Math.abs(eig[1]) * 0.95); // the fit needs a gap below λ₂
    // One shared orthogonal W for every layer: singular values are invariant under it, so only the operator shapes them.
    using conv = new SKPConv(width, width, { terms: ['gcn'], dtype: 'f64', weights: [orthogonal(width, width, new Rng(8))] });
    const r = ratios(conv, x0, width, 32);
    // Least-squares slope of log(σ₂/σ₁) over layers 17..32, once the λ₃ component has faded.
    const ls = r.slice(16).map(Math.log);
    const ts = ls.map((_, i) => i);
    const tm = ts.reduce((a, b) => a + b) / ts.length;
    const lm = ls.reduce((a, b) => a + b) / ls.length;
    const slope = ts.reduce((a, t, i) => a + (t - tm) * (ls[i] - lm), 0) / ts.reduce((a, t) => a + (t - tm) ** 2, 0);
    const fitted = Math.exp(slope);
    expect(Math.abs(fitted - rate) / rate).toBeLessThan(0.05);
    expect(r[31]).toBeLessThan(r[0] * rate ** 20); // and it did collapse
  });

  it('a constructed two-term SKP (W₁ = e₁e₁ᵀ with gcn, W₂ = e₂e₂ᵀ with mean) keeps σ₂/σ₁ away from 0 over 256 layers', () => {
    const e = (k: number) => new Float64Array(width * width).map((_, i) => (i === k * width + k ? 1 : 0));
    using conv = new SKPConv(width, width, { terms: ['gcn', 'mean'], dtype: 'f64', weights: [e(0), e(1)] });
    const r = ratios(conv, x0, width, 256);
    // Column 1 converges to gcn's top eigenvector v (∝ √d̃), column 2 to mean's constant vector
    // (weighted by its left eigenvector π ∝ d): two independent directions with eigenvalue 1,
    // so the ratio settles at the σ₂/σ₁ of [v vᵀx₁, 1 πᵀx₂], a positive constant.
    const { vectors } = symmetricEigen(denseOperator(edges, N, 'gcn'), N);
    const deg = new Float64Array(N);
    for (const [a, b] of pairs) {
      deg[a]++;
      deg[b]++;
    }
    const dsum = deg.reduce((a, b) => a + b);
    let vx = 0;
    let px = 0;
    for (let i = 0; i < N; i++) {
      vx += vectors[i * N] * x0[i * width];
      px += (deg[i] / dsum) * x0[i * width + 1];
    }
    const limit = new Float64Array(N * 2);
    for (let i = 0; i < N; i++) {
      limit[i * 2] = vectors[i * N] * vx;
      limit[i * 2 + 1] = px;
    }
    const expected = rankDiagnostics(limit, N, 2).sigmaRatio;
    expect(expected).toBeGreaterThan(0.01);
    expect(Math.min(...r.slice(1))).toBeGreaterThan(expected / 2);
    // The second-largest |eigenvalue| of either operator, to the 256th power, is far below 1e-4.
    expect(Math.abs(r[255] - expected)).toBeLessThan(1e-4 * expected + 1e-6);
    // A KP stack on the same graph, for contrast, collapses.
    using kp = new SKPConv(width, width, { terms: ['gcn'], dtype: 'f64', weights: [orthogonal(width, width, new Rng(8))] });
    expect(ratios(kp, x0, width, 256)[255]).toBeLessThan(1e-6);
  });
});
