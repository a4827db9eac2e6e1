import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { powerAggregate } from '../../lib/functional/powerAggregate.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectThrows, expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// Tolerances.
// Forward, f64 against the reference: the same terms in double (exp/log for the power against
// Math.pow), ≈ degree·ε relative, amplified by 1/p in the outer power; 1e-12 leaves room without
// hiding a wrong term.
// Gradients, f64 against central differences with h = 1e-6: truncation O(h²) ≈ 1e-12 and
// rounding O(ε·|L|/h) ≈ 1e-10 relative to gradients of order 1; 1e-6 is far above both and far
// below a wrong term (O(1e-2) or more).
// f32 against f64: a few dozen roundings of unit-scale terms per output (log, exp, the sum, the
// outer power), ≈ 1e-6 of the largest value; 1e-5 bounds it.
const TOL_REF = 1e-12;
const TOL_GRAD = 1e-6;
const TOL_F32 = 1e-5;
const EPS = 1e-7;

const N = 9; // randomEdgeIndex leaves nodes 7 and 8 without edges: two empty rows
const EDGES = 24;
const edgeIndex = randomEdgeIndex(N, EDGES, 17);
const E = edgeIndex.length / 2;
const graph = Graph.fromEdgeIndex(edgeIndex, { numNodes: N });
afterAll(() => graph.dispose());

type Kind = 'sum' | 'gin';

/** The messages m_ij[c] of every node i's neighbourhood, from the edge list directly (then the self loop for 'gin'). */
function messages(x: ArrayLike<number>, e: ArrayLike<number> | null, f: number, kind: Kind, eps = EPS): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < N; i++) {
    const row: number[][] = [];
    for (let c = 0; c < f; c++) {
      const m: number[] = [];
      for (let k = 0; k < E; k++) {
        if (edgeIndex[E + k] !== i) continue;
        const z = x[edgeIndex[k] * f + c] + (e ? e[k * f + c] : 0);
        m.push(Math.max(z, 0) + eps);
      }
      if (kind === 'gin') m.push(Math.max(x[i * f + c], 0) + eps);
      row.push(m);
    }
    out.push(row);
  }
  return out;
}

/** out[i, c] = (mean_j m_ij[c]^p)^(1/p) in float64 with Math.pow. */
function reference(x: ArrayLike<number>, e: ArrayLike<number> | null, p: number, f: number, kind: Kind): Float64Array {
  const out = new Float64Array(N * f);
  const msgs = messages(x, e, f, kind);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < f; c++) {
      const m = msgs[i][c];
      if (m.length === 0) continue;
      out[i * f + c] = (m.reduce((a, v) => a + v ** p, 0) / m.length) ** (1 / p);
    }
  }
  return out;
}

/** Moves every x_j + e_ji at least 0.05 from the ReLU's kink, so no finite-difference step straddles it. */
function offKinks(x: Float64Array, e: Float64Array | null, f: number): void {
  for (let k = 0; k < E; k++) {
    for (let c = 0; c < f; c++) {
      if (e) {
        const z = x[edgeIndex[k] * f + c] + e[k * f + c];
        if (Math.abs(z) < 0.05) e[k * f + c] += z >= 0 ? 0.1 : -0.1;
      }
    }
  }
  if (!e) for (let k = 0; k < x.length; k++) if (Math.abs(x[k]) < 0.05) x[k] += x[k] >= 0 ? 0.1 : -0.1;
}

function run(kind: Kind, x: Tensor, e: Tensor | null, p: Tensor, eps?: number): Tensor {
  return powerAggregate(graph.operator(kind, { dtype: x.dtype }), x, e, p, eps === undefined ? {} : { eps });
}

function forward(kind: Kind, x: ArrayLike<number>, e: ArrayLike<number> | null, p: number, f: number, dtype: DType = 'f64'): Float64Array {
  return tidy(() => {
    const xt = Tensor.from(Float64Array.from(x), [N, f], { dtype });
    const et = e ? Tensor.from(Float64Array.from(e), [E, f], { dtype }) : null;
    return Float64Array.from(run(kind, xt, et, Tensor.from(new Float64Array([p]), [1], { dtype })).toArray());
  });
}

