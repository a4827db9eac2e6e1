// Determinism on the CPU: the same seed gives the same bits, run after run, and across
// thread counts for every kernel whose reduction order does not depend on the thread count.
// OpenBLAS's GEMM is the exception (see docs/robustness.md): these tests pin that it is the
// only one, so a new source of nondeterminism shows up as a failure, not as noise.
import { afterAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import {
  GCN, NodeData, Rng, Tensor, backward, devices, dropout, fit, logSoftmax, matmul, nllLoss, propagate, relu, setDeterministic, setNumThreads, sum, tidy,
} from '../../lib/index.js';

const cora = loadDataset('cora', { normalizeFeatures: true });
const defaultThreads = devices().cpu.threads;
afterAll(() => setNumThreads(defaultThreads));

const bits = (t: Tensor) => Buffer.from(t.toArray().buffer).toString('base64');

/** Trains a 2-layer GCN on Cora for 8 epochs with `threads` threads: losses and final weights as bits. */
async function train(threads: number): Promise<{ losses: number[]; weights: string[] }> {
  setNumThreads(threads);
  using data = NodeData.from(cora);
  using model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 32, outChannels: cora.numClasses, seed: 11 });
  const r = await fit(model, data, { epochs: 8, patience: 0, lr: 0.01, weightDecay: 5e-4 });
  return { losses: r.history.map((h) => h.trainLoss), weights: model.parameters().map(bits) };
}

/** GEMM alone, on the shapes a Cora GCN runs (forward X·Wᵀ and the weight gradient Gᵀ·X). */
function gemmBits(threads: number): string[] {
  setNumThreads(threads);
  const rng = new Rng(3);
  return tidy(() => {
    const x = Tensor.from(rng.fillNormal(new Float32Array(2708 * 1433)), [2708, 1433]);
    const w = Tensor.from(rng.fillNormal(new Float32Array(32 * 1433)), [32, 1433]);
    const g = Tensor.from(rng.fillNormal(new Float32Array(2708 * 32)), [2708, 32]);
    return [bits(matmul(x, w, { transB: true })), bits(matmul(g, x, { transA: true }))];
  });
}

/** Every other kernel of a GCN step: propagation, ReLU, dropout, log-softmax, loss and their gradients. */
function otherOpsBits(threads: number): string[] {
  setNumThreads(threads);
  using data = NodeData.from(cora);
  const op = data.graph.operator('gcn');
  return tidy(() => {
    const h = Tensor.from(new Rng(4).fillNormal(new Float32Array(2708 * 7)), [2708, 7]);
    h.requiresGrad = true;
    const z = dropout(relu(propagate(op, h)), 0.5, { seed: 9 });
    const logp = logSoftmax(propagate(op, z));
    const loss = nllLoss(logp, data.y, data.trainMask);
    backward(loss);
    return [bits(propagate(op, data.x)), bits(z), bits(logp), bits(loss), bits(h.grad!), bits(sum(logp))];
  });
}

describe('determinism on the CPU', () => {
  it('gives bit-identical losses and weights for the same seed, run after run', async () => {
    const a = await train(defaultThreads);
    const b = await train(defaultThreads);
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
  });

  it('gives bit-identical results with 1 and 2 threads for every kernel but GEMM', () => {
    expect(otherOpsBits(2)).toEqual(otherOpsBits(1));
  });

  it('gives bit-identical losses and weights with 1 and 2 threads in deterministic mode', async () => {
    setDeterministic(true);
    try {
      expect(gemmBits(2)).toEqual(gemmBits(1));
      const one = await train(1);
      const two = await train(2);
      expect(two.losses).toEqual(one.losses);
      expect(two.weights).toEqual(one.weights);
    } finally {
      setDeterministic(false);
    }
  });

  it('gives bit-identical training with 1 and 2 threads exactly when GEMM does', async () => {
    const gemmSame = JSON.stringify(gemmBits(1)) === JSON.stringify(gemmBits(2));
    const one = await train(1);
    const two = await train(2);
    const trainSame = JSON.stringify(one) === JSON.stringify(two);
    // With the built-in GEMM (which splits only the output, never the inner sum) both are
    // identical. With OpenBLAS both may differ; training must never differ on its own.
    if (devices().cpu.blas.startsWith('built-in')) expect(gemmSame).toBe(true);
    expect(trainSame).toBe(gemmSame);
  });
});
