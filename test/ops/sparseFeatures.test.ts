import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import type { GraphData } from '../../lib/data/types.js';
import { dropout } from '../../lib/functional/dropout.js';
import { matmul } from '../../lib/functional/matmul.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { ResGCN } from '../../lib/models/ResGCN.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { SparseFeatures } from '../../lib/tensor/SparseFeatures.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { memory } from '../../lib/runtime/devices.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

// The sparse path sums the same products as the dense GEMM in another order: in float64 the
// two agree to a few ulps of the largest partial sum, far below 1e-12 for O(1) values.
const F64_TOL = 1e-12;

/** [rows, cols] values with about `density` of them nonzero (the rest exactly 0). */
function sparseValues(rng: Rng, rows: number, cols: number, density: number): Float64Array {
  const v = new Float64Array(rows * cols);
  for (let i = 0; i < v.length; i++) if (rng.nextFloat() < density) v[i] = rng.nextFloat() * 2 - 1;
  return v;
}

describe('SparseFeatures', () => {
  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('matmul with transA=%s transB=%s equals the dense product and its b-gradient in float64', (transA, transB) => {
    const rng = new Rng(7);
    const [n, f, out] = [23, 17, 5];
    const xv = sparseValues(rng, n, f, 0.15);
    tidy(() => {
      const x = Tensor.from(xv, [n, f]);
      using xs = SparseFeatures.fromDense(x);
      expect(xs.nnz).toBe(xv.filter((v) => v !== 0).length);
      const bShape = transA ? (transB ? [out, n] : [n, out]) : transB ? [out, f] : [f, out];
      const bv = randomInput(rng, bShape).values;
      const results = [x, xs].map((a) => {
        const b = Tensor.from(bv, bShape);
        b.requiresGrad = true;
        const c = matmul(a, b, { transA, transB });
        const seed = Tensor.from(
          Float64Array.from({ length: c.numel }, (_, i) => Math.sin(i)),
          c.shape,
        );
        backward(c, seed);
        return { c: c.toArray(), g: b.grad!.toArray(), shape: c.shape };
      });
      expect(results[1].shape).toEqual(results[0].shape);
      expect(maxRelDiff(results[1].c, results[0].c)).toBeLessThan(F64_TOL);
      expect(maxRelDiff(results[1].g, results[0].g)).toBeLessThan(F64_TOL);
    });
  });

  it("matmul's gradient with respect to the dense operand matches central finite differences", () => {
    const rng = new Rng(11);
    const x = Tensor.from(sparseValues(rng, 9, 7, 0.3), [9, 7]);
    using xs = SparseFeatures.fromDense(x);
    const w = randomInput(rng, [4, 7]);
    const errs = gradcheck(([b]) => matmul(xs, b, { transB: true }), [w]);
    expect(errs[0]).toBeLessThan(1e-6);
    x.dispose();
  });

  it.each(['f32', 'f64'] as const)('dropout gives the values of dense dropout at the same seed (%s), bit for bit', (dtype) => {
    const rng = new Rng(3);
    const xv = sparseValues(rng, 31, 29, 0.2);
    tidy(() => {
      const x = Tensor.from(dtype === 'f32' ? Float32Array.from(xv) : xv, [31, 29]);
      using xs = SparseFeatures.fromDense(x);
      const dense = dropout(x, 0.4, { seed: 1234, training: true });
      const sparse = dropout(xs, 0.4, { seed: 1234, training: true });
      expect(sparse).toBeInstanceOf(SparseFeatures);
      expect(Array.from(sparse.toDense().toArray())).toEqual(Array.from(dense.toArray()));
      // The transposed values (used by the weight gradient) carry the same mask.
      const eye = Tensor.from(
        dtype === 'f32' ? new Float32Array(31 * 31).map((_, i) => (i % 32 === 0 ? 1 : 0)) : new Float64Array(31 * 31).map((_, i) => (i % 32 === 0 ? 1 : 0)),
        [31, 31],
      );
      expect(Array.from(matmul(sparse, eye, { transA: true }).toArray())).toEqual(Array.from(matmul(dense, eye, { transA: true }).toArray()));
      expect(dropout(xs, 0.4, { seed: 1, training: false })).toBe(xs);
    });
  });

  it('rejects operands that do not fit, naming the shapes', () => {
    const x = Tensor.from(new Float64Array([1, 0, 0, 2, 0, 0]), [2, 3]);
    using xs = SparseFeatures.fromDense(x);
    const w = Tensor.from(new Float64Array(8), [2, 4]);
    const w32 = Tensor.from(new Float32Array(12), [3, 4]);
    expectFathom(() => matmul(xs, w), 'SHAPE', 'matmul', 'inner dimensions', /sparse f64\[2, 3\]/, 'f64[2, 4]');
    expectFathom(() => matmul(xs, w32), 'TYPE', 'matmul', 'argument b is f32[3, 4]', 'sparse f64[2, 3]');
    expectFathom(() => matmul(xs, w, { transB: true }), 'SHAPE', 'transB=true');
    const v = Tensor.from(new Float64Array(3), [3]);
    expectFathom(() => matmul(xs, v), 'SHAPE', 'matmul', 'argument b must be 2-D', 'f64[3]');
    v.dispose();
    expect(() => SparseFeatures.fromDense(Tensor.from(new Float64Array(3), [3]))).toThrow(RangeError);
    for (const t of [x, w, w32]) t.dispose();
    tidy(() => {
      // The nonzeros were copied: the source may go, the features may not.
      const w3 = Tensor.from(new Float64Array(12).fill(1), [3, 4]);
      expect(Array.from(matmul(xs, w3).toArray())).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
      xs.dispose();
      expect(() => matmul(xs, w3)).toThrow(/disposed/);
      expect(() => xs.toDense()).toThrow(/disposed/);
    });
  });
});

