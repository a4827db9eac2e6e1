import { afterAll, describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { gatAttention, type GatAttentionOptions } from '../../lib/functional/gatAttention.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';
import { gatReference } from './reference.js';

// docs/methods.md §5: backward vs central differences in f64 below 1e-6 (h = 1e-6: truncation
// O(h²) ≈ 1e-12, rounding O(ε/h) ≈ 1e-10). The forward against the dense reference differs only
// by summation order: 1e-12 relative in f64.
const TOL_GRAD = 1e-6;
const TOL_REF = 1e-12;

const N = 9;
const edgeIndex = randomEdgeIndex(N, 24, 7);
const graph = Graph.fromEdgeIndex(edgeIndex, { numNodes: N });
afterAll(() => graph.dispose());

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
};

type Case = { label: string; version: 'v1' | 'v2'; separate: boolean; heads: number; p: number };
const cases: Case[] = [
  { label: 'GATv1, one head', version: 'v1', separate: false, heads: 1, p: 0 },
  { label: 'GATv1, three heads with attention dropout', version: 'v1', separate: false, heads: 3, p: 0.3 },
  { label: 'GATv2 with shared weights, one head', version: 'v2', separate: false, heads: 1, p: 0 },
  { label: 'GATv2 with shared weights, two heads with attention dropout', version: 'v2', separate: false, heads: 2, p: 0.4 },
  { label: 'GATv2 with separate weights, three heads', version: 'v2', separate: true, heads: 3, p: 0 },
  { label: 'GATv2 with separate weights and attention dropout', version: 'v2', separate: true, heads: 2, p: 0.25 },
];

function run(c: Case, xs: Tensor, xt: Tensor, a: Tensor, b: Tensor | null, seed = 11): Tensor {
  const opts: GatAttentionOptions = { version: c.version, heads: c.heads, dropout: c.p, seed };
  return gatAttention(graph.operator('gin', { dtype: xs.dtype }), xs, xt, a, b, opts);
}

describe('gatAttention forward equals a dense plain-TypeScript reference in float64', () => {
  it.each(cases)('$label', (c) => {
    const rng = new Rng(100 + c.heads);
    const width = c.heads * 4;
    const xs = randomInput(rng, [N, width]).values;
    const xt = c.separate ? randomInput(rng, [N, width]).values : xs;
    const a = randomInput(rng, [width]).values;
    const b = c.version === 'v1' ? randomInput(rng, [width]).values : undefined;
    const got = tidy(() => {
      const xsT = Tensor.from(xs, [N, width]);
      const xtT = c.separate ? Tensor.from(xt, [N, width]) : xsT;
      return run(c, xsT, xtT, Tensor.from(a, [width]), b ? Tensor.from(b, [width]) : null).toArray();
    });
    const ref = gatReference({ version: c.version, n: N, heads: c.heads, edgeIndex, xs, xt, aSrc: a, aDst: b, p: c.p, seed: 11 });
    expect(maxRel(got, ref.out)).toBeLessThan(TOL_REF);
  });

  it('attention rows of the reference sum to one, so the comparison covers a true softmax', () => {
    const rng = new Rng(3);
    const xs = randomInput(rng, [N, 4]).values;
    const { alpha } = gatReference({ version: 'v2', n: N, heads: 1, edgeIndex, xs, xt: xs, aSrc: randomInput(rng, [4]).values });
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += alpha[0][i * N + j];
      expect(Math.abs(s - 1)).toBeLessThan(1e-14);
    }
  });
});

describe('gatAttention backward matches central finite differences in float64', () => {
  it.each(cases)('$label', (c) => {
    const rng = new Rng(200 + c.heads + (c.separate ? 7 : 0));
    const width = c.heads * 3;
    const inputs = [randomInput(rng, [N, width])];
    if (c.separate) inputs.push(randomInput(rng, [N, width]));
    inputs.push(randomInput(rng, [width]));
    if (c.version === 'v1') inputs.push(randomInput(rng, [width]));
    const errs = gradcheck((t) => {
      const xs = t[0];
      const xt = c.separate ? t[1] : t[0];
      const rest = t.slice(c.separate ? 2 : 1);
      return run(c, xs, xt, rest[0], rest[1] ?? null);
    }, inputs);
    for (const e of errs) expect(e).toBeLessThan(TOL_GRAD);
  });
});

