import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Block } from '../../lib/graph/Block.js';
import { GATConv } from '../../lib/nn/GATConv.js';
import { GCNConv } from '../../lib/nn/GCNConv.js';
import type { GraphConv } from '../../lib/nn/GraphConv.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectFathom, expectThrows, liveCpu } from '../helpers/apiFixtures.js';
import { centralDifferences, randomInput, relativeError } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';

// Forward in f64 against plain float64 references: sums of ≤ ~6 terms and products of width ≤ 9
// round to ~1e-15 relative; 1e-12 still catches any wrong weight, degree or missing term.
const FWD_TOL = 1e-12;
// Central differences in f64 with h = 1e-6: truncation O(h²)·|f'''| ≈ 1e-12, rounding ≈
// 1e-16·|L|/h ≈ 1e-10 relative; GAT's softmax is smooth, so the project's 1e-6 has margin.
const GRAD_TOL = 1e-6;

const S = 12;
const T = 5;
/**
 * A block of 12 sources, the first 5 the targets: target 4 has no edge, the edge 6 → 1 repeats,
 * target 2 has a self loop (kept once, as the graph's operators keep it), and sources 9–11 are
 * not targets (no in-edges in the block).
 */
function blockEdges(): Int32Array {
  const src = [5, 6, 0, 7, 1, 8, 9, 11, 10, 2, 3, 6, 6, 2];
  const dst = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1, 2];
  return Int32Array.from([...src, ...dst]);
}
/** Graph in-degrees of the 12 sources (self loops not counted), at least what the block samples. */
const DEGREES = [4, 6, 3, 5, 2, 1, 7, 3, 2, 9, 4, 1];

const values = (t: Tensor) => Float64Array.from(t.toArray());

/** Non-loop in-edges of each target: [source, ...] lists, in edge order. */
function neighbours(edges: Int32Array): number[][] {
  const E = edges.length / 2;
  const nb: number[][] = Array.from({ length: T }, () => []);
  for (let e = 0; e < E; e++) if (edges[e] !== edges[E + e]) nb[edges[E + e]].push(edges[e]);
  return nb;
}

/** x Wᵀ for x [rows, inC], W [outC, inC]. */
function project(x: Float64Array, w: Float64Array, rows: number, inC: number, outC: number): Float64Array {
  return Float64Array.from({ length: rows * outC }, (_, k) => {
    const [i, o] = [Math.floor(k / outC), k % outC];
    let s = 0;
    for (let c = 0; c < inC; c++) s += x[i * inC + c] * w[o * inC + c];
    return s;
  });
}

/**
 * GCN on the block in float64, written from the definition: with d̃_v = deg_v + 1,
 * out_i = x_i W/d̃_i + (deg_i / k_i) Σ_{sampled j} x_j W / sqrt(d̃_i d̃_j) + b.
 */
function gcnReference(conv: GCNConv, x: Float64Array, edges: Int32Array, deg: readonly number[]): Float64Array {
  const [inC, outC] = [conv.inChannels, conv.outChannels];
  const xw = project(x, values(conv.weight), S, inC, outC);
  const b = conv.bias ? values(conv.bias) : new Float64Array(outC);
  const out = new Float64Array(T * outC);
  neighbours(edges).forEach((nb, i) => {
    const di = deg[i] + 1;
    for (let o = 0; o < outC; o++) {
      let v = xw[i * outC + o] / di + b[o];
      for (const j of nb) v += (deg[i] / nb.length) * (xw[j * outC + o] / Math.sqrt(di * (deg[j] + 1)));
      out[i * outC + o] = v;
    }
  });
  return out;
}

const lrelu = (z: number, s: number) => (z > 0 ? z : s * z);

/** GAT on the block in float64: target i attends over its sampled in-neighbours and itself. */
function gatReference(conv: GATConv, x: Float64Array, edges: Int32Array): Float64Array {
  const [inC, F, H] = [conv.inChannels, conv.outChannels, conv.heads];
  const W = H * F;
  const xs = project(x, values(conv.weight), S, inC, W);
  const xt = conv.weightDst ? project(x, values(conv.weightDst), S, inC, W) : xs;
  const aSrc = values(conv.attSrc);
  const aDst = conv.attDst ? values(conv.attDst) : null;
  const width = conv.concat ? W : F;
  const out = new Float64Array(T * width);
  neighbours(edges).forEach((nb, i) => {
    const hood = [...nb, i];
    for (let h = 0; h < H; h++) {
      const e = hood.map((j) => {
        let s = 0;
        for (let f = 0; f < F; f++) {
          const [u, v] = [xs[j * W + h * F + f], xt[i * W + h * F + f]];
          s += aDst ? aSrc[h * F + f] * u + aDst[h * F + f] * v : aSrc[h * F + f] * lrelu(u + v, conv.negativeSlope);
        }
        return aDst ? lrelu(s, conv.negativeSlope) : s;
      });
      const m = Math.max(...e);
      const z = e.reduce((a, v) => a + Math.exp(v - m), 0);
      hood.forEach((j, t) => {
        const alpha = Math.exp(e[t] - m) / z;
        for (let f = 0; f < F; f++) {
          const at = conv.concat ? i * width + h * F + f : i * width + f;
          out[at] += (conv.concat ? alpha : alpha / H) * xs[j * W + h * F + f];
        }
      });
    }
  });
  if (conv.bias) {
    const b = values(conv.bias);
    for (let k = 0; k < out.length; k++) out[k] += b[k % width];
  }
  return out;
}

