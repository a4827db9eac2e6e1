import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { softmaxAggregate } from '../../lib/functional/softmaxAggregate.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectThrows, expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// Tolerances.
// Forward, f64 against the reference: the same terms in double, differing only in summation
// order and exp's last bit, ≈ degree·ε ≈ 1e-15 relative; 1e-12 leaves room without hiding a
// wrong term.
// Gradients, f64 against central differences with h = 1e-6: truncation O(h²·|f'''|) ≈ 1e-12 and
// rounding O(ε·|L|/h) ≈ 1e-10, relative to gradients of order 1; 1e-6 is far above both and far
// below a wrong term (O(1e-2) or more).
// f32 against f64: inputs rounded at ε = 6e-8 and a few dozen roundings of unit-scale terms per
// output (exp, the weighted sum, the division), so ≈ 1e-6 of the largest value; 1e-5 bounds it.
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

/** The messages m_ij[c] of every node i's neighbourhood, from the edge list directly (edge order, then the self loop for 'gin'). */
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

/** out[i, c] = Σ_j softmax_j(t·m_ij[c]) m_ij[c] in float64: the softmax first (max-subtracted), then the weighted sum. */
function reference(x: ArrayLike<number>, e: ArrayLike<number> | null, t: number, f: number, kind: Kind): Float64Array {
  const out = new Float64Array(N * f);
  const msgs = messages(x, e, f, kind);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < f; c++) {
      const m = msgs[i][c];
      if (m.length === 0) continue;
      const mx = Math.max(...m.map((v) => t * v));
      const w = m.map((v) => Math.exp(t * v - mx));
      const den = w.reduce((a, b) => a + b, 0);
      out[i * f + c] = w.reduce((a, wk, k) => a + (wk / den) * m[k], 0);
    }
  }
  return out;
}

/** Moves every x_j + e_ji at least 0.05 from the ReLU's kink, so no finite-difference step straddles it. */
function offKinks(x: Float64Array, e: Float64Array, f: number): void {
  for (let k = 0; k < E; k++) {
    for (let c = 0; c < f; c++) {
      const z = x[edgeIndex[k] * f + c] + e[k * f + c];
      if (Math.abs(z) < 0.05) e[k * f + c] += z >= 0 ? 0.1 : -0.1;
    }
  }
}

function run(kind: Kind, x: Tensor, e: Tensor | null, t: Tensor, eps?: number): Tensor {
  return softmaxAggregate(graph.operator(kind, { dtype: x.dtype }), x, e, t, eps === undefined ? {} : { eps });
}

function forward(kind: Kind, x: ArrayLike<number>, e: ArrayLike<number> | null, t: number, f: number, dtype: DType = 'f64'): Float64Array {
  return tidy(() => {
    const xt = Tensor.from(Float64Array.from(x), [N, f], { dtype });
    const et = e ? Tensor.from(Float64Array.from(e), [E, f], { dtype }) : null;
    return Float64Array.from(run(kind, xt, et, Tensor.from(new Float64Array([t]), [1], { dtype })).toArray());
  });
}

describe('softmaxAggregate forward equals a plain-TypeScript float64 reference', () => {
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
    for (const t of [-0.7, 0, 1.3, 40]) {
      const got = forward(kind, x, withE ? e : null, t, F);
      expect(maxRelDiff(got, reference(x, withE ? e : null, t, F, kind))).toBeLessThan(TOL_REF);
    }
  });

  it('nodes without in-edges get 0, the others a positive weighted mean of positive messages', () => {
    const got = forward('sum', x, e, 1, F);
    const msgs = messages(x, e, F, 'sum');
    expect(msgs[7][0]).toHaveLength(0);
    expect(msgs[8][0]).toHaveLength(0);
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < F; c++) {
        if (msgs[i][c].length === 0) expect(got[i * F + c]).toBe(0);
        else expect(got[i * F + c]).toBeGreaterThan(0);
      }
    }
  });

  it('eps is added to every message', () => {
    const got = tidy(() => Array.from(run('sum', Tensor.from(x, [N, F]), Tensor.from(e, [E, F]), Tensor.from(new Float64Array([0]), [1]), 0.5).toArray()));
    const base = reference(x, e, 0, F, 'sum');
    // t = 0 is the mean, so every non-empty output moves by exactly eps − 1e-7.
    for (let i = 0; i < 7 * F; i++) if (base[i] !== 0) expect(got[i] - base[i]).toBeCloseTo(0.5 - EPS, 12);
  });
});

