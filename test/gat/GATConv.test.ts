import { afterAll, describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GATConv } from '../../lib/nn/GATConv.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomInput } from '../helpers/gradcheck.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';
import { gatReference } from './reference.js';

const N = 10;
const edgeIndex = randomEdgeIndex(N, 25, 31);
const graph = Graph.fromEdgeIndex(edgeIndex, { numNodes: N });
afterAll(() => graph.dispose());

// x Wᵀ for W [rows, cols] stored out × in (docs/methods.md §0).
const project = (x: Float64Array, w: Float64Array, rows: number, cols: number) =>
  Float64Array.from({ length: N * rows }, (_, k) => {
    const [i, r] = [Math.floor(k / rows), k % rows];
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[i * cols + c] * w[r * cols + c];
    return s;
  });

describe('GATConv', () => {
  it.each([
    { version: 'v1' as const, shareWeights: true, concat: true },
    { version: 'v2' as const, shareWeights: true, concat: false },
    { version: 'v2' as const, shareWeights: false, concat: false },
  ])('$version (shared $shareWeights, concat $concat) with 3 heads equals projection, dense attention and head mean in f64', (o) => {
    const [inC, outC, heads] = [4, 2, 3];
    const rng = new Rng(8);
    const x = randomInput(rng, [N, inC]).values;
    const weight = randomInput(rng, [heads * outC, inC]).values;
    const weightDst = randomInput(rng, [heads * outC, inC]).values;
    const attSrc = randomInput(rng, [heads * outC]).values;
    const attDst = randomInput(rng, [heads * outC]).values;
    using conv = new GATConv(inC, outC, {
      heads,
      concat: o.concat,
      version: o.version,
      shareWeights: o.shareWeights,
      bias: false,
      dtype: 'f64',
      weight,
      weightDst: o.shareWeights ? undefined : weightDst,
      attSrc,
      attDst: o.version === 'v1' ? attDst : undefined,
    });
    const got = tidy(() => conv.forward(Tensor.from(x, [N, inC]), graph).toArray());
    const xs = project(x, weight, heads * outC, inC);
    const xt = o.shareWeights ? xs : project(x, weightDst, heads * outC, inC);
    const { out } = gatReference({ version: o.version, n: N, heads, edgeIndex, xs, xt, aSrc: attSrc, aDst: o.version === 'v1' ? attDst : undefined });
    const want = o.concat
      ? out
      : Float64Array.from({ length: N * outC }, (_, k) => {
          const [i, f] = [Math.floor(k / outC), k % outC];
          let s = 0;
          for (let h = 0; h < heads; h++) s += out[i * heads * outC + h * outC + f];
          return s / heads;
        });
    expect(got.length).toBe(want.length);
    // Same arithmetic up to summation order: 1e-12 relative.
    for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-12 * (1 + Math.abs(want[k])));
  });

  it('stores weights out × in, attention vectors per head channel, and a bias of the output width', () => {
    using conv = new GATConv(5, 3, { heads: 2, concat: false, version: 'v1' });
    expect(conv.weight.shape).toEqual([6, 5]);
    expect(conv.attSrc.shape).toEqual([6]);
    expect(conv.attDst?.shape).toEqual([6]);
    expect(conv.bias?.shape).toEqual([3]);
  });

  it('without self loops a node attends over its in-neighbours only (one neighbour: its message; none: zero)', () => {
    using g = Graph.fromEdgeIndex(
      [
        [0, 1, 2],
        [1, 2, 0],
      ],
      { numNodes: 4 },
    );
    const weight = [1, 0, 0, 1];
    using conv = new GATConv(2, 2, { version: 'v2', addSelfLoops: false, bias: false, dtype: 'f64', weight, attSrc: [0.3, -0.7] });
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = tidy(() => Array.from(conv.forward(Tensor.from(new Float64Array(x), [4, 2]), g).toArray()));
    // W = I: node 1's only in-neighbour is 0, node 2's is 1, node 0's is 2, node 3 has none.
    expect(out).toEqual([5, 6, 1, 2, 3, 4, 0, 0]);
  });

  it('rejects bad options and inputs', () => {
    expect(() => new GATConv(4, 2, { version: 'v1', shareWeights: false })).toThrow(/shareWeights/);
    expect(() => new GATConv(4, 2, { heads: 0 })).toThrow(/heads/);
    expect(() => new GATConv(4, 2, { dropout: 1 })).toThrow(/dropout/);
    expect(() => new GATConv(4, 2, { weight: [1, 2] })).toThrow(/weight has 2 values/);
    using conv = new GATConv(4, 2);
    tidy(() => expect(() => conv.forward(Tensor.from(new Float32Array(N * 3), [N, 3]), graph)).toThrow(/must be \[10, 4\] \(graph nodes × inChannels\)/));
  });
});
