import { afterEach, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { native } from '../../lib/binding/native.js';
import { Rng } from '../../lib/random/rng.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import { ResGCN } from '../../lib/models/ResGCN.js';
import { memory, resetPeakMemory } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// Activations must dominate the parameters for the comparison to mean anything: one [N, h]
// f64 activation is 1200·32·8 = 307 KB, all branch weights of 64 blocks 64·2·16·16·8 = 256 KB
// (their gradients as much again), against ~15 activations alive at the peak.
const N = 1200;
const F = 16;
const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 5000, 3), { numNodes: N });
const rng = new Rng(1);
const x = Tensor.from(
  Float64Array.from({ length: N * F }, () => rng.normal()),
  [N, F],
);
const y = Tensor.from(Int32Array.from({ length: N }, () => rng.nextInt(4)));

const realSpmm = native().spmm;
afterEach(() => {
  native().spmm = realSpmm;
});

/** Peak native bytes above the live bytes before one training step, and the most tensors alive at any propagate call. */
function stepFootprint(residual: 'reversible' | 'fixup', depth: number): { peakBytes: number; maxTensors: number } {
  using model = new ResGCN({
    inChannels: F,
    outChannels: 4,
    hiddenChannels: 32,
    numLayers: depth,
    residual,
    dtype: 'f64',
    dropout: 0.2,
    branchDropout: 0.1,
    seed: 0,
  });
  let maxTensors = 0;
  // Every block's f_i calls spmm, forward and backward: sample the live tensor count there.
  native().spmm = (...args: Parameters<typeof realSpmm>) => {
    maxTensors = Math.max(maxTensors, memory().cpu.tensors);
    return realSpmm(...args);
  };
  const base = memory().cpu;
  resetPeakMemory();
  tidy(() => backward(nllLoss(logSoftmax(model.forward(x, graph)), y)));
  native().spmm = realSpmm;
  return { peakBytes: memory().cpu.peakBytes - base.bytes, maxTensors: maxTensors - base.tensors };
}

describe('reversible blocks keep training memory independent of depth', () => {
  it('peak native bytes of a depth-64 reversible stack stay within 1.5× of depth 16, and live tensors are bounded', () => {
    const shallow = stepFootprint('reversible', 16);
    const deep = stepFootprint('reversible', 64);
    // Parameter gradients (which do grow with depth) are included; they are ~1/50 of an activation budget here.
    expect(deep.peakBytes / shallow.peakBytes).toBeLessThan(1.5);
    // Live tensors other than the parameter gradients (2 per block, kept by design) are one
    // block's worth plus a constant: measured 48 at depth 16 and 40 at depth 64 on a 2000-node graph.
    const others = (f: { maxTensors: number }, depth: number) => f.maxTensors - 2 * depth;
    expect(others(deep, 64)).toBeLessThanOrEqual(others(shallow, 16) + 8);
  }, 300_000);

  it('whereas the same depths with stored activations (fixup blocks) grow about 4×', () => {
    const shallow = stepFootprint('fixup', 16);
    const deep = stepFootprint('fixup', 64);
    expect(deep.peakBytes / shallow.peakBytes).toBeGreaterThan(2.5);
  }, 300_000);
});
