// Determinism on the CPU, as promised (README, setDeterministic, docs/robustness.md):
// - the same seed and the same thread count give the same bits, run after run, with
//   deterministic mode off or on;
// - in deterministic mode the bits do not depend on the thread count either: GEMM then runs the
//   built-in kernel, and every other kernel is thread-count independent anyway.
// Outside deterministic mode OpenBLAS's GEMM may round differently with 1 and 2 threads, and
// whether that reaches the trained weights is not promised either way: nothing here asserts it.
// Every comparison is of whole arrays, bit for bit (NaN payloads and signed zeros included).
import { afterAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import {
  backward,
  devices,
  dropout,
  fit,
  GCN,
  logSoftmax,
  matmul,
  NodeData,
  nllLoss,
  propagate,
  relu,
  Rng,
  setDeterministic,
  setNumThreads,
  sum,
  Tensor,
  tidy,
} from '../../lib/index.js';

const cora = loadDataset('cora', { normalizeFeatures: true });
const defaultThreads = devices().cpu.threads;
afterAll(() => {
  setDeterministic(false);
  setNumThreads(defaultThreads);
});

/** A named array's raw bits: float32 and int32 words as Uint32, float64 as two Uint32 each. */
type Bits = { name: string; words: Uint32Array };
const bitsOf = (name: string, a: Float32Array | Float64Array | Int32Array | Uint8Array): Bits => ({
  name,
  words: a instanceof Uint8Array ? Uint32Array.from(a) : new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4),
});
const tensorBits = (name: string, t: Tensor): Bits => bitsOf(name, t.toArray());

/**
 * Where two lists of arrays differ: null when every array has the same name, length and bits,
 * else the first difference and how many words differ in that array, for a readable failure.
 */
function firstDifference(a: Bits[], b: Bits[]): string | null {
  if (a.length !== b.length) return `${a.length} arrays vs ${b.length}`;
  for (let k = 0; k < a.length; k++) {
    const [x, y] = [a[k], b[k]];
    if (x.name !== y.name || x.words.length !== y.words.length) return `array ${k}: ${x.name}[${x.words.length}] vs ${y.name}[${y.words.length}]`;
    let count = 0;
    let first = -1;
    for (let i = 0; i < x.words.length; i++) {
      if (x.words[i] !== y.words[i]) {
        count++;
        if (first < 0) first = i;
      }
    }
    if (count > 0) {
      const hex = (w: number) => `0x${w.toString(16).padStart(8, '0')}`;
      return `${x.name}: ${count} of ${x.words.length} words differ, first at ${first} (${hex(x.words[first])} vs ${hex(y.words[first])})`;
    }
  }
  return null;
}

interface Run {
  /** The weights as initialized, per parameter. */
  initial: Bits[];
  /** Every epoch's losses and accuracies, per metric. */
  history: Bits[];
  /** The weights after training, per parameter. */
  weights: Bits[];
}

const METRICS = ['trainLoss', 'valLoss', 'trainAcc', 'valAcc', 'testAcc'] as const;

/** Trains a 2-layer GCN (dropout 0.5) on Cora for 8 epochs with `threads` threads. */
async function train(threads: number, seed = 11): Promise<Run> {
  setNumThreads(threads);
  expect(devices().cpu.threads).toBe(threads);
  using data = NodeData.from(cora);
  using model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 32, outChannels: cora.numClasses, seed });
  const names = model.namedParameters().map(([name]) => name);
  const initial = model.parameters().map((p, i) => tensorBits(names[i], p));
  const r = await fit(model, data, { epochs: 8, patience: 0, lr: 0.01, weightDecay: 5e-4 });
  expect(r.epochsRun).toBe(8);
  const history = METRICS.map((k) => bitsOf(k, new Float64Array(r.history.map((h) => h[k]))));
  return { initial, history, weights: model.parameters().map((p, i) => tensorBits(names[i], p)) };
}

/** Asserts two runs are the same bits throughout, and that training moved every weight array. */
function expectSameRun(a: Run, b: Run): void {
  expect(firstDifference(a.initial, b.initial)).toBeNull();
  expect(firstDifference(a.history, b.history)).toBeNull();
  expect(firstDifference(a.weights, b.weights)).toBeNull();
  // Not vacuous: the comparison covers trained weights, not the initial ones left in place.
  for (let k = 0; k < a.weights.length; k++) expect(firstDifference([a.initial[k]], [a.weights[k]])).not.toBeNull();
}

/**
 * GEMM alone, on the shapes a dense-feature Cora GCN runs (forward X·Wᵀ, weight gradient Gᵀ·X).
 * Training above reads Cora's bag-of-words features as nonzeros, so its products are mostly
 * sparse: this probe holds the dense kernel to the promise directly.
 */
function gemmBits(threads: number): Bits[] {
  setNumThreads(threads);
  const rng = new Rng(3);
  return tidy(() => {
    const x = Tensor.from(rng.fillNormal(new Float32Array(2708 * 1433)), [2708, 1433]);
    const w = Tensor.from(rng.fillNormal(new Float32Array(32 * 1433)), [32, 1433]);
    const g = Tensor.from(rng.fillNormal(new Float32Array(2708 * 32)), [2708, 32]);
    return [tensorBits('X·Wᵀ', matmul(x, w, { transB: true })), tensorBits('Gᵀ·X', matmul(g, x, { transA: true }))];
  });
}

/** Every other kernel of a GCN step: propagation, ReLU, dropout, log-softmax, loss and their gradients. */
function otherOpsBits(threads: number): Bits[] {
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
    return [
      tensorBits('propagate(x)', propagate(op, data.x)),
      tensorBits('dropout(relu(propagate(h)))', z),
      tensorBits('logSoftmax', logp),
      tensorBits('nllLoss', loss),
      tensorBits('∂loss/∂h', h.grad!),
      tensorBits('sum(logp)', sum(logp)),
    ];
  });
}

describe('determinism on the CPU', () => {
  it('trains bit-identically run after run with the same seed and thread count', async () => {
    const a = await train(2);
    expectSameRun(a, await train(2));
    // The comparison sees a difference where there is one: another seed, other bits.
    const other = await train(2, 12);
    expect(firstDifference(a.weights, other.weights)).not.toBeNull();
    expect(firstDifference(a.history, other.history)).not.toBeNull();
  });

  it('trains bit-identically run after run in deterministic mode too', async () => {
    setDeterministic(true);
    try {
      expect(devices().cpu.deterministic).toBe(true);
      expectSameRun(await train(2), await train(2));
    } finally {
      setDeterministic(false);
    }
  });

  it('gives bit-identical results with 1 and 2 threads for every kernel but GEMM', () => {
    expect(firstDifference(otherOpsBits(1), otherOpsBits(2))).toBeNull();
  });

  it('gives bit-identical GEMM with 1 and 2 threads in deterministic mode', () => {
    setDeterministic(true);
    try {
      expect(firstDifference(gemmBits(1), gemmBits(2))).toBeNull();
    } finally {
      setDeterministic(false);
    }
  });

  it('trains bit-identically with 1 and 2 threads in deterministic mode', async () => {
    setDeterministic(true);
    try {
      expectSameRun(await train(1), await train(2));
    } finally {
      setDeterministic(false);
    }
  });
});
