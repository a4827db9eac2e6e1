import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { biasAdd } from '../../lib/functional/biasAdd.js';
import { propagate } from '../../lib/functional/propagate.js';
import { propagateBiasAct, type FusedActivation } from '../../lib/functional/propagateBiasAct.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectFathom, expectThrows } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

// f64: the kernel and the reference sum the same terms in double, differing only by
// reassociation (≈ K·ε ≈ 1e-14 for these degrees), so 1e-12. f32: inputs are rounded to f32
// (ε ≈ 6e-8) and each output sums ≤ ~15 terms of size ≤ 1, so ≈ 1e-6 relative to the largest
// value; 2e-5 leaves room without hiding a wrong term (which would be O(1e-1)).
const TOL: Record<DType, number> = { f64: 1e-12, f32: 2e-5 } as Record<DType, number>;

type Kind = 'gcn' | 'mean' | 'sum';

interface Case {
  n: number;
  f: number;
  kind: Kind;
  t: number;
  bias: boolean;
  act: FusedActivation;
}

/** The fused layer and its gradients from the definition, in float64 on dense matrices. */
function reference(p: Float64Array, x: Float64Array, b: Float64Array | null, g: Float64Array, c: Case) {
  const { n, f, t } = c;
  const y = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += p[i * n + k] * x[k * f + j];
      let v = t * s + (1 - t) * x[i * f + j] + (b ? b[j] : 0);
      if (c.act === 'relu') v = Math.max(v, 0);
      y[i * f + j] = v;
    }
  }
  const gm = g.map((v, i) => (c.act === 'relu' && !(y[i] > 0) ? 0 : v));
  const db = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) db[j] += gm[i * f + j];
  const dx = new Float64Array(n * f);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < f; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += p[i * n + k] * gm[i * f + j];
      dx[k * f + j] = t * s + (1 - t) * gm[k * f + j];
    }
  }
  return { y, dx, db };
}

const CASES: Case[] = [
  { n: 20, f: 5, kind: 'gcn', t: 1, bias: true, act: 'relu' },
  { n: 20, f: 5, kind: 'gcn', t: 1, bias: false, act: 'none' },
  { n: 25, f: 37, kind: 'mean', t: 0.6, bias: true, act: 'relu' },
  { n: 25, f: 37, kind: 'mean', t: 0.6, bias: false, act: 'relu' },
  { n: 18, f: 70, kind: 'sum', t: 0.3, bias: true, act: 'none' },
  { n: 18, f: 70, kind: 'gcn', t: 0.8, bias: true, act: 'relu' },
];

