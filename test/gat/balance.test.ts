import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import { balancedInit, type GatLayerValues } from '../../lib/init/balanced.js';
import { GAT, type GATOptions } from '../../lib/models/GAT.js';
import { gatBalance } from '../../lib/models/gatBalance.js';
import type { Parameter } from '../../lib/nn/Parameter.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomInput } from '../helpers/gradcheck.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 12;
const F = 5;
const C = 3;
const edgeIndex = randomEdgeIndex(N, 30, 21);
const graph = Graph.fromEdgeIndex(edgeIndex, { numNodes: N });
afterAll(() => graph.dispose());
const x = randomInput(new Rng(1), [N, F]).values;
const labels = Int32Array.from({ length: N }, (_, i) => i % C);

type Variant = { label: string; version: 'v1' | 'v2'; shareWeights: boolean; heads: number };
const variants: Variant[] = [
  { label: 'GATv1 with two heads', version: 'v1', shareWeights: true, heads: 2 },
  { label: 'GATv2 with shared weights', version: 'v2', shareWeights: true, heads: 1 },
  { label: 'GATv2 with separate weights and two heads', version: 'v2', shareWeights: false, heads: 2 },
];

const model = (v: Variant, extra: Partial<GATOptions> = {}) =>
  new GAT({ inChannels: F, hiddenChannels: 4, outChannels: C, numLayers: 4, dtype: 'f64', seed: 3, ...v, ...extra });

const loss = (m: GAT) => nllLoss(logSoftmax(m.forward(Tensor.from(x, [N, F]), graph)), Tensor.from(labels));

describe('balanced initialization (docs/methods.md §3)', () => {
  it.each(variants.flatMap((v) => (['balanced-x', 'balanced-o'] as const).map((init) => ({ ...v, init }))))(
    '$init leaves every c_i^l below 1e-10 for $label',
    ({ init, ...v }) => {
      using m = model(v, { init });
      // Rounding of O(1) squared norms in f64 is ~1e-16 per term.
      expect(gatBalance(m.layerValues()).maxAbs).toBeLessThan(1e-10);
    },
  );

  it('with beta = 0.5 the attention entries take the remaining half and c_i^l is still zero', () => {
    const layers: GatLayerValues[] = [6, 4, 4, 2].slice(0, 3).map((rows, l) => ({
      rows,
      cols: [5, 6, 4][l],
      weights: [new Float64Array(rows * [5, 6, 4][l])],
      att: [new Float64Array(rows), new Float64Array(rows)],
    }));
    balancedInit(layers, { base: 'xavier', rng: new Rng(4), beta: 0.5 });
    expect(gatBalance(layers).maxAbs).toBeLessThan(1e-10);
    expect(layers[0].att[0].every((a) => a > 0)).toBe(true);
  });

  it('rows of W¹ get squared norm c = 2', () => {
    using m = model(variants[1], { init: 'balanced-o' });
    const w = m.layerValues()[0].weights[0];
    for (let i = 0; i < 4; i++) expect(w.slice(i * F, (i + 1) * F).reduce((s, v) => s + v * v, 0)).toBeCloseTo(2, 12);
  });

  it('a zero row is an error rather than a NaN, and bad options are rejected', () => {
    const layers: GatLayerValues[] = [
      { rows: 2, cols: 3, weights: [new Float64Array(6)], att: [new Float64Array(2)] },
      { rows: 2, cols: 2, weights: [new Float64Array(4)], att: [new Float64Array(2)] },
    ];
    // A source whose every draw is the midpoint makes Glorot's U(−a, a) give exact zeros.
    const flat = { nextFloat: () => 0.5 } as unknown as Rng;
    expect(() => balancedInit(layers, { base: 'xavier', rng: flat })).toThrow(/row 0 of layer 1/);
    expect(() => balancedInit(layers, { base: 'xavier', rng: new Rng(0), c: 0 })).toThrow(RangeError);
    expect(() => balancedInit(layers, { base: 'xavier', rng: new Rng(0), beta: 1.5 })).toThrow(/beta/);
    expect(() => balancedInit(layers, { base: 'odd' as 'xavier', rng: new Rng(0) })).toThrow(/base/);
  });
});

// Scales neuron i of layer l: row i of W^l by λ, a^l[i] by 1/λ, column i of W^{l+1} by 1/λ.
function rescale(m: GAT, l: number, i: number, lambda: number): void {
  const cur = m.layers[l];
  const next = m.layers[l + 1];
  const set = (p: Parameter, f: (v: Float64Array, cols: number) => void) => {
    const v = Float64Array.from(p.toArray());
    f(v, p.shape[1] ?? 1);
    const t = Tensor.from(v, p.shape);
    p.assign(t);
    t.dispose();
  };
  for (const w of [cur.weight, cur.weightDst])
    if (w)
      set(w, (v, cols) => {
        for (let k = 0; k < cols; k++) v[i * cols + k] *= lambda;
      });
  for (const a of [cur.attSrc, cur.attDst])
    if (a)
      set(a, (v) => {
        v[i] /= lambda;
      });
  for (const w of [next.weight, next.weightDst])
    if (w)
      set(w, (v, cols) => {
        for (let k = 0; k < v.length / cols; k++) v[k * cols + i] /= lambda;
      });
}