describe('softmaxAggregate identities', () => {
  const F = 4;
  const rng = new Rng(2);
  const x = randomInput(rng, [N, F]).values;
  const e = randomInput(rng, [E, F]).values;
  const msgs = messages(x, e, F, 'sum');

  it('t = 0 is the mean of the messages', () => {
    const got = forward('sum', x, e, 0, F);
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < F; c++) {
        const m = msgs[i][c];
        const mean = m.length ? m.reduce((a, b) => a + b, 0) / m.length : 0;
        expect(Math.abs(got[i * F + c] - mean)).toBeLessThan(1e-15);
      }
    }
  });

  it('t → ∞ approaches the maximum of the messages, and t → −∞ the minimum', () => {
    const gap = (t: number, pick: (m: number[]) => number) => {
      const got = forward('sum', x, e, t, F);
      let worst = 0;
      for (let i = 0; i < N; i++) for (let c = 0; c < F; c++) if (msgs[i][c].length) worst = Math.max(worst, Math.abs(got[i * F + c] - pick(msgs[i][c])));
      return worst;
    };
    const max = (m: number[]) => Math.max(...m);
    const gaps = [1, 10, 100, 1e4].map((t) => gap(t, max));
    for (let k = 1; k < gaps.length; k++) expect(gaps[k]).toBeLessThan(gaps[k - 1]);
    // A message below the maximum by d moves the output by at most d·exp(−t·d) ≤ 1/(e·t) whatever
    // d is; at t = 1e12 that is 4e-13 per message, and exp never overflows (max-subtracted).
    expect(gap(1e12, max)).toBeLessThan(5e-12);
    expect(gap(-1e12, (m) => Math.min(...m))).toBeLessThan(5e-12);
  });

  it('f32 stays finite at large t', () => {
    const got = forward('sum', x, e, 1e4, F, 'f32');
    expect(got.every(Number.isFinite)).toBe(true);
    // f32 rounds messages at ε·|m| ≈ 6e-8; scaled by t = 1e4, weights of near-ties can move by
    // ~1e-3, so the comparison with the f64 result is at 1e-3 of the largest value.
    expect(maxRelDiff(got, forward('sum', x, e, 1e4, F))).toBeLessThan(1e-3);
  });
});

describe('softmaxAggregate backward matches central finite differences in float64', () => {
  const F = 3;
  const cases = [
    { label: "x, edge features and t on 'sum', t = 0.6", kind: 'sum' as Kind, withE: true, t: 0.6 },
    { label: "x, edge features and t on 'sum', t = −1.2", kind: 'sum' as Kind, withE: true, t: -1.2 },
    { label: "x, edge features and t on 'sum', t = 0", kind: 'sum' as Kind, withE: true, t: 0 },
    { label: "x and t on 'sum' without edge features", kind: 'sum' as Kind, withE: false, t: 2.5 },
    { label: "x and t on 'gin'", kind: 'gin' as Kind, withE: false, t: 0.9 },
  ];
  it.each(cases)('$label', ({ kind, withE, t }) => {
    const rng = new Rng(300 + Math.round(10 * t));
    const x = randomInput(rng, [N, F]);
    const e = randomInput(rng, [E, F]);
    offKinks(x.values, e.values, F);
    const temp = { values: new Float64Array([t]), shape: [1] };
    const inputs = withE ? [x, e, temp] : [x, temp];
    const errs = gradcheck((ts) => run(kind, ts[0], withE ? ts[1] : null, ts[withE ? 2 : 1]), inputs);
    expect(errs).toHaveLength(inputs.length);
    for (const err of errs) expect(err).toBeLessThan(TOL_GRAD);
  });

  it('gradients come back only for the inputs that need them, with their shapes', () =>
    tidy(() => {
      const rng = new Rng(4);
      const x = Tensor.from(randomInput(rng, [N, F]).values, [N, F]);
      const e = Tensor.from(randomInput(rng, [E, F]).values, [E, F]);
      const t = Tensor.from(new Float64Array([0.5]), [1]);
      t.requiresGrad = true;
      e.requiresGrad = true;
      const out = run('sum', x, e, t);
      backward(out, Tensor.from(new Float64Array(N * F).fill(1), [N, F]));
      expect(x.grad ?? null).toBeNull();
      expect(e.grad!.shape).toEqual([E, F]);
      expect(t.grad!.shape).toEqual([1]);
    }));
});

describe('softmaxAggregate in float32 agrees with float64', () => {
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
        const tt = Tensor.from(new Float64Array([1.4]), [1], { dtype });
        for (const v of [xt, et, tt]) v.requiresGrad = true;
        const out = run('sum', xt, et, tt);
        backward(out, Tensor.from(g, [N, F], { dtype }));
        return [out, xt.grad!, et.grad!, tt.grad!].map((v) => Float64Array.from(v.toArray()));
      });
    const [a, b] = [result('f64'), result('f32')];
    for (let k = 0; k < a.length; k++) expect(maxRelDiff(b[k], a[k])).toBeLessThan(TOL_F32);
  });
});

