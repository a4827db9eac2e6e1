import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import * as models from '../../lib/models/builders.js';
import { GIN, ginEntry, ginOptionsSchema, type GINOptions } from '../../lib/models/GIN.js';
import type { MLP } from '../../lib/nn/MLP.js';
import { Adam } from '../../lib/optim/Adam.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { fit } from '../../lib/train/fit.js';
import { expectThrows, liveCpu, smallNodeData } from '../helpers/apiFixtures.js';
import { randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { denseMatmul, randomEdgeIndex } from '../helpers/randomGraph.js';

const CUDA = devices().cuda.available;
const N = 40;
const EDGES = randomEdgeIndex(N, 160, 31);
const OPTS: GINOptions = { inChannels: 12, hiddenChannels: 8, outChannels: 3, numLayers: 3, dropout: 0.5, trainEps: true, seed: 7 };

const values = (t: Tensor) => Float64Array.from(t.toArray());
const shapes = (m: GIN) => m.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);

describe('GIN', () => {
  it('is [GINConv → ReLU → dropout] × L → Linear, with PyG-style parameter names', () => {
    using model = new GIN(OPTS);
    expect(model.name).toBe('gin');
    expect(model.layers).toHaveLength(3);
    expect(shapes(model)).toEqual([
      'conv0.eps:1',
      'conv0.nn.lin1.weight:8x12',
      'conv0.nn.lin1.bias:8',
      'conv0.nn.lin2.weight:8x8',
      'conv0.nn.lin2.bias:8',
      'conv1.eps:1',
      'conv1.nn.lin1.weight:8x8',
      'conv1.nn.lin1.bias:8',
      'conv1.nn.lin2.weight:8x8',
      'conv1.nn.lin2.bias:8',
      'conv2.eps:1',
      'conv2.nn.lin1.weight:8x8',
      'conv2.nn.lin1.bias:8',
      'conv2.nn.lin2.weight:8x8',
      'conv2.nn.lin2.bias:8',
      'classifier.weight:3x8',
      'classifier.bias:3',
    ]);
    using fixed = new GIN({ ...OPTS, trainEps: false });
    expect(shapes(fixed).filter((s) => s.includes('eps'))).toEqual([]);
    expect(fixed.layers.every((c) => c.eps === null && c.epsValue() === 0)).toBe(true);
  });

  it('computes the definition in eval mode (float64 reference, dropout off)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new GIN({ ...OPTS, eps: 0.2, dtype: 'f64' });
    model.eval();
    const xv = randomInput(new Rng(1), [N, 12]).values;
    const got = noGrad(() => tidy(() => values(model.forward(Tensor.from(xv, [N, 12]), graph))));
    // H^{l+1} = ReLU(MLP_l((A + 1.2 I) H^l)), logits = H^L Wᵀ + b.
    const a = new Float64Array(N * N);
    for (let k = 0; k < 160; k++) a[EDGES[160 + k] * N + EDGES[k]] += 1;
    for (let i = 0; i < N; i++) a[i * N + i] += 1.2;
    const linear = (w: Float64Array, b: Float64Array, x: Float64Array, inC: number, outC: number) => {
      const wt = new Float64Array(inC * outC).map((_, k) => w[(k % outC) * inC + Math.floor(k / outC)]);
      return denseMatmul(x, wt, N, inC, outC).map((v, k) => v + b[k % outC]);
    };
    let h = xv;
    let width = 12;
    for (const conv of model.layers) {
      const mlp = conv.nn as MLP;
      const agg = denseMatmul(a, h, N, N, width);
      const z1 = linear(values(mlp.lin1.weight), values(mlp.lin1.bias!), agg, width, 8).map((v) => Math.max(v, 0));
      h = linear(values(mlp.lin2.weight), values(mlp.lin2.bias!), z1, 8, 8).map((v) => Math.max(v, 0));
      width = 8;
    }
    const want = linear(values(model.classifier.weight), values(model.classifier.bias!), h, 8, 3);
    // f64 throughout: rounding ~1e-15 relative; 1e-12 catches any wrong term.
    expect(maxRelDiff(got, want)).toBeLessThan(1e-12);
  });

  it('forward and forwardFeatures agree in training mode: same dropout draws, logits and gradients', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new GIN({ ...OPTS, dtype: 'f64' });
    const xv = randomInput(new Rng(2), [N, 12]).values;
    const state = model.rngState!;
    const run = (features: boolean) =>
      tidy(() => {
        model.setRngState(state);
        for (const p of model.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        const x = Tensor.from(xv, [N, 12]);
        let logits: Tensor;
        if (features) {
          const f = model.forwardFeatures(x, graph);
          expect(f.features).toHaveLength(4);
          expect(f.features.map((t) => t.shape.join('x'))).toEqual(['40x8', '40x8', '40x8', '40x3']);
          expect(f.features[3]).toBe(f.logits);
          logits = f.logits;
        } else {
          logits = model.forward(x, graph);
        }
        backward(logits, Tensor.from(randomInput(new Rng(3), [N, 3]).values, [N, 3]));
        return [logits, ...model.parameters().map((p) => p.grad!)].map(values);
      });
    const a = run(false);
    const b = run(true);
    expect(a).toEqual(b);
    // Dropout is on: another draw gives other logits.
    const c = tidy(() => values(model.forward(Tensor.from(xv, [N, 12]), graph)));
    expect(Array.from(c)).not.toEqual(Array.from(a[0]));
    expect(model.layerParameters().map((ps) => ps.length)).toEqual([5, 5, 5, 2]);
    expect(model.layerParameters().flat()).toEqual(model.parameters());
  });

  it('config() round trip: the same architecture and, from the same seed, the same weights', () => {
    using model = new GIN(OPTS);
    const config = model.config();
    expect(config).toEqual({ ...OPTS, eps: 0, dtype: 'f32', device: 'cpu' });
    expect(ginOptionsSchema.parse(config)).toEqual(config);
    using twin = new GIN(model.config());
    expect(shapes(twin)).toEqual(shapes(model));
    expect(twin.parameters().map(values)).toEqual(model.parameters().map(values));
    using built = ginEntry.build(ginOptionsSchema.parse(JSON.parse(JSON.stringify(config))));
    expect(shapes(built as GIN)).toEqual(shapes(model));
  });

  it('resetParameters redraws every weight (ε back to its initial value) from the stream it is given', () => {
    using model = new GIN({ ...OPTS, eps: 0.1 });
    const initial = model.parameters().map(values);
    tidy(() => {
      for (const p of model.parameters()) p.assign(Tensor.full(p.shape, 0.5));
    });
    model.resetParameters(new Rng(OPTS.seed!));
    // The same seed, the same order of draws as the constructor: the initial values again.
    expect(model.parameters().map(values)).toEqual(initial);
    model.resetParameters(new Rng(123));
    const other = model.parameters().map(values);
    expect(other[1]).not.toEqual(initial[1]);
    expect(other[0]).toEqual(initial[0]); // ε: reset to its initial value, not drawn
  });

  it('disposes once however often dispose is called, and memory comes back to its baseline', () => {
    const base = liveCpu();
    {
      using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
      const model = new GIN(OPTS);
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      tidy(() => {
        const x = Tensor.from(randomInput(new Rng(4), [N, 12]).values, [N, 12], { dtype: 'f32' });
        const y = Tensor.from(
          Int32Array.from({ length: N }, (_, i) => i % 3),
          [N],
        );
        backward(nllLoss(logSoftmax(model.forward(x, graph)), y));
        opt.step();
      });
      opt.dispose();
      model.dispose();
      model.dispose();
      expect(model.disposed).toBe(true);
    }
    expect(liveCpu()).toEqual(base);
  });

  it('rejects bad options before building anything', () => {
    const base = liveCpu();
    expectThrows(() => new GIN(null as never), TypeError, 'GIN', 'options');
    expectThrows(() => new GIN({ ...OPTS, hiddenChannels: 0 }), RangeError, 'GIN', 'hiddenChannels');
    expectThrows(() => new GIN({ ...OPTS, numLayers: 0 }), RangeError, 'GIN', 'numLayers');
    expectThrows(() => new GIN({ ...OPTS, dropout: 1 }), RangeError, 'GIN', 'dropout');
    expectThrows(() => new GIN({ ...OPTS, eps: Number.NaN }), RangeError, 'GINConv', 'eps');
    expect(liveCpu()).toEqual(base);
    expect(ginOptionsSchema.safeParse({ ...OPTS, hiddenChannels: 2 ** 30 }).success).toBe(false);
    expect(ginOptionsSchema.safeParse({ ...OPTS, numLayers: 1.5 }).success).toBe(false);
    expect(ginOptionsSchema.safeParse({ ...OPTS, extra: 1 }).success).toBe(false);
    expect(ginOptionsSchema.safeParse({ ...OPTS, trainEps: 'yes' }).success).toBe(false);
  });

  it('has a registry entry: name, --train-eps switch, training defaults, options from a spec', () => {
    expect(ginEntry.name).toBe('gin');
    expect(ginEntry.flags).toEqual([expect.objectContaining({ key: 'trainEps', flag: '--train-eps', value: { kind: 'switch' } })]);
    expect(ginEntry.defaults).toEqual({ lr: 0.01, weightDecay: 5e-4, hidden: 64, layers: 2, dropout: 0.5 });
    const io = { inChannels: 1433, outChannels: 7, device: 'cpu' as const };
    const o = ginEntry.fromSpec({ model: 'gin', seed: 3, trainEps: true, layers: 4 }, io);
    expect(o).toEqual({ ...io, hiddenChannels: 64, numLayers: 4, dropout: 0.5, trainEps: true, seed: 3 });
    expect(ginOptionsSchema.safeParse(o).success).toBe(true);
    expect(ginEntry.fromSpec({ model: 'gin', seed: 0 }, io).trainEps).toBe(false);
  });

  it('learns a small homophilous graph (models.gin, fit)', async () => {
    using data = smallNodeData();
    using model = models.gin({ inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, trainEps: true, seed: 1 });
    using optimizer = new Adam(model.parameters(), { lr: 0.01, weightDecay: 5e-4 });
    const result = await fit(model, data, { epochs: 60, optimizer, patience: 0 });
    // 4 balanced classes: chance is 0.25.
    expect(result.best.valAcc).toBeGreaterThan(0.6);
    expect(model.layers.every((c) => Number.isFinite(c.epsValue()) && c.epsValue() !== 0)).toBe(true);
  });
});

describe.skipIf(!CUDA)(`GIN on CUDA against CPU${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  it('gives the same logits and gradients (f64, eval) on both devices', () => {
    const run = (device: 'cpu' | 'cuda') =>
      tidy(() => {
        using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
        using model = new GIN({ ...OPTS, dtype: 'f64', device });
        model.eval();
        const x = Tensor.from(randomInput(new Rng(5), [N, 12]).values, [N, 12], { device });
        const logits = model.forward(x, graph);
        backward(logits, Tensor.from(randomInput(new Rng(6), [N, 3]).values, [N, 3], { device }));
        return [logits, ...model.parameters().map((p) => p.grad!)].map((t) => values(t.to('cpu')));
      });
    const cpu = run('cpu');
    const gpu = run('cuda');
    // f64 on both: only the summation order differs (~1e-15 relative).
    cpu.forEach((c, i) => expect(maxRelDiff(gpu[i], c), `output ${i}`).toBeLessThan(1e-12));
  });
});