/** Relative errors of dL/dx and every dL/dparameter (L = Σ conv(x, block) ⊙ R) against central differences. */
function blockGradcheck(conv: GraphConv, block: Block, xv: Float64Array, h = 1e-6): Record<string, number> {
  const r = randomInput(new Rng(99), [T, outWidth(conv)]).values;
  const loss = () =>
    noGrad(() =>
      tidy(() => {
        const out = conv.forward(Tensor.from(xv, [S, conv.inChannels]), block).toArray();
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
    const x = Tensor.from(xv, [S, conv.inChannels]);
    x.requiresGrad = true;
    backward(conv.forward(x, block), Tensor.from(r, [T, outWidth(conv)]));
    return { x: values(x.grad!), ...Object.fromEntries(named.map(([n, p]) => [n, values(p.grad!)])) } as Record<string, Float64Array>;
  });
  const out: Record<string, number> = {
    x: relativeError(
      analytic.x,
      centralDifferences(xv, () => {}, loss, h),
    ),
  };
  for (const [name, p] of named) {
    const v = values(p);
    out[name] = relativeError(
      analytic[name],
      centralDifferences(v, () => tidy(() => p.assign(Tensor.from(v, [...p.shape]))), loss, h),
    );
  }
  return out;
}

function outWidth(conv: GraphConv): number {
  return conv instanceof GATConv && conv.concat ? conv.heads * conv.outChannels : conv.outChannels;
}

describe('GCNConv on a sampled block', () => {
  it.each([
    ['transforming first', 7, 3],
    ['aggregating first', 3, 6],
  ])('normalizes with the graph degrees the block carries and scales sampled neighbours to the whole neighbourhood (%s)', (_, inC, outC) => {
    const e = blockEdges();
    using block = Block.fromEdgeIndex(e, { numSources: S, numTargets: T, degrees: DEGREES });
    using conv = new GCNConv(inC, outC, { dtype: 'f64', seed: 3 });
    tidy(() => conv.bias!.assign(Tensor.from(randomInput(new Rng(5), [outC]).values, [outC])));
    const x = randomInput(new Rng(4), [S, inC]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(x, [S, inC]), block)));
    expect(got.length).toBe(T * outC);
    expect(maxRelDiff(got, gcnReference(conv, x, e, DEGREES))).toBeLessThan(FWD_TOL);
  });

  it('takes the block as the whole graph when it carries no degrees: in-degrees counted within it, 0 for sources that are not targets', () => {
    const e = blockEdges();
    using block = Block.fromEdgeIndex(e, { numSources: S, numTargets: T });
    const own = Array.from({ length: S }, (_, v) => (v < T ? neighbours(e)[v].length : 0));
    expect([...block.degrees]).toEqual(own);
    using conv = new GCNConv(4, 2, { dtype: 'f64', seed: 6 });
    const x = randomInput(new Rng(7), [S, 4]).values;
    const got = tidy(() => values(conv.forward(Tensor.from(x, [S, 4]), block, { activation: 'relu' })));
    const want = gcnReference(conv, x, e, own).map((v) => Math.max(0, v));
    expect(maxRelDiff(got, want)).toBeLessThan(FWD_TOL);
  });

  it('backpropagates to x, weight and bias as central differences in float64', () => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T, degrees: DEGREES });
    for (const [inC, outC] of [
      [5, 3],
      [3, 5],
    ]) {
      using conv = new GCNConv(inC, outC, { dtype: 'f64', seed: 8 });
      const errors = blockGradcheck(conv, block, randomInput(new Rng(9), [S, inC]).values);
      expect(Object.keys(errors)).toEqual(['x', 'weight', 'bias']);
      for (const [name, err] of Object.entries(errors)) expect(err, `${inC}→${outC} d/d${name}`).toBeLessThan(GRAD_TOL);
    }
  });

  it('refuses a residual or non-gcn aggregation, and degrees that do not fit the block', () => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T });
    using residual = new GCNConv(3, 2, { t: 0.5 });
    using mean = new GCNConv(3, 2, { aggregation: 'mean' });
    using x = Tensor.zeros([S, 3]);
    expectThrows(() => residual.forward(x, block), TypeError, 'GCNConv.forward', "'gcn' and t = 1", 't = 0.5');
    expectThrows(() => mean.forward(x, block), TypeError, "aggregation 'mean'");
    const base = { numSources: S, numTargets: T };
    expectFathom(() => Block.fromEdgeIndex(blockEdges(), { ...base, degrees: [1, 2] }), 'SHAPE', 'Block.fromEdgeIndex', 'degrees has 2 entries', '12 sources');
    expectFathom(() => Block.fromEdgeIndex(blockEdges(), { ...base, degrees: DEGREES.map((d, i) => (i === 3 ? -1 : d)) }), 'RANGE', 'degrees[3] = -1');
    expectThrows(() => Block.fromEdgeIndex(blockEdges(), { ...base, degrees: 'x' as never }), TypeError, 'degrees must be');
    using zero = Block.fromEdgeIndex(blockEdges(), { ...base, degrees: DEGREES.map((d, i) => (i === 1 ? 0 : d)) });
    using conv = new GCNConv(3, 2);
    expectFathom(() => conv.forward(x, zero), 'RANGE', 'Block.gcnNorm', 'degrees[1] = 0', '3 in-edges');
  });
});

