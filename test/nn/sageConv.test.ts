import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Block } from '../../lib/graph/Block.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GINConv } from '../../lib/nn/GINConv.js';
import { SAGEConv } from '../../lib/nn/SAGEConv.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { SparseFeatures } from '../../lib/tensor/SparseFeatures.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectFathom, expectThrows } from '../helpers/apiFixtures.js';
import { randomInput, centralDifferences, relativeError } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const CUDA = devices().cuda.available;
// Forward in f64 against the float64 reference: means of ≤ ~10 rows and products of width ≤ 12
// round to ~1e-15 relative; 1e-12 still catches any wrong or missing term.
const FWD_TOL = 1e-12;
// Central differences in f64 with h = 1e-6: truncation O(h²) ≈ 1e-12, rounding ≈ 1e-16·|L|/h ≈
// 1e-9 relative; the layer is linear in every input, so the project's bound of 1e-6 has margin.
const GRAD_TOL = 1e-6;

const values = (t: Tensor) => Float64Array.from(t.toArray());

/** out_i = W_l · mean_{j→i} x_j + b + W_r · x_i for targets i < T, in plain float64 (PyG's SAGEConv). */
function reference(
  x: Float64Array,
  inC: number,
  edges: Int32Array,
  T: number,
  wl: Float64Array,
  b: Float64Array | null,
  wr: Float64Array,
  outC: number,
): Float64Array {
  const E = edges.length / 2;
  const agg = new Float64Array(T * inC);
  const deg = new Float64Array(T);
  for (let e = 0; e < E; e++) {
    const [s, t] = [edges[e], edges[E + e]];
    deg[t] += 1;
    for (let c = 0; c < inC; c++) agg[t * inC + c] += x[s * inC + c];
  }
  const out = new Float64Array(T * outC);
  for (let i = 0; i < T; i++) {
    for (let o = 0; o < outC; o++) {
      let v = b ? b[o] : 0;
      for (let c = 0; c < inC; c++) {
        const mean = deg[i] > 0 ? agg[i * inC + c] / deg[i] : 0;
        v += wl[o * inC + c] * mean + wr[o * inC + c] * x[i * inC + c];
      }
      out[i * outC + o] = v;
    }
  }
  return out;
}

function expectMatchesReference(conv: SAGEConv, x: Float64Array, edges: Int32Array, on: Graph | Block, rows: number, targets: number): void {
  const got = tidy(() => values(conv.forward(Tensor.from(x, [rows, conv.inChannels]), on)));
  const want = reference(
    x,
    conv.inChannels,
    edges,
    targets,
    values(conv.linL.weight),
    conv.linL.bias ? values(conv.linL.bias) : null,
    values(conv.linR!.weight),
    conv.outChannels,
  );
  expect(got.length).toBe(targets * conv.outChannels);
  expect(maxRelDiff(got, want)).toBeLessThan(FWD_TOL);
}

/** A bipartite block: 12 sources, the first 5 the targets; target 4 has no edge, one edge repeats. */
function blockEdges(): Int32Array {
  const src = [5, 6, 0, 7, 1, 8, 9, 11, 10, 2, 3, 6, 6];
  const dst = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1];
  return Int32Array.from([...src, ...dst]);
}

