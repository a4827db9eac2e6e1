import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { sum } from '../../lib/functional/reduce.js';
import { memory } from '../../lib/runtime/devices.js';
import { edgeSoftmax } from '../../lib/functional/edgeSoftmax.js';
import { propagateWeighted } from '../../lib/functional/propagateWeighted.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// docs/methods.md §5: backward vs central finite differences in f64, relative error < 1e-6
// (truncation O(h²) ≈ 1e-12, rounding O(ε/h) ≈ 1e-10 with h = 1e-6).
const TOL = 1e-6;
const N = 9;
const edges = randomEdgeIndex(N, 24, 7);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
afterAll(() => graph.dispose());

/** Row pointers and columns of an operator, from its native arrays (CSR by target). */
function csrOf(kind: 'sum' | 'gin' | 'mean' | 'gcn'): { rowptr: Int32Array; col: Int32Array; values?: Float64Array } {
  const a = graph.operator(kind, { dtype: 'f64' }).forward('test').arrays();
  const out = { rowptr: a.rowptr.toArray() as Int32Array, col: a.col.toArray() as Int32Array, values: a.values?.toArray() as Float64Array | undefined };
  a.rowptr.dispose();
  a.col.dispose();
  a.perm.dispose();
  a.values?.dispose();
  return out;
}

/** Plain TS edge softmax over CSR rows, heads interleaved (entry k, head h at k·H + h). */
function softmaxReference(rowptr: Int32Array, logits: Float64Array, H: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r + 1 < rowptr.length; r++) {
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let k = rowptr[r]; k < rowptr[r + 1]; k++) s += Math.exp(logits[k * H + h]);
      for (let k = rowptr[r]; k < rowptr[r + 1]; k++) out[k * H + h] = Math.exp(logits[k * H + h]) / s;
    }
  }
  return out;
}

describe('edge softmax', () => {
  const rng = new Rng(11);
  it.each([1, 3])('matches a plain softmax over each row with %i head(s)', (H) => {
    const op = graph.operator('gin', { dtype: 'f64' });
    const { rowptr } = csrOf('gin');
    const logits = randomInput(rng, H === 1 ? [op.nnz] : [op.nnz, H], 0, 3).values;
    using t = Tensor.from(logits, H === 1 ? [op.nnz] : [op.nnz, H]);
    using alpha = edgeSoftmax(op, t);
    const got = alpha.toArray();
    const want = softmaxReference(rowptr, logits, H);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 14);
  });

  it('stays finite and exact for logits near the f64 exp overflow thanks to the max subtraction', () => {
    const op = graph.operator('gin', { dtype: 'f64' });
    const { rowptr } = csrOf('gin');
    const logits = new Float64Array(op.nnz).map((_, k) => 800 + (k % 3));
    using alpha = edgeSoftmax(op, Tensor.from(logits, [op.nnz]));
    const got = alpha.toArray();
    const want = softmaxReference(
      rowptr,
      logits.map((v) => v - 800),
      1,
    );
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 14);
  });

  it.each([1, 2])('has a backward that matches finite differences in f64 with %i head(s)', (H) => {
    const op = graph.operator('gin', { dtype: 'f64' });
    const shape = H === 1 ? [op.nnz] : [op.nnz, H];
    const [err] = gradcheck(([l]) => edgeSoftmax(op, l), [randomInput(rng, shape)]);
    expect(err).toBeLessThan(TOL);
  });

  it('in f32 agrees with f64 to f32 rounding', () => {
    const op64 = graph.operator('gin', { dtype: 'f64' });
    const op32 = graph.operator('gin', { dtype: 'f32' });
    const logits = randomInput(rng, [op64.nnz], 0, 2).values;
    using a64 = edgeSoftmax(op64, Tensor.from(logits, [op64.nnz]));
    using a32 = edgeSoftmax(op32, Tensor.from(Float32Array.from(logits), [op32.nnz]));
    const x = a64.toArray();
    const y = a32.toArray();
    // Weights are in (0, 1]; a handful of f32 operations each round by 2^-24 ≈ 6e-8.
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-6);
  });

  it('rejects logits whose length is not the operator nnz, naming the shapes', () => {
    const op = graph.operator('gin', { dtype: 'f64' });
    using bad = Tensor.from(new Float64Array(op.nnz + 1), [op.nnz + 1]);
    expectFathom(() => edgeSoftmax(op, bad), 'SHAPE', /edgeSoftmax: argument logits is f64\[\d+\]/, 'one row per entry');
  });
});

