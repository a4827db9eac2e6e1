import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import { ResGCN, type ResGCNOptions } from '../../lib/models/ResGCN.js';
import { memory, resetPeakMemory } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 60;
const F = 9;
const C = 4;
const L = 7;
const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 240, 6), { numNodes: N });
const rng = new Rng(12);
const x = Tensor.from(
  Float64Array.from({ length: N * F }, () => rng.normal()),
  [N, F],
);
const y = Tensor.from(Int32Array.from({ length: N }, () => rng.nextInt(C)));
afterAll(() => {
  graph.dispose();
  x.dispose();
  y.dispose();
});

// Branch dropout on, so the recomputation has to replay the same masks to match.
const base = { inChannels: F, outChannels: C, hiddenChannels: 8, numLayers: L, dtype: 'f64' as const, seed: 3, dropout: 0.4, branchDropout: 0.3 };

// Two training steps' losses and the gradients of every parameter after each (the second step
// draws fresh dropout seeds, so a seed stream out of step would show there).
function run(options: ResGCNOptions): { losses: number[]; grads: number[][] } {
  const model = new ResGCN(options);
  try {
    const losses: number[] = [];
    const grads: number[][] = [];
    for (let step = 0; step < 2; step++) {
      tidy(() => {
        const loss = nllLoss(logSoftmax(model.forward(x, graph)), y);
        losses.push(loss.item());
        backward(loss);
        for (const p of model.parameters()) {
          grads.push(Array.from(p.grad!.toArray()));
          p.grad!.dispose();
          p.grad = null;
        }
      });
    }
    return { losses, grads };
  } finally {
    model.dispose();
  }
}

describe('ResGCN with checkpointEvery', () => {
  it.each<[string, number, Partial<ResGCNOptions>]>([
    ['fixup', 1, { residual: 'fixup' }],
    ['fixup', 3, { residual: 'fixup' }],
    ['fixup', L, { residual: 'fixup' }],
    ['interpolate', 3, { residual: 'interpolate', alpha: 0.5, t: 0.7 }],
    ['res+', 3, { residual: 'res+' }],
    ['res+ with PairNorm', 3, { residual: 'res+', norm: 'pairnorm' }],
    ['fixup with PairNorm', 2, { residual: 'fixup', norm: 'pairnorm' }],
    ['a plain stack', 3, { residual: 'none', init: 'glorot' }],
  ])('gives the loss and gradients of the uncheckpointed run (%s, k = %i)', (_, k, extra) => {
    const plain = run({ ...base, ...extra });
    const ckpt = run({ ...base, ...extra, checkpointEvery: k });
    // The recomputation repeats the forward bit for bit; the gradients differ at most in the
    // order of the two additions at each block input, i.e. by float64 rounding.
    expect(ckpt.losses).toEqual(plain.losses);
    expect(ckpt.grads.length).toBe(plain.grads.length);
    ckpt.grads.forEach((g, i) => {
      const scale = Math.max(...plain.grads[i].map(Math.abs), 1e-300);
      g.forEach((v, j) => expect(Math.abs(v - plain.grads[i][j])).toBeLessThanOrEqual(1e-12 * scale));
    });
  });

  it('evaluates and exposes features exactly as without it', () => {
    const a = new ResGCN({ ...base, checkpointEvery: 2 });
    const b = new ResGCN(base);
    try {
      const evalLogits = (m: ResGCN) =>
        noGrad(() =>
          tidy(() => {
            m.eval();
            return Array.from(m.forward(x, graph).toArray());
          }),
        );
      expect(evalLogits(a)).toEqual(evalLogits(b));
      a.train();
      tidy(() => expect(a.forwardFeatures(x, graph).features.length).toBe(L + 1));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('holds about L/k + k block activations at the peak instead of L', () => {
    const N2 = 1500;
    const depth = 32;
    const g2 = Graph.fromEdgeIndex(randomEdgeIndex(N2, 6000, 9), { numNodes: N2 });
    const x2 = Tensor.from(
      Float64Array.from({ length: N2 * F }, () => rng.normal()),
      [N2, F],
    );
    const y2 = Tensor.from(Int32Array.from({ length: N2 }, () => rng.nextInt(C)));
    const peak = (checkpointEvery?: number) => {
      const model = new ResGCN({ ...base, hiddenChannels: 32, numLayers: depth, branchDropout: 0.2, checkpointEvery });
      try {
        const before = memory().cpu.bytes;
        resetPeakMemory();
        tidy(() => backward(nllLoss(logSoftmax(model.forward(x2, g2)), y2)));
        return (memory().cpu.peakBytes - before) / (N2 * 32 * 8);
      } finally {
        model.dispose();
      }
    };
    try {
      const plain = peak();
      const ckpt = peak(6);
      // In units of one [N, h] f64 tensor. Plain: ~1.14 a block (dropout output, its u8 mask,
      // the ReLU's bits) × 32 blocks, plus ~7 of gradient temporaries and the head; measured 43.
      // k = 6: 6 segment inputs plus one segment of 6 blocks replayed, plus the same ~7 and the
      // replay's incoming gradient; measured 21.
      expect(plain).toBeGreaterThan(depth);
      expect(ckpt).toBeLessThan(0.6 * plain);
    } finally {
      g2.dispose();
      x2.dispose();
      y2.dispose();
    }
  });

  it.each<[Partial<ResGCNOptions>, RegExp]>([
    [{ checkpointEvery: 0 }, /checkpointEvery must be a positive integer, got 0/],
    [{ checkpointEvery: 2.5 }, /checkpointEvery must be a positive integer, got 2.5/],
    [{ checkpointEvery: -1 }, /checkpointEvery must be a positive integer/],
    [{ checkpointEvery: 2, residual: 'reversible' }, /checkpointEvery does not apply to reversible blocks/],
    [{ checkpointEvery: 2, norm: 'lipschitz' }, /checkpointEvery cannot be combined with norm 'lipschitz'/],
  ])('rejects %o with a RangeError', (extra, message) => {
    expect(() => new ResGCN({ ...base, ...extra })).toThrow(RangeError);
    expect(() => new ResGCN({ ...base, ...extra })).toThrow(message);
  });
});