/** Relative errors of dL/dx and dL/dparameter (L = Σ conv(x) ⊙ R) against central differences. */
function layerGradcheck(conv: SAGEConv, on: Graph | Block, rows: number, xv: Float64Array, h = 1e-6): Record<string, number> {
  const targets = on instanceof Block ? on.numTargets : on.numNodes;
  const r = randomInput(new Rng(99), [targets, conv.outChannels]).values;
  const loss = () =>
    noGrad(() =>
      tidy(() => {
        const out = conv.forward(Tensor.from(xv, [rows, conv.inChannels]), on).toArray();
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
    const x = Tensor.from(xv, [rows, conv.inChannels]);
    x.requiresGrad = true;
    backward(conv.forward(x, on), Tensor.from(r, [targets, conv.outChannels]));
    return { x: values(x.grad!), ...Object.fromEntries(named.map(([n, p]) => [n, values(p.grad!)])) } as Record<string, Float64Array>;
  });
  const numeric = (v: Float64Array, set: () => void) => centralDifferences(v, set, loss, h);
  const relErr = relativeError;
  const out: Record<string, number> = {
    x: relErr(
      analytic.x,
      numeric(xv, () => {}),
    ),
  };
  for (const [name, p] of named) {
    const v = values(p);
    out[name] = relErr(
      analytic[name],
      numeric(v, () => tidy(() => p.assign(Tensor.from(v, [...p.shape])))),
    );
  }
  return out;
}

describe('SAGEConv', () => {
  const N = 20;
  const edges = randomEdgeIndex(N, 60, 5);

  it.each([
    ['aggregates the input first when it is narrower', 3, 7],
    ['transforms first when the output is narrower', 9, 2],
  ])('matches the float64 reference on a full graph: %s', (_, inC, outC) => {
    using graph = Graph.fromEdgeIndex(edges, { numNodes: N });
    using conv = new SAGEConv(inC, outC, { dtype: 'f64', seed: 1 });
    expectMatchesReference(conv, randomInput(new Rng(2), [N, inC]).values, edges, graph, N, N);
  });

  it.each([
    ['aggregating first', 3, 6],
    ['transforming first', 8, 2],
  ])('matches the reference on a bipartite block (%s): one row per target, isolated targets get lin_r(x_i) + b', (_, inC, outC) => {
    const e = blockEdges();
    using block = Block.fromEdgeIndex(e, { numSources: 12, numTargets: 5 });
    using conv = new SAGEConv(inC, outC, { dtype: 'f64', seed: 3 });
    expectMatchesReference(conv, randomInput(new Rng(4), [12, inC]).values, e, block, 12, 5);
  });

  it('takes sparse input features on a block and gives the dense result', () => {
    const e = blockEdges();
    using block = Block.fromEdgeIndex(e, { numSources: 12, numTargets: 5 });
    using conv = new SAGEConv(6, 4, { dtype: 'f64', seed: 3 });
    const xv = randomInput(new Rng(6), [12, 6]).values.map((v, i) => (i % 3 === 0 ? v : 0));
    const [dense, sparse] = tidy(() => {
      const x = Tensor.from(xv, [12, 6]);
      using xs = SparseFeatures.fromDense(x);
      return [values(conv.forward(x, block)), values(conv.forward(xs, block))];
    });
    expect(maxRelDiff(sparse, dense)).toBeLessThan(FWD_TOL);
  });

  it('has gradients of x, lin_l and lin_r that match central differences on a graph and on a block', () => {
    using graph = Graph.fromEdgeIndex(edges, { numNodes: N });
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: 12, numTargets: 5 });
    using conv = new SAGEConv(4, 3, { dtype: 'f64', seed: 7 });
    for (const [on, rows] of [
      [graph, N],
      [block, 12],
    ] as const) {
      const errs = layerGradcheck(conv, on, rows, randomInput(new Rng(8), [rows, 4]).values);
      expect(Object.keys(errs).sort()).toEqual(['lin_l.bias', 'lin_l.weight', 'lin_r.weight', 'x']);
      for (const [name, err] of Object.entries(errs)) expect(err, name).toBeLessThan(GRAD_TOL);
    }
  });

  it('drops the root term with rootWeight false and the bias with bias false', () => {
    using graph = Graph.fromEdgeIndex(edges, { numNodes: N });
    using conv = new SAGEConv(3, 2, { dtype: 'f64', rootWeight: false, bias: false, seed: 1 });
    expect(conv.linR).toBeNull();
    expect(conv.namedParameters().map(([n]) => n)).toEqual(['lin_l.weight']);
    const xv = randomInput(new Rng(2), [N, 3]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(xv, [N, 3]), graph)));
    const want = reference(xv, 3, edges, N, values(conv.linL.weight), null, new Float64Array(6), 2);
    expect(maxRelDiff(got, want)).toBeLessThan(FWD_TOL);
  });

  it('refuses x with a row per target instead of per source, naming the block sources', () => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: 12, numTargets: 5 });
    using conv = new SAGEConv(3, 2, { seed: 1 });
    using x = Tensor.zeros([5, 3]);
    expectFathom(() => conv.forward(x, block), 'SHAPE', 'SAGEConv.forward', '[12, 3]', 'block sources');
  });

  it('is refused a block by a layer that runs on full graphs only', () => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: 12, numTargets: 5 });
    using conv = new GINConv(3, 2, { seed: 1 });
    using x = Tensor.zeros([12, 3]);
    expect(conv.acceptsBlocks).toBe(false);
    expectThrows(() => conv.forward(x, block), TypeError, 'GINConv.forward', 'Block', 'full Graph only');
  });

  it('rejects bad options with the option named', () => {
    expectThrows(() => new SAGEConv(3, 2, { rootWeight: 'yes' as unknown as boolean }), TypeError, 'SAGEConv', 'rootWeight');
    expectThrows(() => new SAGEConv(0, 2), RangeError, 'SAGEConv', 'inChannels');
  });

  it.skipIf(!CUDA)('gives the CPU result on CUDA for a block', () => {
    const e = blockEdges();
    using block = Block.fromEdgeIndex(e, { numSources: 12, numTargets: 5 });
    using cpu = new SAGEConv(5, 4, { seed: 3 });
    using gpu = new SAGEConv(5, 4, { seed: 3, device: 'cuda' });
    const xv = Float32Array.from(randomInput(new Rng(4), [12, 5]).values);
    const [a, b] = tidy(() => [
      values(cpu.forward(Tensor.from(xv, [12, 5]), block)),
      values(gpu.forward(Tensor.from(xv, [12, 5], { device: 'cuda' }), block).to('cpu')),
    ]);
    // f32 sums of ≤ 4 terms in another order: a few ulps of values of size ~1.
    expect(maxRelDiff(a, b)).toBeLessThan(1e-5);
  });
});

describe('Block', () => {
  it('rejects indices out of range and more targets than sources, naming the argument', () => {
    expectFathom(() => Block.fromEdgeIndex(Int32Array.from([12, 0]), { numSources: 12, numTargets: 5 }), 'RANGE', 'edgeIndex[0, 0] = 12', 'numSources = 12');
    expectFathom(() => Block.fromEdgeIndex(Int32Array.from([0, 5]), { numSources: 12, numTargets: 5 }), 'RANGE', 'edgeIndex[1, 0] = 5', 'numTargets = 5');
    expectThrows(() => Block.fromEdgeIndex(new Int32Array(0), { numSources: 2, numTargets: 3 }), RangeError, 'numTargets 3 exceeds numSources 2');
  });
});