describe('propagateWeighted', () => {
  const rng = new Rng(12);
  const F = 3;

  it('equals a dense weighted adjacency times x, with values in CSR entry order', () => {
    const op = graph.operator('sum', { dtype: 'f64' });
    const { rowptr, col } = csrOf('sum');
    const w = randomInput(rng, [op.nnz]).values;
    const x = randomInput(rng, [N, F]).values;
    using out = propagateWeighted(op, Tensor.from(x, [N, F]), Tensor.from(w, [op.nnz]));
    const got = out.toArray();
    const dense = new Float64Array(N * N);
    for (let r = 0; r < N; r++) for (let k = rowptr[r]; k < rowptr[r + 1]; k++) dense[r * N + col[k]] += w[k];
    for (let i = 0; i < N; i++) {
      for (let f = 0; f < F; f++) {
        let want = 0;
        for (let j = 0; j < N; j++) want += dense[i * N + j] * x[j * F + f];
        expect(got[i * F + f]).toBeCloseTo(want, 13);
      }
    }
  });

  it('with the operator own values reproduces the mean operator', () => {
    const op = graph.operator('mean', { dtype: 'f64' });
    const { values } = csrOf('mean');
    const x = randomInput(rng, [N, F]).values;
    using a = propagateWeighted(op, Tensor.from(x, [N, F]), Tensor.from(values!, [op.nnz]));
    const want = new Float64Array(N * F);
    const { rowptr, col } = csrOf('mean');
    for (let r = 0; r < N; r++) for (let k = rowptr[r]; k < rowptr[r + 1]; k++) for (let f = 0; f < F; f++) want[r * F + f] += values![k] * x[col[k] * F + f];
    const got = a.toArray();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 14);
  });

  it.each(['sum', 'gin', 'mean'] as const)('has gradients w.r.t. x and the edge values that match finite differences (%s pattern)', (kind) => {
    const op = graph.operator(kind, { dtype: 'f64' });
    const errs = gradcheck(([x, w]) => propagateWeighted(op, x, w), [randomInput(rng, [N, F]), randomInput(rng, [op.nnz])]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });

  it('frees every intermediate of its forward and backward inside tidy()', () => {
    const op = graph.operator('sum', { dtype: 'f64' });
    const step = () =>
      tidy(() => {
        const x = Tensor.from(randomInput(rng, [N, F]).values, [N, F]);
        const w = Tensor.from(randomInput(rng, [op.nnz]).values, [op.nnz]);
        x.requiresGrad = true;
        w.requiresGrad = true;
        backward(sum(propagateWeighted(op, x, edgeSoftmax(op, w))));
        x.grad?.dispose();
        w.grad?.dispose();
      });
    step(); // builds the operator's cached transpose index once
    const before = memory().cpu.tensors;
    step();
    expect(memory().cpu.tensors).toBe(before);
  });

  it('rejects edge values of the wrong length or dtype', () => {
    const op = graph.operator('sum', { dtype: 'f64' });
    using x = Tensor.from(new Float64Array(N * F), [N, F]);
    using short = Tensor.from(new Float64Array(op.nnz - 1), [op.nnz - 1]);
    using f32 = Tensor.from(new Float32Array(op.nnz), [op.nnz]);
    expectFathom(() => propagateWeighted(op, x, short), 'SHAPE', /propagateWeighted: argument edgeValues is f64\[\d+\].* needs \[\d+\]/);
    expectFathom(() => propagateWeighted(op, x, f32), 'TYPE', 'propagateWeighted', 'argument edgeValues is f32');
  });
});
