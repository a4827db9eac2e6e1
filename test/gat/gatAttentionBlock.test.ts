import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { native } from '../../lib/binding/native.js';
import { gatAttention, type GatAttentionOptions } from '../../lib/functional/gatAttention.js';
import { Block } from '../../lib/graph/Block.js';
import { GraphOperator } from '../../lib/graph/GraphOperator.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';

// The fused attention on a sampled block's operator [numTargets × numSources], against the square
// operator the block layer used before: every source a row, the sources that are not targets
// attending over their self loop alone.

const S = 13;
const T = 5;
/** 13 sources, the first 5 the targets: target 4 has no edge, 6 → 1 repeats, target 2 has a self loop. */
const EDGES = Int32Array.from([...[5, 6, 0, 7, 1, 8, 9, 11, 10, 2, 3, 6, 6, 2, 12, 12], ...[0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1, 2, 0, 3]]);
const block = Block.fromEdgeIndex(EDGES, { numSources: S, numTargets: T });
const padded = new Map<DType, GraphOperator>();
afterAll(() => {
  block.dispose();
  for (const op of padded.values()) op.dispose();
});

/** The square 'gin' operator [S × S] of the block's edges: the padded form. */
function paddedOperator(dtype: DType): GraphOperator {
  let op = padded.get(dtype);
  if (!op) {
    const b = native();
    using t = Tensor.from(EDGES, [2, EDGES.length / 2], { dtype: 'i32' });
    const structure = b.csrFromBipartite(t.handle('test'), S, S);
    const fwd = b.csrOperator(structure, 'gin', dtype);
    structure.dispose();
    op = new GraphOperator('gin', dtype, 'cpu', fwd, b.csrTranspose(fwd), S);
    padded.set(dtype, op);
  }
  return op;
}

type Case = { label: string; version: 'v1' | 'v2'; separate: boolean; heads: number; p: number };
const cases: Case[] = [
  { label: 'GATv1, two heads', version: 'v1', separate: false, heads: 2, p: 0 },
  { label: 'GATv1, three heads with attention dropout', version: 'v1', separate: false, heads: 3, p: 0.3 },
  { label: 'GATv2 with shared weights and attention dropout', version: 'v2', separate: false, heads: 2, p: 0.4 },
  { label: 'GATv2 with separate weights (xt the targets’ rows)', version: 'v2', separate: true, heads: 2, p: 0.25 },
];

const values = (t: Tensor | null) => Float64Array.from(t!.toArray());

/** Output, ∂xs, ∂xt, ∂aSrc, ∂aDst of one attention over `op` with output gradient r. */
function attendWithGrads(c: Case, op: GraphOperator, dtype: DType, rows: number, inputs: Float64Array[], r: Float64Array) {
  return tidy(() => {
    const width = inputs[2].length;
    const mk = (v: Float64Array, shape: number[]) => {
      const t = Tensor.from(dtype === 'f64' ? v : Float32Array.from(v), shape, { dtype });
      t.requiresGrad = true;
      return t;
    };
    const xs = mk(inputs[0], [S, width]);
    // Separate: the padded operator reads xt on every source row, the block's on the targets only.
    const xtRows = c.separate ? (rows === S ? S : T) : S;
    const xt = c.separate ? mk(inputs[1].subarray(0, xtRows * width), [xtRows, width]) : xs;
    const a = mk(inputs[2], [width]);
    const b = c.version === 'v1' ? mk(inputs[3], [width]) : null;
    const opts: GatAttentionOptions = { version: c.version, heads: c.heads, dropout: c.p, seed: 5 };
    const out = gatAttention(op, xs, xt, a, b, opts);
    backward(out, Tensor.from(dtype === 'f64' ? r.subarray(0, rows * width) : Float32Array.from(r.subarray(0, rows * width)), [rows, width], { dtype }));
    return {
      out: values(out).subarray(0, T * width),
      dxs: values(xs.grad),
      dxt: c.separate ? values(xt.grad).subarray(0, T * width) : null,
      da: values(a.grad),
      db: b ? values(b.grad) : null,
    };
  });
}

describe('gatAttention on a block operator', () => {
  it.each(cases.flatMap((c) => (['f32', 'f64'] as const).map((dtype) => ({ ...c, dtype }))))(
    '$label in $dtype gives the padded square operator’s target rows and every gradient, bit for bit',
    (c) => {
      // Same rows in the same order, the same dropout keys (edge ids, 2^31 + i for a loop), and
      // the padded rows past the targets get a zero output gradient, so they add exact zeros.
      const rng = new Rng(31 + c.heads);
      const width = c.heads * 4;
      const inputs = [randomInput(rng, [S, width], -1, 1).values, randomInput(rng, [S, width], -1, 1).values];
      inputs.push(randomInput(rng, [width], -1, 1).values, randomInput(rng, [width], -1, 1).values);
      const r = randomInput(rng, [S, width], -1, 1).values;
      r.fill(0, T * width);
      const got = attendWithGrads(c, block.attentionOperator(true, { dtype: c.dtype }), c.dtype, T, inputs, r);
      const want = attendWithGrads(c, paddedOperator(c.dtype), c.dtype, S, inputs, r);
      expect(got.out.length).toBe(T * width);
      expect(got).toEqual(want);
      expect(got.dxs.some((v) => v !== 0)).toBe(true);
    },
  );

  it.each(cases)('$label backpropagates as central differences in float64', (c) => {
    // h = 1e-6 in f64: truncation O(h²) ≈ 1e-12, rounding O(ε/h) ≈ 1e-10; 1e-6 has margin.
    const rng = new Rng(40 + c.heads);
    const width = c.heads * 3;
    const inputs = [randomInput(rng, [S, width])];
    if (c.separate) inputs.push(randomInput(rng, [T, width]));
    inputs.push(randomInput(rng, [width]));
    if (c.version === 'v1') inputs.push(randomInput(rng, [width]));
    const op = block.attentionOperator(true, { dtype: 'f64' });
    const errs = gradcheck((t) => {
      const rest = t.slice(c.separate ? 2 : 1);
      const opts = { version: c.version, heads: c.heads, dropout: c.p, seed: 9 };
      return gatAttention(op, t[0], c.separate ? t[1] : t[0], rest[0], rest[1] ?? null, opts);
    }, inputs);
    expect(errs.length).toBe(inputs.length);
    for (const e of errs) expect(e).toBeLessThan(1e-6);
  });

  it('refuses xs without a row per source and xt without a row per target or per source, naming the op and shapes', () =>
    tidy(() => {
      const op = block.attentionOperator(true, { dtype: 'f64' });
      const a = Tensor.from(new Float64Array(4), [4]);
      const rows = (n: number) => Tensor.from(new Float64Array(n * 4), [n, 4]);
      const opts = { version: 'v2' } as const;
      expectFathom(
        () => gatAttention(op, rows(T), rows(T), a, null, opts),
        'SHAPE',
        'gatAttention',
        'argument xs is f64[5, 4]',
        'csr[5 x 13',
        'one row per source (13)',
      );
      expectFathom(
        () => gatAttention(op, rows(S), rows(7), a, null, opts),
        'SHAPE',
        'gatAttention',
        'argument xt is f64[7, 4]',
        'one row per target',
        '(5)',
        '(13, the targets first)',
      );
      const out = gatAttention(op, rows(S), rows(T), a, null, opts);
      expect(out.shape).toEqual([T, 4]);
    }));
});