describe('models trained on sparse features match the dense path', () => {
  const n = 40;
  const f = 60;
  const rng = new Rng(5);
  const x = Float32Array.from(sparseValues(rng, n, f, 0.05));
  const mask = Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const data: GraphData = {
    name: 'sparse-test',
    numNodes: n,
    numEdges: 120,
    numFeatures: f,
    numClasses: 3,
    edgeIndex: randomEdgeIndex(n, 120, 9),
    x,
    y: Int32Array.from({ length: n }, (_, i) => i % 3),
    trainMask: mask,
    valMask: mask,
    testMask: mask,
  };

  it.each([
    ['GCN', () => new GCN({ inChannels: f, hiddenChannels: 8, outChannels: 3, seed: 1, dtype: 'f64' })],
    ['ResGCN', () => new ResGCN({ inChannels: f, hiddenChannels: 8, outChannels: 3, numLayers: 3, seed: 1, dtype: 'f64' })],
    ['GAT', () => new GAT({ inChannels: f, hiddenChannels: 4, heads: 2, outChannels: 3, seed: 1, dtype: 'f64' })],
  ] as [string, () => NodeModel][])('%s: logits and weight gradients with dropout on agree in float64', (_name, make) => {
    using sparseData = NodeData.from(data, { dtype: 'f64', sparseFeatures: true });
    using denseData = NodeData.from(data, { dtype: 'f64', sparseFeatures: false });
    expect(sparseData.features).toBeInstanceOf(SparseFeatures);
    expect(denseData.features).toBe(denseData.x);
    const run = (d: NodeData) => {
      using model = make();
      model.train();
      return tidy(() => {
        const logits = model.forward(d.features, d.graph);
        backward(
          logits,
          Tensor.from(
            Float64Array.from({ length: logits.numel }, (_, i) => Math.cos(i)),
            logits.shape,
          ),
        );
        return { logits: logits.toArray(), grads: model.parameters().map((p) => p.grad!.toArray()) };
      });
    };
    const s = run(sparseData);
    const d = run(denseData);
    expect(maxRelDiff(s.logits, d.logits)).toBeLessThan(F64_TOL);
    s.grads.forEach((g, i) => expect(maxRelDiff(g, d.grads[i])).toBeLessThan(F64_TOL));
  });

  it("'auto' keeps a sparse copy only of features at most 10 % nonzero", () => {
    using sparse = NodeData.from(data, { dtype: 'f64' });
    expect(sparse.sparseX?.density).toBeLessThan(0.1);
    using dense = NodeData.from({ ...data, x: new Float32Array(n * f).fill(1) });
    expect(dense.sparseX).toBeNull();
    expect(() => NodeData.from(data, { sparseFeatures: 'yes' as never })).toThrow(TypeError);
  });

  it('holds sparse features once, as nonzeros, and rebuilds the dense x only when asked', () => {
    const before = memory().cpu.bytes;
    using sparse = NodeData.from(data);
    const held = memory().cpu.bytes - before;
    // Graph, labels, masks and the two CSRs: far below the dense f32 matrix's n·f·4 bytes.
    expect(held).toBeLessThan(n * f * 4);
    expect(Array.from(sparse.x.toArray())).toEqual(Array.from(x));
    expect(sparse.x).toBe(sparse.x);
    expect(sparse.numFeatures).toBe(f);
  });
});
