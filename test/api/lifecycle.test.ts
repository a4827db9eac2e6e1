// Native memory lifecycle: dispose, `using`, tidy/keep, Module.dispose, whole training runs
// and the FinalizationRegistry safety net all bring memory() back to where it started.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  Adam,
  GCN,
  GCNConv,
  Graph,
  Linear,
  NodeData,
  Parameter,
  Rng,
  SGD,
  Tensor,
  add,
  backward,
  datasets,
  devices,
  dropout,
  fit,
  keep,
  logSoftmax,
  memory,
  mul,
  nllLoss,
  relu,
  sum,
  tidy,
} from '../../lib/index.js';
import { DIST_INDEX, ensureDistBuilt, expectFathomRejects, expectThrows, liveCpu, smallGcn, smallNodeData, smallSbm } from '../helpers/apiFixtures.js';

const CUDA = devices().cuda.available;

function randomValues(rng: Rng, n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.nextFloat() - 1;
  return v;
}

describe('dispose and using', () => {
  it('frees a tensor exactly once however often dispose is called', () => {
    const base = liveCpu();
    const t = Tensor.from(randomValues(new Rng(1), 64), [8, 8]);
    expect(liveCpu().tensors).toBe(base.tensors + 1);
    expect(liveCpu().bytes).toBeGreaterThanOrEqual(base.bytes + 64 * 4);
    t.dispose();
    t.dispose();
    t[Symbol.dispose]();
    expect(t.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('disposes tensors, graphs, layers and node data declared with using at the end of their block', () => {
    const base = liveCpu();
    let t: Tensor;
    let graph: Graph;
    let conv: GCNConv;
    let data: NodeData;
    {
      using a = Tensor.from(randomValues(new Rng(2), 12), [3, 4]);
      using g = Graph.fromEdgeIndex(new Int32Array([0, 1, 1, 2, 1, 0, 2, 1]), { numNodes: 3 });
      g.operator('gcn');
      using c = new GCNConv(4, 2, { seed: 0 });
      using d = smallNodeData({ numNodes: 40, numEdges: 200 });
      [t, graph, conv, data] = [a, g, c, d];
      expect(liveCpu().tensors).toBeGreaterThan(base.tensors + 3);
    }
    expect(t.disposed).toBe(true);
    expect(graph.disposed).toBe(true);
    expect(conv.disposed).toBe(true);
    expect(data.x.disposed && data.y.disposed && data.graph.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('disposes a using declaration also when its block throws', () => {
    const base = liveCpu();
    let t: Tensor | undefined;
    expect(() => {
      using a = Tensor.zeros([5]);
      t = a;
      throw new Error('boom');
    }).toThrow('boom');
    expect(t!.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });
});

describe('tidy and keep', () => {
  it('disposes the intermediates and returns the tensor that fn returns', () => {
    const base = liveCpu();
    let inner: Tensor[] = [];
    const out = tidy(() => {
      const a = Tensor.from(randomValues(new Rng(3), 6), [2, 3]);
      const b = relu(a);
      const c = mul(a, b);
      inner = [a, b];
      return c;
    });
    expect(inner.every((t) => t.disposed)).toBe(true);
    expect(out.disposed).toBe(false);
    expect(liveCpu().tensors).toBe(base.tensors + 1);
    out.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('returns survivors in arrays and plain objects and disposes the rest', () => {
    const base = liveCpu();
    const { pair, named, count } = tidy(() => {
      const a = Tensor.zeros([2]);
      const b = Tensor.zeros([3]);
      Tensor.zeros([4]); // dropped
      const c = Tensor.zeros([5]);
      return { pair: [a, b], named: { c }, count: 3 };
    });
    expect(count).toBe(3);
    expect([...pair, named.c].map((t) => t.disposed)).toEqual([false, false, false]);
    expect(liveCpu().tensors).toBe(base.tensors + 3);
    for (const t of [...pair, named.c]) t.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('moves the survivors of a nested tidy to the enclosing one, which disposes them unless returned', () => {
    const base = liveCpu();
    let fromInner: Tensor | undefined;
    const n = tidy(() => {
      fromInner = tidy(() => {
        Tensor.zeros([7]);
        return Tensor.zeros([8]);
      });
      expect(fromInner.disposed).toBe(false);
      return fromInner.numel;
    });
    expect(n).toBe(8);
    expect(fromInner!.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('keeps a tensor passed to keep() alive past every enclosing scope', () => {
    const base = liveCpu();
    let kept: Tensor | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(Tensor.zeros([3]));
        Tensor.zeros([3]);
      });
    });
    expect(kept!.disposed).toBe(false);
    expect(liveCpu().tensors).toBe(base.tensors + 1);
    kept!.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('keeps parameters, and optimizer state made from them, that were created inside tidy', () => {
    const base = liveCpu();
    let conv!: GCNConv;
    tidy(() => {
      conv = new GCNConv(4, 3, { seed: 1 });
    });
    expect(conv.parameters().every((p) => !p.disposed)).toBe(true);
    const p = tidy(() => Parameter.fromValues([1, 2, 3], [3]));
    const state = tidy(() => p.zerosLike());
    expect(p.disposed || state.disposed).toBe(false);
    expect(p.requiresGrad).toBe(true);
    conv.dispose();
    p.dispose();
    state.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('disposes the intermediates when fn throws', () => {
    const base = liveCpu();
    const made: Tensor[] = [];
    expect(() =>
      tidy(() => {
        made.push(Tensor.zeros([4]), Tensor.zeros([2, 2]));
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(made.map((t) => t.disposed)).toEqual([true, true]);
    expect(liveCpu()).toEqual(base);
  });

  it('leaves a parameter gradient computed by backward inside tidy usable after the scope', () => {
    const base = liveCpu();
    const w = Parameter.fromValues([1, 2, 3], [3]);
    try {
      tidy(() => {
        backward(sum(mul(w, w)));
      });
      expect(w.grad).not.toBeNull();
      expect(w.grad!.disposed).toBe(false);
      expect(Array.from(w.grad!.toArray())).toEqual([2, 4, 6]);
      // the canonical pattern: gradients in a scope, the update after it
      using opt = new SGD([w], { lr: 0.5 });
      opt.step();
      expect(Array.from(w.toArray())).toEqual([0, 0, 0]);
      opt.zeroGrad();
    } finally {
      w.grad?.dispose();
      w.dispose();
    }
    expect(liveCpu()).toEqual(base);
  });
});

describe('memory() returns to the baseline', () => {
  it('after creating and disposing tensors of every dtype', () => {
    const base = liveCpu();
    const rng = new Rng(4);
    const ts = [
      Tensor.from(randomValues(rng, 100), [10, 10]),
      Tensor.from(Float64Array.from(randomValues(rng, 30)), [5, 6]),
      Tensor.from(new Int32Array(17)),
      Tensor.from(new Uint8Array(33)),
      Tensor.zeros([0, 4]),
      Tensor.full([3, 3], 2, { dtype: 'f64' }),
    ];
    const grown = liveCpu();
    expect(grown.tensors).toBe(base.tensors + ts.length);
    expect(grown.bytes).toBeGreaterThanOrEqual(base.bytes + 400 + 240 + 68 + 33 + 72);
    const copies = ts.map((t) => t.clone());
    const casts = ts.slice(0, 2).map((t) => t.cast('f64'));
    for (const t of [...ts, ...copies, ...casts]) t.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after a GCN forward and backward inside tidy, the model and data disposed', () => {
    const base = liveCpu();
    const data = smallNodeData();
    const model = smallGcn(data, { seed: 1 });
    const withModel = liveCpu();
    const lossValue = tidy(() => {
      const loss = nllLoss(logSoftmax(model.forward(data.x, data.graph)), data.y, data.trainMask);
      backward(loss);
      for (const p of model.parameters()) {
        expect(p.grad, 'every parameter gets a gradient').not.toBeNull();
        expect(p.grad!.shape).toEqual(p.shape);
        p.grad!.dispose();
        p.grad = null;
      }
      return loss.item();
    });
    expect(Number.isFinite(lossValue)).toBe(true);
    // The graph caches its operator on first use; nothing else outlives the step.
    const op = data.graph.operator('gcn');
    expect(op.nnz).toBeGreaterThan(0);
    expect(liveCpu().tensors).toBeGreaterThanOrEqual(withModel.tensors);
    const afterStep = liveCpu();
    tidy(() => {
      backward(nllLoss(logSoftmax(model.forward(data.x, data.graph)), data.y, data.trainMask));
      for (const p of model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
    });
    expect(liveCpu()).toEqual(afterStep);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after a whole short fit on a synthetic graph, the model and data disposed', async () => {
    const base = liveCpu();
    const g = datasets.rmatGraph({ numNodes: 300, numEdges: 2400, numFeatures: 8, numClasses: 3, seed: 5 });
    const data = NodeData.from(g);
    const model = new GCN({ inChannels: 8, hiddenChannels: 8, outChannels: 3, seed: 2 });
    const result = await fit(model, data, { epochs: 5, patience: 0 });
    expect(result.epochsRun).toBe(5);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
    expect(memory().cpu.peakBytes).toBeGreaterThan(base.bytes);
  });

  it('after fit with a caller-owned Adam and SGD, once the optimizers are disposed', async () => {
    const base = liveCpu();
    using data = smallNodeData({ numNodes: 80, numEdges: 600 });
    data.graph.operator('gcn'); // the graph's operator cache lives as long as the graph
    for (const make of [(m: GCN) => new Adam(m.parameters(), { lr: 0.01 }), (m: GCN) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 })]) {
      using model = smallGcn(data);
      const withModel = liveCpu();
      const opt = make(model);
      await fit(model, data, { epochs: 3, patience: 0, optimizer: opt });
      // fit left the caller's optimizer (and its state) alone
      expect(liveCpu().tensors).toBeGreaterThan(withModel.tensors);
      opt.dispose();
      expect(liveCpu()).toEqual(withModel);
    }
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after gradients accumulate over several backward passes and are then dropped', () => {
    const base = liveCpu();
    const w = Parameter.fromValues([1, -2, 3], [3]);
    for (let i = 0; i < 3; i++) {
      const square = mul(w, w);
      const root = sum(square);
      backward(root);
      root.dispose();
      square.dispose();
    }
    expect(Array.from(w.grad!.toArray())).toEqual([6, -12, 18]);
    w.grad!.dispose();
    w.grad = null;
    w.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after dropout outside tidy, once its output is disposed', () => {
    const base = liveCpu();
    const x = Tensor.from(randomValues(new Rng(6), 32), [8, 4]);
    const y = dropout(x, 0.5, { seed: 3 });
    y.dispose();
    x.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after NodeData.from rejects features with a NaN', () => {
    const base = liveCpu();
    const g = smallSbm({ numNodes: 40, numEdges: 200 });
    g.x[3] = Number.NaN;
    expectThrows(() => NodeData.from(g), RangeError, 'NaN');
    expect(liveCpu()).toEqual(base);
  });

  it.runIf(!CUDA)('after Graph.operator fails to move an operator to an unavailable cuda device', () => {
    const base = liveCpu();
    const graph = Graph.fromEdgeIndex(new Int32Array([0, 1, 1, 2, 1, 0, 2, 1]), { numNodes: 3 });
    const withGraph = liveCpu();
    expectThrows(() => graph.operator('gcn', { device: 'cuda' }), Error, /cuda/i);
    expect(liveCpu()).toEqual(withGraph);
    graph.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('after the GCN constructor fails on its last layer', () => {
    const base = liveCpu();
    expectThrows(() => new GCN({ inChannels: 4, hiddenChannels: 8, outChannels: 0 }), RangeError, 'outChannels');
    expect(liveCpu()).toEqual(base);
  });

  it('after fit fails inside a training step (a train label out of range)', async () => {
    const base = liveCpu();
    const g = smallSbm({ numNodes: 60, numEdges: 300 });
    const bad = g.trainMask.indexOf(1);
    g.y[bad] = g.numClasses; // out of [0, C) in a training row
    const data = NodeData.from(g);
    const model = smallGcn(data);
    await expectFathomRejects(fit(model, data, { epochs: 3 }), 'RANGE', 'nllLoss', `labels[${bad}] = ${g.numClasses}`);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });
});

describe('gradient ownership', () => {
  it('gives two leaves added together gradient tensors of their own, which accumulate separately', () => {
    const base = liveCpu();
    const x = Parameter.fromValues([1, 2], [2]);
    const y = Parameter.fromValues([3, 4], [2]);
    try {
      for (let i = 0; i < 2; i++) {
        const s = add(x, y);
        const root = sum(s);
        backward(root);
        root.dispose();
        s.dispose();
      }
      expect(x.grad).not.toBe(y.grad);
      expect(Array.from(x.grad!.toArray())).toEqual([2, 2]);
      expect(Array.from(y.grad!.toArray())).toEqual([2, 2]);
    } finally {
      x.grad?.dispose();
      y.grad?.dispose();
      x.dispose();
      y.dispose();
    }
    expect(liveCpu()).toEqual(base);
  });
});

describe('Module.dispose', () => {
  it('frees every parameter of a model and its gradients, idempotently', () => {
    const base = liveCpu();
    const model = new GCN({ inChannels: 6, hiddenChannels: 5, outChannels: 3, numLayers: 3, seed: 0 });
    const params = model.parameters();
    expect(params).toHaveLength(6);
    expect(model.numParameters()).toBe(6 * 5 + 5 + 5 * 5 + 5 + 5 * 3 + 3);
    const withModel = liveCpu();
    expect(withModel.tensors).toBe(base.tensors + 6);
    expect(withModel.bytes).toBeGreaterThanOrEqual(base.bytes + 4 * model.numParameters());
    for (const p of params) p.grad = tidy(() => keep(Tensor.zeros(p.shape)));
    expect(liveCpu().tensors).toBe(base.tensors + 12);
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(model.layers.every((l) => l.disposed)).toBe(true);
    expect(params.every((p) => p.disposed)).toBe(true);
    expect(liveCpu()).toEqual(base);
    expect(() => model.dispose()).not.toThrow();
    expect(liveCpu()).toEqual(base);
  });

  it('frees a Linear layer without bias', () => {
    const base = liveCpu();
    const lin = new Linear(4, 2, { bias: false, seed: 0 });
    expect(lin.parameters()).toHaveLength(1);
    lin.dispose();
    expect(liveCpu()).toEqual(base);
  });
});

describe('the FinalizationRegistry safety net', () => {
  beforeAll(() => ensureDistBuilt());

  it.runIf(typeof globalThis.gc === 'function')('frees unreachable tensors after a garbage collection (in process)', async () => {
    const base = liveCpu().tensors;
    (() => {
      for (let i = 0; i < 50; i++) Tensor.zeros([16]);
    })();
    expect(liveCpu().tensors).toBe(base + 50);
    for (let round = 0; round < 50 && liveCpu().tensors > base; round++) {
      (globalThis.gc as () => void)();
      for (let k = 0; k < 5; k++) await new Promise<void>((r) => setImmediate(r));
    }
    expect(liveCpu().tensors).toBeLessThan(base + 50);
  });

  it('frees unreachable tensors after gc in a child node --expose-gc running the built package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-gc-'));
    try {
      const script = join(dir, 'gc.mjs');
      writeFileSync(
        script,
        `const { Tensor, memory, tidy } = await import(${JSON.stringify(pathToFileURL(DIST_INDEX).href)});
const base = memory().cpu.tensors;
function make() {
  for (let i = 0; i < 100; i++) Tensor.from(new Float32Array(64), [8, 8]);
}
make();
const made = memory().cpu.tensors - base;
const bytes = memory().cpu.bytes;
let left = made;
for (let round = 0; round < 50 && left > 0; round++) {
  globalThis.gc();
  for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  left = memory().cpu.tensors - base;
}
// Explicitly disposed tensors are unregistered: a later gc must not free them twice.
const kept = Tensor.zeros([4]);
kept.dispose();
globalThis.gc();
for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
process.stdout.write(JSON.stringify({ made, left, bytesBefore: bytes, bytesAfter: memory().cpu.bytes, final: memory().cpu.tensors - base }));
`,
      );
      const r = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { made: number; left: number; bytesBefore: number; bytesAfter: number; final: number };
      expect(out.made).toBe(100);
      expect(out.left).toBeLessThan(out.made);
      expect(out.left).toBe(0);
      expect(out.bytesAfter).toBeLessThan(out.bytesBefore);
      expect(out.final).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
