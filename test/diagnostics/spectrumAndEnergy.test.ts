import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { dirichletEnergy } from '../../lib/diagnostics/dirichletEnergy.js';
import { featureMoments } from '../../lib/diagnostics/featureMoments.js';
import { frobeniusNorm } from '../../lib/diagnostics/frobeniusNorm.js';
import { gramSpectrum } from '../../lib/diagnostics/gramSpectrum.js';
import { rankDiagnostics, symmetricEigen } from '../../lib/diagnostics/rank.js';
import { symmetricEigenvalues } from '../../lib/diagnostics/symmetricEigenvalues.js';
import { Graph } from '../../lib/graph/Graph.js';
import { orthogonal } from '../../lib/init/orthogonal.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectThrows } from '../helpers/apiFixtures.js';
import { denseOperator } from '../helpers/randomGraph.js';
import { randomMatrix, referenceDirichlet, undirectedEdges } from './reference.js';

describe('symmetricEigenvalues', () => {
  it('agrees with the Jacobi reference on random symmetric matrices', () => {
    for (const n of [1, 2, 5, 33]) {
      const a = randomMatrix(n, n, n);
      const s = a.map((_, i) => a[i] + a[(i % n) * n + Math.floor(i / n)]);
      const fast = symmetricEigenvalues(s, n);
      const exact = symmetricEigen(s, n).values;
      const scale = Math.max(...exact.map(Math.abs));
      fast.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(1e-12 * scale));
    }
  });

  it('rejects a matrix of the wrong size naming the function', () => {
    expectThrows(() => symmetricEigenvalues([1, 2, 3], 2), RangeError, 'symmetricEigenvalues: matrix has 3 values, expected 2×2');
  });
});

describe.each(['f32', 'f64'] as const)('gramSpectrum on %s tensors', (dtype) => {
  it('gives the singular values, ranks and σ₂/σ₁ of rankDiagnostics', () => {
    const rows = 60;
    const cols = 9;
    // Rank 4: a product of 60×4 and 4×9 factors, plus an offset row mean that the centered
    // Gram must add back.
    const u = randomMatrix(rows, 4, 1);
    const v = randomMatrix(4, cols, 2);
    const x = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) for (let k = 0; k < 4; k++) x[r * cols + c] += u[r * 4 + k] * v[k * cols + c];
    const values = dtype === 'f32' ? Float64Array.from(Float32Array.from(x)) : x;
    const fast = tidy(() => gramSpectrum(featureMoments(Tensor.from(values, [rows, cols], { dtype }), { gram: true })));
    const exact = rankDiagnostics(values, rows, cols);
    expect(fast.numericalRank).toBe(4);
    expect(exact.numericalRank).toBe(4);
    for (let i = 0; i < 4; i++) expect(Math.abs(fast.singularValues[i] - exact.singularValues[i])).toBeLessThan(1e-10 * exact.singularValues[0]);
    expect(fast.sigmaRatio).toBeCloseTo(exact.sigmaRatio, 10);
    expect(fast.effectiveRank).toBeCloseTo(exact.effectiveRank, 5);
  });

  it('gives an orthogonal matrix effective rank equal to its size', () => {
    const n = 16;
    const q = orthogonal(n, n, new Rng(4));
    const r = tidy(() => gramSpectrum(featureMoments(Tensor.from(q, [n, n], { dtype }), { gram: true })));
    expect(r.numericalRank).toBe(n);
    expect(r.effectiveRank).toBeCloseTo(n, dtype === 'f32' ? 5 : 10);
    expect(r.sigmaRatio).toBeCloseTo(1, dtype === 'f32' ? 6 : 12);
  });
});

describe.each(['f32', 'f64'] as const)('dirichletEnergy on %s tensors', (dtype) => {
  it('equals tr(Xᵀ(I − P)X) with P the gcn operator with self loops (undirected graph)', () => {
    const n = 40;
    const cols = 5;
    const edges = undirectedEdges(n, 70, 9);
    const raw = randomMatrix(n, cols, 8);
    const x = dtype === 'f32' ? Float64Array.from(Float32Array.from(raw)) : raw;
    const ref = referenceDirichlet(x, denseOperator(edges, n, 'gcn'), n, cols);
    tidy(() => {
      using graph = Graph.fromEdgeIndex(edges, { numNodes: n });
      const e = dirichletEnergy(Tensor.from(x, [n, cols], { dtype }), graph);
      expect(Math.abs(e.energy - ref)).toBeLessThan(1e-11 * ref);
      let sq = 0;
      for (const v of x) sq += v * v;
      expect(Math.abs(e.normalized - ref / sq)).toBeLessThan(1e-11 * (ref / sq));
    });
  });

  it('is 0 for a constant signal on a regular graph (a ring)', () => {
    const n = 12;
    const nodes = Array.from({ length: n }, (_, i) => i);
    const next = nodes.map((i) => (i + 1) % n);
    // Both directions of every ring edge: sources [i, i+1], targets [i+1, i].
    const ring = Int32Array.from([...nodes, ...next, ...next, ...nodes]);
    tidy(() => {
      using graph = Graph.fromEdgeIndex(ring, { numNodes: n });
      const e = dirichletEnergy(Tensor.full([n, 3], 1.5, { dtype }), graph);
      expect(e.energy).toBeLessThan(1e-14);
    });
  });

  it('rejects features with the wrong number of rows naming the function and argument', () => {
    tidy(() => {
      using graph = Graph.fromEdgeIndex(Int32Array.from([0, 1, 1, 0]), { numNodes: 2 });
      expectThrows(() => dirichletEnergy(Tensor.zeros([3, 2], { dtype }), graph), RangeError, 'dirichletEnergy: argument x', 'one row per node (2)');
      expectThrows(() => dirichletEnergy(Tensor.zeros([2, 2], { dtype }), 'g' as never), TypeError, 'dirichletEnergy: argument graph must be a Graph');
    });
  });
});

describe('frobeniusNorm', () => {
  it('gives ‖x‖_F and ‖x − y‖_F in float64 for f32 and f64 tensors', () => {
    const a = randomMatrix(30, 20, 1);
    const b = randomMatrix(30, 20, 2);
    for (const dtype of ['f32', 'f64'] as const) {
      const av = dtype === 'f32' ? Float64Array.from(Float32Array.from(a)) : a;
      const bv = dtype === 'f32' ? Float64Array.from(Float32Array.from(b)) : b;
      const ref = Math.sqrt(av.reduce((s, v, i) => s + (v - bv[i]) ** 2, 0));
      tidy(() => {
        const d = frobeniusNorm(Tensor.from(av, [30, 20], { dtype }), Tensor.from(bv, [30, 20], { dtype }));
        expect(Math.abs(d - ref)).toBeLessThan(1e-12 * ref);
      });
    }
  });

  it('rejects a second tensor of another shape naming the op and argument', () => {
    tidy(() => expect(() => frobeniusNorm(Tensor.zeros([2, 2]), Tensor.zeros([4]))).toThrow(/sum_squares: argument y is f32\[4\] but x is f32\[2, 2\]/));
  });
});