describe('powerAggregate forward equals a plain-TypeScript float64 reference', () => {
  const F = 5;
  const rng = new Rng(1);
  const x = randomInput(rng, [N, F]).values;
  const e = randomInput(rng, [E, F]).values;
  const cases = [
    { label: "'sum' without edge features", kind: 'sum' as Kind, withE: false },
    { label: "'sum' with edge features", kind: 'sum' as Kind, withE: true },
    { label: "'gin' (a self loop per node) without edge features", kind: 'gin' as Kind, withE: false },
  ];
  it.each(cases)('$label', ({ kind, withE }) => {
    // Messages at eps (ReLU'd to 0) make m^p tiny for p > 0 and huge for p < 0; p = −0.5 keeps
    // eps^p = 3e3 within f64's reach and still tests a negative power.
    for (const p of [-0.5, 0.5, 1, 2.7, 8]) {
      const got = forward(kind, x, withE ? e : null, p, F);
      expect(maxRelDiff(got, reference(x, withE ? e : null, p, F, kind))).toBeLessThan(TOL_REF);
    }
  });

  it('nodes without in-edges get 0, p = 1 is the mean and a large p approaches the maximum', () => {
    const msgs = messages(x, e, F, 'sum');
    expect(msgs[7][0]).toHaveLength(0);
    const mean = forward('sum', x, e, 1, F);
    const p64 = forward('sum', x, e, 64, F);
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < F; c++) {
        const m = msgs[i][c];
        if (m.length === 0) {
          expect(mean[i * F + c]).toBe(0);
          continue;
        }
        expect(Math.abs(mean[i * F + c] - m.reduce((a, b) => a + b, 0) / m.length)).toBeLessThan(1e-15);
        // (mean m^p)^(1/p) lies in [max·deg^(−1/p), max]; deg ≤ 24 gives a factor ≥ 0.95 at p = 64.
        const max = Math.max(...m);
        expect(p64[i * F + c]).toBeLessThanOrEqual(max * (1 + 1e-12));
        expect(p64[i * F + c]).toBeGreaterThanOrEqual(max * m.length ** (-1 / 64) * (1 - 1e-12));
      }
    }
  });
});

describe('powerAggregate stays finite where m^p itself would underflow or overflow', () => {
  it.each(['f32', 'f64'] as const)('%s: all messages at eps (x ≤ 0) at p = 60 and p = −60 give eps, with finite gradients', (dtype) => {
    const F = 3;
    // Every message is ReLU(x) + eps = eps: eps^60 = 1e-420 underflows even in f64, eps^−60 overflows.
    const x = Float64Array.from({ length: N * F }, (_, k) => -1 - (k % 5));
    for (const p of [60, -60]) {
      const [out, dx, dp] = tidy(() => {
        const xt = Tensor.from(x, [N, F], { dtype });
        const pt = Tensor.from(new Float64Array([p]), [1], { dtype });
        xt.requiresGrad = true;
        pt.requiresGrad = true;
        const o = run('sum', xt, null, pt);
        backward(o, Tensor.from(new Float64Array(N * F).fill(1), [N, F], { dtype }));
        return [o, xt.grad!, pt.grad!].map((v) => Float64Array.from(v.toArray()));
      });
      for (let i = 0; i < 7 * F; i++) expect(Math.abs(out[i] - EPS) / EPS).toBeLessThan(dtype === 'f32' ? 1e-5 : 1e-12);
      expect([...dx, ...dp].every(Number.isFinite)).toBe(true);
    }
  });
});