describe('softmaxAggregate rejects bad input with errors naming the op and the argument', () => {
  const F = 4;
  const x = () => Tensor.from(new Float64Array(N * F), [N, F]);
  const e = () => Tensor.from(new Float64Array(E * F), [E, F]);
  const t = () => Tensor.from(new Float64Array([1]), [1]);
  const op = (kind: 'sum' | 'gin' | 'gcn' = 'sum', dtype: DType = 'f64') => graph.operator(kind, { dtype });

  it('the operator', () =>
    tidy(() => {
      expectThrows(() => softmaxAggregate({} as never, x(), e(), t()), TypeError, 'softmaxAggregate', 'argument op', 'GraphOperator');
      expectFathom(() => softmaxAggregate(op('gcn'), x(), null, t()), 'RANGE', 'softmaxAggregate', 'argument op', "'gcn'");
      expectFathom(() => softmaxAggregate(op('gin'), x(), e(), t()), 'RANGE', 'softmaxAggregate', 'argument edgeAttr', "'sum'");
    }));

  it('x', () =>
    tidy(() => {
      expectThrows(() => softmaxAggregate(op(), [1, 2] as never, null, t()), TypeError, 'softmaxAggregate', 'argument x', 'Tensor');
      expectFathom(
        () => softmaxAggregate(op(), Tensor.from(new Int32Array(N * F), [N, F]), null, t()),
        'TYPE',
        'softmaxAggregate',
        'argument x',
        'f32 or f64',
        'i32',
      );
      expectFathom(() => softmaxAggregate(op(), Tensor.from(new Float64Array(N * F), [N * F]), null, t()), 'SHAPE', 'softmaxAggregate', 'argument x', '2-D');
      expectFathom(
        () => softmaxAggregate(op(), Tensor.from(new Float64Array(4 * F), [4, F]), null, t()),
        'SHAPE',
        'softmaxAggregate',
        'argument x',
        `[4, ${F}]`,
        `one row per source node (${N})`,
      );
    }));

  it('edgeAttr', () =>
    tidy(() => {
      expectFathom(
        () => softmaxAggregate(op(), x(), Tensor.from(new Float64Array(E * 3), [E, 3]), t()),
        'SHAPE',
        'softmaxAggregate',
        'argument edgeAttr',
        `[${E}, 3]`,
        `[${E}, ${F}]`,
      );
      expectFathom(
        () => softmaxAggregate(op(), x(), Tensor.from(new Float64Array((E + 1) * F), [E + 1, F]), t()),
        'SHAPE',
        'softmaxAggregate',
        'argument edgeAttr',
        'one row per edge',
      );
      expectFathom(
        () => softmaxAggregate(op(), x(), Tensor.from(new Float32Array(E * F), [E, F]), t()),
        'TYPE',
        'softmaxAggregate',
        'argument edgeAttr',
        'f32',
        'f64',
      );
      expectFathom(
        () => softmaxAggregate(op(), x(), Tensor.from(new Float64Array(E * F), [E * F]), t()),
        'SHAPE',
        'softmaxAggregate',
        'argument edgeAttr',
        `[${E}, ${F}]`,
      );
    }));

  it('t and eps', () =>
    tidy(() => {
      expectThrows(() => softmaxAggregate(op(), x(), e(), 1 as never), TypeError, 'softmaxAggregate', 'argument t', 'Tensor');
      expectFathom(() => softmaxAggregate(op(), x(), e(), Tensor.from(new Float64Array(2), [2])), 'SHAPE', 'softmaxAggregate', 'argument t', '[1]');
      expectFathom(() => softmaxAggregate(op(), x(), e(), Tensor.from(new Float32Array([1]), [1])), 'TYPE', 'softmaxAggregate', 'argument t', 'f32', 'f64');
      expectFathom(() => softmaxAggregate(op(), x(), e(), t(), { eps: Number.NaN }), 'RANGE', 'softmaxAggregate', 'argument eps', 'finite');
      expectThrows(() => softmaxAggregate(op(), x(), e(), t(), { eps: '1' as never }), TypeError, 'softmaxAggregate', 'argument eps', 'number');
    }));

  it('a disposed input', () =>
    tidy(() => {
      const xs = x();
      xs.dispose();
      expectThrows(() => softmaxAggregate(op(), xs, null, t()), TypeError, 'softmaxAggregate', 'argument x', 'disposed');
    }));
});