describe('gatAttention numerics', () => {
  it('float32 agrees with float64 to single precision', () => {
    const rng = new Rng(5);
    const xs = randomInput(rng, [N, 8]).values;
    const a = randomInput(rng, [8]).values;
    const c: Case = { label: '', version: 'v2', separate: false, heads: 2, p: 0.2 };
    const [o64, o32] = tidy(() =>
      (['f64', 'f32'] as const).map((dtype) => {
        const x = Tensor.from(xs, [N, 8], { dtype });
        return Array.from(run(c, x, x, Tensor.from(a, [8], { dtype }), null).toArray());
      }),
    );
    // A few dozen roundings of unit-scale values at ε = 6e-8 each: 1e-5 is a loose bound.
    expect(maxRel(o32, o64)).toBeLessThan(1e-5);
  });

  it('edge softmax stays finite and exact with logits near 1e4', () => {
    const rng = new Rng(9);
    const xs = randomInput(rng, [N, 4], 0.5, 1).values;
    // |a·LeakyReLU(xs_j + xs_i)| reaches ~1e4: exp without the max shift would overflow.
    const a = randomInput(rng, [4], 2000, 3000).values;
    for (const dtype of ['f64', 'f32'] as const) {
      const got = tidy(() => {
        const x = Tensor.from(xs, [N, 4], { dtype });
        return run({ label: '', version: 'v2', separate: false, heads: 1, p: 0 }, x, x, Tensor.from(a, [4], { dtype }), null).toArray();
      });
      const ref = gatReference({ version: 'v2', n: N, heads: 1, edgeIndex, xs, xt: xs, aSrc: a });
      expect(got.every(Number.isFinite)).toBe(true);
      // f32 rounds xs (ε = 6e-8) and logits of 1e4 shift by ~1e-3 absolute: α can move by that
      // much, so compare f32 at 1e-2 and f64 at the reference tolerance.
      expect(maxRel(got, ref.out)).toBeLessThan(dtype === 'f64' ? 1e-10 : 1e-2);
    }
  });

  it('the same seed gives the same output and another seed a different dropout mask', () => {
    const rng = new Rng(12);
    const xs = randomInput(rng, [N, 4]).values;
    const a = randomInput(rng, [4]).values;
    const c: Case = { label: '', version: 'v2', separate: false, heads: 1, p: 0.5 };
    const out = (seed: number) =>
      tidy(() => {
        const x = Tensor.from(xs, [N, 4]);
        return Array.from(run(c, x, x, Tensor.from(a, [4]), null, seed).toArray());
      });
    expect(out(1)).toEqual(out(1));
    expect(out(1)).not.toEqual(out(2));
  });
});

describe('gatAttention rejects bad input with errors naming the argument', () => {
  const x = () => Tensor.from(new Float64Array(N * 4), [N, 4]);
  const op = () => graph.operator('gin', { dtype: 'f64' });
  it('a wrong operator kind, version, width, heads, dropout or missing aDst', () =>
    tidy(() => {
      const xs = x();
      const a = Tensor.from(new Float64Array(4), [4]);
      expectFathom(() => gatAttention(graph.operator('gcn', { dtype: 'f64' }), xs, xs, a, null, { version: 'v2' }), 'RANGE', /gin/);
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v3' as 'v2' }), 'RANGE', 'version');
      expectFathom(() => gatAttention(op(), xs, xs, Tensor.from(new Float64Array(3), [3]), null, { version: 'v2' }), 'SHAPE', 'argument aSrc');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', heads: 3 }), 'RANGE', 'heads = 3');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', heads: 1.5 }), 'RANGE', 'heads = 1.5');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', dropout: 1 }), 'RANGE', 'argument dropout = 1', '[0, 1)');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', dropout: Number.NaN }), 'RANGE', 'argument dropout');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', negativeSlope: Infinity }), 'RANGE', 'negativeSlope');
      expectFathom(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', seed: -2 }), 'RANGE', 'argument seed = -2');
      // The type guards stay TypeErrors: a missing aDst, a number that is not one.
      expect(() => gatAttention(op(), xs, xs, a, null, { version: 'v1' })).toThrow(TypeError);
      expect(() => gatAttention(op(), xs, xs, a, null, { version: 'v2', dropout: '0.5' as never })).toThrow(TypeError);
      expectFathom(() => gatAttention(op(), xs, xs, a, a, { version: 'v2' }), 'RANGE', 'aDst must be null');
      expectFathom(
        () => gatAttention(op(), Tensor.from(new Float64Array(8), [2, 4]), Tensor.from(new Float64Array(8), [2, 4]), a, null, { version: 'v2' }),
        'SHAPE',
        /one row per source/,
      );
      expectFathom(() => gatAttention(op(), xs, xs, Tensor.from(new Float32Array(4), [4]), null, { version: 'v2' }), 'TYPE', 'argument aSrc', 'f32[4]');
    }));
});