describe('propagateBiasAct', () => {
  it.each(
    CASES.flatMap((c, i) => (['f64', 'f32'] as DType[]).map((dtype) => [`${c.kind} F=${c.f} t=${c.t} bias=${c.bias} act=${c.act}`, dtype, c, i] as const)),
  )('matches the float64 reference, forward and gradients, for %s in %s', (_label, dtype, c, i) => {
    const rng = new Rng(100 + i);
    const ei = randomEdgeIndex(c.n, 3 * c.n, 200 + i);
    using graph = Graph.fromEdgeIndex(ei, { numNodes: c.n });
    const p = denseOperator(ei, c.n, c.kind);
    // Values are rounded to the tested dtype first, so both sides start from the same numbers.
    const round = (v: Float64Array) => (dtype === 'f32' ? Float64Array.from(Float32Array.from(v)) : v);
    const x = round(randomInput(rng, [c.n, c.f]).values);
    const b = c.bias ? round(randomInput(rng, [c.f]).values) : null;
    const g = round(randomInput(rng, [c.n, c.f]).values);
    const want = reference(p, x, b, g, c);
    tidy(() => {
      const xt = Tensor.from(x, [c.n, c.f], { dtype });
      xt.requiresGrad = true;
      const bt = b ? Tensor.from(b, [c.f], { dtype }) : null;
      if (bt) bt.requiresGrad = true;
      const op = graph.operator(c.kind, { dtype });
      const y = propagateBiasAct(op, xt, { alpha: c.t, selfScale: 1 - c.t, bias: bt, activation: c.act });
      expect(maxRelDiff(y.toArray(), want.y)).toBeLessThan(TOL[dtype]);
      backward(y, Tensor.from(g, [c.n, c.f], { dtype }));
      expect(maxRelDiff(xt.grad!.toArray(), want.dx)).toBeLessThan(TOL[dtype]);
      if (bt) expect(maxRelDiff(bt.grad!.toArray(), want.db)).toBeLessThan(TOL[dtype]);
    });
  });

  // Same bound as test/autograd/gradcheck.test.ts: h = 1e-6 gives O(h²) truncation and O(ε/h)
  // rounding error, far below 1e-6 for a correct backward. The fixed inputs keep every
  // pre-activation away from the ReLU's kink by more than h.
  it.each([
    ['relu', 1],
    ['relu', 0.5],
    ['none', 0.7],
  ] as const)('has gradients that match central finite differences (act %s, t = %s)', (act, t) => {
    const n = 10;
    const f = 3;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 25, 31), { numNodes: n });
    const rng = new Rng(32);
    const errs = gradcheck(
      ([x, b]) => propagateBiasAct(graph.operator('mean', { dtype: 'f64' }), x, { alpha: t, selfScale: 1 - t, bias: b, activation: act }),
      [randomInput(rng, [n, f]), randomInput(rng, [f])],
    );
    for (const e of errs) expect(e).toBeLessThan(1e-6);
  });

  it.each(['f32', 'f64'] as DType[])('equals relu(biasAdd(propagate)) to the bit, forward and gradients, in %s', (dtype) => {
    const n = 300;
    const f = 45;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 2000, 41), { numNodes: n });
    const rng = new Rng(42);
    const x0 = randomInput(rng, [n, f]).values;
    const b0 = randomInput(rng, [f]).values;
    const g0 = randomInput(rng, [n, f]).values;
    const run = (fused: boolean) =>
      tidy(() => {
        const x = Tensor.from(x0, [n, f], { dtype });
        const b = Tensor.from(b0, [f], { dtype });
        x.requiresGrad = true;
        b.requiresGrad = true;
        const op = graph.operator('gcn', { dtype });
        const p = { alpha: 0.9, selfScale: 0.1 };
        const y = fused ? propagateBiasAct(op, x, { ...p, bias: b, activation: 'relu' }) : relu(biasAdd(propagate(op, x, p), b));
        backward(y, Tensor.from(g0, [n, f], { dtype }));
        return [y.toArray(), x.grad!.toArray(), b.grad!.toArray()];
      });
    const [fused, plain] = [run(true), run(false)];
    for (let k = 0; k < 3; k++) expect(Array.from(fused[k])).toEqual(Array.from(plain[k]));
  });

  it('rejects bad arguments with errors naming the op, the argument and the shapes', () => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(6, 10, 5), { numNodes: 6 });
    tidy(() => {
      const op = graph.operator('gcn', { dtype: 'f32' });
      const x = Tensor.zeros([6, 4]);
      expectThrows(() => propagateBiasAct(null as never, x), TypeError, 'propagateBiasAct', 'argument op');
      expectThrows(() => propagateBiasAct(op, x, { alpha: '1' as never }), TypeError, 'propagateBiasAct', 'argument alpha must be a number');
      expectFathom(() => propagateBiasAct(op, Tensor.zeros([5, 4])), 'SHAPE', 'propagateBiasAct', 'f32[5, 4]', 'one row per node (6)');
      expectFathom(() => propagateBiasAct(op, Tensor.zeros([24])), 'SHAPE', 'propagateBiasAct', 'argument x', '2-D');
      expectFathom(() => propagateBiasAct(op, x, { bias: Tensor.zeros([3]) }), 'SHAPE', 'propagateBiasAct', 'argument bias is f32[3]', 'f32[6, 4]');
      expectFathom(() => propagateBiasAct(op, x, { bias: Tensor.zeros([4], { dtype: 'f64' }) }), 'TYPE', 'propagateBiasAct', 'argument bias is f64[4]');
      expectFathom(() => propagateBiasAct(op, x, { activation: 'tanh' as never }), 'RANGE', 'propagateBiasAct', 'activation', 'tanh');
      expectFathom(() => propagateBiasAct(op, x, { alpha: Number.NaN }), 'RANGE', 'propagateBiasAct', 'argument alpha');
      expectFathom(() => propagateBiasAct(op, Tensor.zeros([6, 4], { dtype: 'f64' })), 'TYPE', 'propagateBiasAct', 'f64[6, 4]', 'f32 values');
    });
  });
});