describe('GAT symmetries of source 3 (docs/methods.md §5)', () => {
  it.each(variants)('$label: rescaling a hidden neuron by λ = 2.7 leaves the loss unchanged', (v) => {
    using m = model(v);
    const before = tidy(() => loss(m).item());
    rescale(m, 1, 2, 2.7);
    rescale(m, 0, 1, 2.7);
    const after = tidy(() => loss(m).item());
    // ReLU and LeakyReLU are positively homogeneous: the loss changes only by rounding.
    expect(Math.abs(after - before)).toBeLessThan(1e-12 * Math.abs(before));
  });

  it.each(variants)('$label: the conservation identity holds to 1e-8 relative', (v) => {
    using m = model(v);
    tidy(() => backward(loss(m)));
    const val = (t: Tensor) => Float64Array.from(t.toArray());
    for (let l = 0; l + 1 < m.layers.length; l++) {
      const cur = m.layers[l];
      const next = m.layers[l + 1];
      const rows = cur.weight.shape[0];
      const res = new Float64Array(rows);
      const scale = new Float64Array(rows);
      const acc = (i: number, t: number) => {
        res[i] += t;
        scale[i] += Math.abs(t);
      };
      for (const w of [cur.weight, cur.weightDst]) {
        if (!w) continue;
        const [wv, gv, cols] = [val(w), val(w.grad!), w.shape[1]];
        for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) acc(i, wv[i * cols + k] * gv[i * cols + k]);
      }
      for (const a of [cur.attSrc, cur.attDst]) {
        if (!a) continue;
        const [av, gv] = [val(a), val(a.grad!)];
        for (let i = 0; i < rows; i++) acc(i, -av[i] * gv[i]);
      }
      for (const w of [next.weight, next.weightDst]) {
        if (!w) continue;
        const [wv, gv, cols, nr] = [val(w), val(w.grad!), w.shape[1], w.shape[0]];
        for (let i = 0; i < rows; i++) for (let k = 0; k < nr; k++) acc(i, -wv[k * cols + i] * gv[k * cols + i]);
      }
      const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, y) => s + y * y, 0));
      expect(norm(res) / norm(scale)).toBeLessThan(1e-8);
    }
  });

  it.each(variants)('$label: with BalO the output at init is a linear function of M^L X', (v) => {
    using m = model(v, { init: 'balanced-o' });
    const out = tidy(() => Float64Array.from(m.forward(Tensor.from(x, [N, F]), graph).toArray()));
    // M = D̃⁻¹(A + I), applied L = 4 times in plain TS.
    const E = edgeIndex.length / 2;
    let z = Float64Array.from(x);
    for (let l = 0; l < 4; l++) {
      const next = Float64Array.from(z);
      const deg = new Float64Array(N).fill(1);
      for (let k = 0; k < E; k++) {
        deg[edgeIndex[E + k]]++;
        for (let f = 0; f < F; f++) next[edgeIndex[E + k] * F + f] += z[edgeIndex[k] * F + f];
      }
      for (let i = 0; i < N; i++) for (let f = 0; f < F; f++) next[i * F + f] /= deg[i];
      z = next;
    }
    // Project each output column onto span(columns of M^L X) by twice-orthogonalized Gram-Schmidt.
    const basis: Float64Array[] = [];
    for (let f = 0; f < F; f++) {
      const q = Float64Array.from({ length: N }, (_, i) => z[i * F + f]);
      for (let pass = 0; pass < 2; pass++)
        for (const b of basis) {
          const d = q.reduce((s, y, i) => s + y * b[i], 0);
          q.forEach((_, i) => (q[i] -= d * b[i]));
        }
      const n = Math.sqrt(q.reduce((s, y) => s + y * y, 0));
      if (n > 1e-10) basis.push(q.map((y) => y / n));
    }
    let res2 = 0;
    let tot2 = 0;
    for (let c = 0; c < C; c++) {
      const y = Float64Array.from({ length: N }, (_, i) => out[i * C + c]);
      tot2 += y.reduce((s, t) => s + t * t, 0);
      for (let pass = 0; pass < 2; pass++)
        for (const b of basis) {
          const d = y.reduce((s, t, i) => s + t * b[i], 0);
          y.forEach((_, i) => (y[i] -= d * b[i]));
        }
      res2 += y.reduce((s, t) => s + t * t, 0);
    }
    expect(tot2).toBeGreaterThan(1e-6);
    expect(Math.sqrt(res2 / tot2)).toBeLessThan(1e-8);
  });

  it('the same seed builds the same model and the same output', () => {
    const outs = [0, 1].map(() => {
      using m = model(variants[2], { init: 'balanced-x', dropout: 0.3 });
      return tidy(() => Array.from(m.forward(Tensor.from(x, [N, F]), graph).toArray()));
    });
    expect(outs[0]).toEqual(outs[1]);
  });
});