describe('GATConv on a sampled block', () => {
  const cases = [
    { version: 'v1' as const, shareWeights: true, concat: true, heads: 2 },
    { version: 'v1' as const, shareWeights: true, concat: false, heads: 3 },
    { version: 'v2' as const, shareWeights: true, concat: true, heads: 2 },
    { version: 'v2' as const, shareWeights: false, concat: false, heads: 2 },
  ];

  it.each(cases)(
    '$version (shared $shareWeights, concat $concat, $heads heads) attends over sampled in-neighbours and the self loop, x_dst the target rows',
    (o) => {
      const e = blockEdges();
      using block = Block.fromEdgeIndex(e, { numSources: S, numTargets: T });
      using conv = new GATConv(4, 3, { ...o, dtype: 'f64', seed: 11 });
      tidy(() => conv.bias!.assign(Tensor.from(randomInput(new Rng(12), [outWidth(conv)]).values, [outWidth(conv)])));
      const x = randomInput(new Rng(13), [S, 4], -1, 1).values;
      const got = tidy(() => values(conv.forward(Tensor.from(x, [S, 4]), block)));
      expect(got.length).toBe(T * outWidth(conv));
      expect(maxRelDiff(got, gatReference(conv, x, e))).toBeLessThan(FWD_TOL);
    },
  );

  it.each(cases)('$version (shared $shareWeights, concat $concat) backpropagates as central differences in float64', (o) => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T });
    using conv = new GATConv(3, 2, { ...o, dtype: 'f64', seed: 14 });
    const errors = blockGradcheck(conv, block, randomInput(new Rng(15), [S, 3], -1, 1).values);
    expect(Object.keys(errors)).toContain('attSrc');
    for (const [name, err] of Object.entries(errors)) expect(err, `d/d${name}`).toBeLessThan(GRAD_TOL);
  });

  it('without self loops gives a target with no sampled edge zero attention output (its bias only)', () => {
    using block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T });
    using conv = new GATConv(3, 2, { addSelfLoops: false, bias: false, dtype: 'f64', seed: 16 });
    const got = tidy(() => values(conv.forward(Tensor.from(randomInput(new Rng(17), [S, 3]).values, [S, 3]), block)));
    expect([...got.subarray(4 * 2, 5 * 2)]).toEqual([0, 0]);
    expect(got.subarray(0, 4 * 2).every((v) => v !== 0)).toBe(true);
  });

  it('refuses a disposed block by name', () => {
    const block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T });
    block.dispose();
    expectThrows(() => block.gcnNorm(), TypeError, 'Block.gcnNorm', 'disposed');
    expectThrows(() => block.attentionOperator(true), TypeError, 'Block.attentionOperator', 'disposed');
    using conv = new GATConv(3, 2);
    using x = Tensor.zeros([S, 3]);
    expectThrows(() => conv.forward(x, block), TypeError, 'GATConv.forward', 'disposed');
  });

  it('frees its block operators with the block', () => {
    const live = liveCpu().tensors;
    {
      using block = Block.fromEdgeIndex(blockEdges(), { numSources: S, numTargets: T, degrees: DEGREES });
      using gat = new GATConv(3, 2, { seed: 1 });
      using gcn = new GCNConv(3, 2, { seed: 1 });
      tidy(() => {
        const x = Tensor.zeros([S, 3]);
        gat.forward(x, block);
        gcn.forward(x, block);
      });
    }
    expect(liveCpu().tensors).toBe(live);
  });
});
