import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GCNConv } from '../../lib/nn/GCNConv.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectThrows } from '../helpers/apiFixtures.js';
import { randomInput } from '../helpers/gradcheck.js';
import { denseMatmul, denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 30;

describe('GCNConv.forward with an activation', () => {
  // 10 → 4 runs the operator last (bias and ReLU fused into its pass); 4 → 10 runs it first.
  it.each([
    [10, 4, 1, true],
    [10, 4, 0.4, false],
    [4, 10, 0.7, true],
  ] as const)('%i → %i, t = %s, bias %s: relu option equals relu(forward), forward and gradients', (inC, outC, t, bias) => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 90, 12), { numNodes: N });
    using conv = new GCNConv(inC, outC, { seed: 3, t, bias, dtype: 'f64' });
    const rng = new Rng(13);
    const xv = randomInput(rng, [N, inC]).values;
    const gv = randomInput(rng, [N, outC]).values;
    if (bias) tidy(() => conv.bias!.assign(Tensor.from(randomInput(rng, [outC]).values)));
    const run = (fused: boolean) =>
      tidy(() => {
        for (const p of conv.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        const x = Tensor.from(xv, [N, inC]);
        x.requiresGrad = true;
        const y = fused ? conv.forward(x, graph, { activation: 'relu' }) : relu(conv.forward(x, graph));
        backward(y, Tensor.from(gv, [N, outC]));
        return [y, x.grad!, ...conv.parameters().map((p) => p.grad!)].map((v) => Array.from(v.toArray()));
      });
    const fused = run(true);
    expect(fused).toEqual(run(false));
    // And against the definition ReLU(P_t X Wᵀ + b) in plain float64.
    const p = denseOperator(randomEdgeIndex(N, 90, 12), N, 'gcn').map((v, i) => t * v + (i % (N + 1) === 0 ? 1 - t : 0));
    const w = Array.from(conv.weight.toArray());
    const b = bias ? Array.from(conv.bias!.toArray()) : null;
    const wt = new Float64Array(inC * outC).map((_, k) => w[(k % outC) * inC + Math.floor(k / outC)]);
    const want = denseMatmul(denseMatmul(p, xv, N, N, inC), wt, N, inC, outC).map((v, k) => Math.max(v + (b ? b[k % outC] : 0), 0));
    let err = 0;
    for (let k = 0; k < want.length; k++) err = Math.max(err, Math.abs(fused[0][k] - want[k]));
    // f64 sums of ≤ ~20 terms of size ≤ 1: rounding ≈ 1e-15; 1e-12 is a safe bound.
    expect(err).toBeLessThan(1e-12);
  });

  it('keeps the PyG default (no activation) and rejects an unknown activation', () => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 90, 12), { numNodes: N });
    using conv = new GCNConv(5, 2, { seed: 1 });
    tidy(() => {
      const x = Tensor.from(randomInput(new Rng(2), [N, 5]).values, [N, 5], { dtype: 'f32' });
      const y = conv.forward(x, graph).toArray();
      expect(Array.from(y).some((v) => v < 0)).toBe(true);
      expectThrows(() => conv.forward(x, graph, { activation: 'gelu' as never }), TypeError, 'GCNConv.forward', 'activation', 'gelu');
      expectThrows(() => conv.forward(x, graph, null as never), TypeError, 'GCNConv.forward', 'options');
    });
  });
});