describe('powerAggregate backward matches central finite differences in float64', () => {
  const F = 3;
  const cases = [
    { label: "x, edge features and p on 'sum', p = 1", kind: 'sum' as Kind, withE: true, p: 1 },
    { label: "x, edge features and p on 'sum', p = 2.5", kind: 'sum' as Kind, withE: true, p: 2.5 },
    { label: "x, edge features and p on 'sum', p = 0.4", kind: 'sum' as Kind, withE: true, p: 0.4 },
    { label: "x and p on 'sum' without edge features, p = 3", kind: 'sum' as Kind, withE: false, p: 3 },
    { label: "x and p on 'gin', p = 1.5", kind: 'gin' as Kind, withE: false, p: 1.5 },
  ];
  it.each(cases)('$label', ({ kind, withE, p }) => {
    const rng = new Rng(300 + Math.round(10 * p));
    const x = randomInput(rng, [N, F]);
    const e = randomInput(rng, [E, F]);
    offKinks(x.values, withE ? e.values : null, F);
    // 'gin' adds each node's own ReLU(x_i): keep x itself off the kink too.
    if (kind === 'gin') offKinks(x.values, null, F);
    const power = { values: new Float64Array([p]), shape: [1] };
    const inputs = withE ? [x, e, power] : [x, power];
    const errs = gradcheck((ts) => run(kind, ts[0], withE ? ts[1] : null, ts[withE ? 2 : 1]), inputs);
    expect(errs).toHaveLength(inputs.length);
    for (const err of errs) expect(err).toBeLessThan(TOL_GRAD);
  });

  it('gradients come back only for the inputs that need them, with their shapes', () =>
    tidy(() => {
      const rng = new Rng(4);
      const x = Tensor.from(randomInput(rng, [N, F]).values, [N, F]);
      const e = Tensor.from(randomInput(rng, [E, F]).values, [E, F]);
      const p = Tensor.from(new Float64Array([1.5]), [1]);
      p.requiresGrad = true;
      e.requiresGrad = true;
      const out = run('sum', x, e, p);
      backward(out, Tensor.from(new Float64Array(N * F).fill(1), [N, F]));
      expect(x.grad ?? null).toBeNull();
      expect(e.grad!.shape).toEqual([E, F]);
      expect(p.grad!.shape).toEqual([1]);
    }));
});

describe('powerAggregate in float32 agrees with float64', () => {
  it('forward and gradients', () => {
    const F = 6;
    const rng = new Rng(8);
    const x = randomInput(rng, [N, F]).values;
    const e = randomInput(rng, [E, F]).values;
    const g = randomInput(rng, [N, F]).values;
    const result = (dtype: DType) =>
      tidy(() => {
        const xt = Tensor.from(x, [N, F], { dtype });
        const et = Tensor.from(e, [E, F], { dtype });
        const pt = Tensor.from(new Float64Array([1.4]), [1], { dtype });
        for (const v of [xt, et, pt]) v.requiresGrad = true;
        const out = run('sum', xt, et, pt, 1e-3);
        backward(out, Tensor.from(g, [N, F], { dtype }));
        return [out, xt.grad!, et.grad!, pt.grad!].map((v) => Float64Array.from(v.toArray()));
      });
    const [a, b] = [result('f64'), result('f32')];
    for (let k = 0; k < a.length; k++) expect(maxRelDiff(b[k], a[k])).toBeLessThan(TOL_F32);
  });
});

describe('powerAggregate rejects bad input with errors naming the op and the argument', () => {
  const F = 4;
  const x = () => Tensor.from(new Float64Array(N * F), [N, F]);
  const e = () => Tensor.from(new Float64Array(E * F), [E, F]);
  const p = () => Tensor.from(new Float64Array([1]), [1]);
  const op = (kind: 'sum' | 'gin' | 'gcn' = 'sum') => graph.operator(kind, { dtype: 'f64' });

  it('the operator and x', () =>
    tidy(() => {
      expectThrows(() => powerAggregate({} as never, x(), e(), p()), TypeError, 'powerAggregate', 'argument op', 'GraphOperator');
      expectFathom(() => powerAggregate(op('gcn'), x(), null, p()), 'RANGE', 'powerAggregate', 'argument op', "'gcn'");
      expectFathom(() => powerAggregate(op('gin'), x(), e(), p()), 'RANGE', 'powerAggregate', 'argument edgeAttr', "'sum'");
      expectFathom(() => powerAggregate(op(), Tensor.from(new Float64Array(4 * F), [4, F]), null, p()), 'SHAPE', 'powerAggregate', 'argument x', `[4, ${F}]`);
    }));

  it('p and eps', () =>
    tidy(() => {
      expectThrows(() => powerAggregate(op(), x(), e(), 1 as never), TypeError, 'powerAggregate', 'argument p', 'Tensor');
      expectFathom(() => powerAggregate(op(), x(), e(), Tensor.from(new Float64Array(2), [2])), 'SHAPE', 'powerAggregate', 'argument p', '[1]', 'power');
      expectFathom(() => powerAggregate(op(), x(), e(), Tensor.from(new Float32Array([1]), [1])), 'TYPE', 'powerAggregate', 'argument p', 'f32', 'f64');
      expectFathom(() => powerAggregate(op(), x(), e(), p(), { eps: 0 }), 'RANGE', 'powerAggregate', 'argument eps', '> 0');
      expectFathom(() => powerAggregate(op(), x(), e(), p(), { eps: Number.NaN }), 'RANGE', 'powerAggregate', 'argument eps');
    }));
});
