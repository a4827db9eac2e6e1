import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import { ResGCN, type ResGCNOptions } from '../../lib/models/ResGCN.js';
import { memory } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 30;
const F = 7;
const C = 3;
const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 90, 4), { numNodes: N });
const rng = new Rng(8);
const x = Tensor.from(
  Float64Array.from({ length: N * F }, () => rng.normal()),
  [N, F],
);
const y = Tensor.from(Int32Array.from({ length: N }, () => rng.nextInt(C)));
const base = { inChannels: F, outChannels: C, hiddenChannels: 8, numLayers: 6, dtype: 'f64' as const, seed: 1 };

describe('ResGCN', () => {
  it.each<Partial<ResGCNOptions>>([
    { residual: 'fixup' },
    { residual: 'fixup', zeroInitBranch: true },
    { residual: 'interpolate', alpha: 0.5, t: 0.6 },
    { residual: 'res+', norm: 'pairnorm', branchDropout: 0.2 },
    { residual: 'reversible', groups: 4, branchDropout: 0.2 },
    { residual: 'none', aggregation: 'mean' },
    { residual: 'fixup', norm: 'lipschitz', lipschitzMode: 'c' },
    { residual: 'interpolate', norm: 'pairnorm', pairNormIndividual: true },
    { residual: 'fixup', init: 'looks-linear' },
    { residual: 'fixup', init: 'orthogonal' },
    { residual: 'fixup', aggregation: 'sum', cW: 0.1 },
  ])('with %o gives finite [N, C] logits and a finite gradient for every parameter', (opts) => {
    using model = new ResGCN({ ...base, ...opts });
    // The graph caches each operator on first use; build it first so the count sees only the step.
    graph.operator(opts.aggregation ?? 'gcn', { dtype: 'f64' });
    const before = memory().cpu.tensors;
    tidy(() => {
      const logits = model.forward(x, graph);
      expect(logits.shape).toEqual([N, C]);
      backward(nllLoss(logSoftmax(logits), y));
    });
    for (const p of model.parameters()) {
      expect(p.grad).not.toBeNull();
      for (const v of p.grad!.toArray()) expect(Number.isFinite(v)).toBe(true);
    }
    // Only parameter gradients outlive the step.
    expect(memory().cpu.tensors - before).toBe(model.parameters().length);
  });

  it.each<[ResGCNOptions['residual'], 'c' | 'c/L']>([
    ['res+', 'c/L'],
    ['interpolate', 'c/L'],
    ['fixup', 'c'],
    ['none', 'c'],
  ])('defaults lipschitz for %s blocks to mode %s (the measured choice, docs/results-res.md)', (residual, mode) => {
    using model = new ResGCN({ ...base, residual, norm: 'lipschitz' });
    expect(model.options.lipschitzMode).toBe(mode);
  });

  it('is deterministic for a seed, dropout included', () => {
    const run = () => {
      using model = new ResGCN({ ...base, residual: 'reversible', branchDropout: 0.3 });
      return tidy(() => model.forward(x, graph).toArray());
    };
    expect(run()).toEqual(run());
  });

  it('builds and evaluates a 1000-block stack without overflow (fixup keeps the scale O(1))', () => {
    using model = new ResGCN({ ...base, hiddenChannels: 4, numLayers: 1000 });
    model.eval();
    const out = noGrad(() => tidy(() => model.forward(x, graph).toArray()));
    for (const v of out) expect(Math.abs(v)).toBeLessThan(1e3);
  });

  it.each<[Partial<ResGCNOptions>, RegExp]>([
    [{ residual: 'fixup', alpha: 0.5 }, /alpha is the interpolate block's weight; set residual: 'interpolate'/],
    [{ residual: 'fixup', groups: 2 }, /groups applies to reversible blocks/],
    [{ residual: 'reversible', norm: 'pairnorm' }, /not available with reversible blocks/],
    [{ residual: 'reversible', hiddenChannels: 9, groups: 2 }, /hiddenChannels \(9\) must be divisible by groups \(2\)/],
    [{ init: 'looks-linear', hiddenChannels: 9 }, /looks-linear needs even hidden widths, got 9/],
    [{ aggregation: 'sum' }, /gnn-he needs C_W = 2\/λ_max\(A\)²/],
    [{ init: 'glorot', cW: 2 }, /cW is gnn-he's constant/],
    [{ norm: 'none', lipschitzMode: 'c' }, /need norm: 'lipschitz'/],
    [{ residual: 'none', zeroInitBranch: true }, /zeroInitBranch would zero the whole signal/],
    [{ numLayers: 0 }, /numLayers must be a positive integer, got 0/],
    [{ t: 0 }, /t must be in \(0, 1\], got 0/],
    [{ residual: 'dense' as never }, /residual must be one of fixup, interpolate, res\+, reversible, none/],
  ])('rejects %o with a RangeError that says what to change', (opts, message) => {
    const before = memory().cpu.tensors;
    expect(() => new ResGCN({ ...base, ...opts })).toThrow(message);
    expect(memory().cpu.tensors).toBe(before);
  });
});
