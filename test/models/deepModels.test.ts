// GCNII and APPNPNet: the networks against plain-TypeScript references, their gradients
// (dropout included, with its stream replayed), config round trips, registry entries and memory.
import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { sum } from '../../lib/functional/reduce.js';
import { Graph } from '../../lib/graph/Graph.js';
import { APPNPNet, appnpEntry, type APPNPNetOptions } from '../../lib/models/APPNPNet.js';
import { GCNII, gcniiEntry, type GCNIIOptions } from '../../lib/models/GCNII.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { SGD } from '../../lib/optim/SGD.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { fit } from '../../lib/train/fit.js';
import { liveCpu, smallNodeData } from '../helpers/apiFixtures.js';
import { randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';
import { appnpReference, gcn2Reference, linear, reluRef } from '../nn/deepReference.js';
import { paramGradcheck } from '../skp/paramGradcheck.js';

// docs/methods.md §5 (see test/nn/gcn2Conv.test.ts): f64 central differences, relative error < 1e-6.
// Through ReLUs the finite-difference step (1e-6) could straddle a kink; inputs drawn in ±[0.05, 1]
// keep pre-activations away from 0 for these seeds, and a kink would show as an O(1) error.
const TOL = 1e-6;
const CUDA = devices().cuda.available;
const N = 10;
const F = 5;
const H = 4;
const OUT = 3;
const edges = randomEdgeIndex(N, 26, 17);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
const P = denseOperator(edges, N, 'gcn');
const X = randomInput(new Rng(41), [N, F]).values;
afterAll(() => graph.dispose());

const arr = (t: Tensor | null | undefined) => (t ? Float64Array.from(t.toArray()) : null);

function logitsOf(model: NodeModel, x: Float64Array = X): Float64Array {
  return noGrad(() => tidy(() => arr(model.forward(Tensor.from(x, [N, F]), graph))!));
}

function shapes(model: NodeModel): [string, number[]][] {
  return model.namedParameters().map(([n, p]) => [n, [...p.shape]]);
}

/** L = Σ logits ⊙ R against finite differences for every parameter, replaying the dropout stream on each pass. */
function modelGradcheck(model: NodeModel): number[] {
  const state = model.rngState!;
  using x = Tensor.from(X, [N, F]);
  return paramGradcheck(() => {
    model.setRngState(state);
    return model.forward(x, graph);
  }, model.parameters());
}

/** Forward/backward/forwardFeatures of one model of each kind; then memory must come back. */
function exercise(model: NodeModel): void {
  tidy(() => {
    backward(sum(model.forward(Tensor.from(Float32Array.from(X), [N, F]), graph)));
    const { logits, features } = model.forwardFeatures(Tensor.from(Float32Array.from(X), [N, F]), graph);
    backward(sum(logits));
    expect(features).toHaveLength(model.layerParameters().length);
    for (const p of model.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  });
}

const gcniiOptions = (o: Partial<GCNIIOptions> = {}): GCNIIOptions => ({
  inChannels: F,
  hiddenChannels: H,
  outChannels: OUT,
  numLayers: 3,
  dtype: 'f64',
  seed: 2,
  ...o,
});

describe('GCNII', () => {
  it.each([[true], [false]])('evaluates to the dense reference network (shared weights %s)', (shared) => {
    using model = new GCNII(gcniiOptions({ numLayers: 4, alpha: 0.2, theta: 0.7, sharedWeights: shared })).eval();
    const x0 = reluRef(linear(X, arr(model.encoder.weight)!, arr(model.encoder.bias), N, F, H));
    let h = x0;
    model.layers.forEach((conv, l) => {
      expect(conv.beta).toBeCloseTo(Math.log(0.7 / (l + 1) + 1), 15);
      expect(conv.alpha).toBe(0.2);
      h = reluRef(gcn2Reference(P, h, x0, arr(conv.weight)!, arr(conv.weight2), 0.2, conv.beta, N, H));
    });
    const want = linear(h, arr(model.decoder.weight)!, arr(model.decoder.bias), N, H, OUT);
    expect(maxRelDiff(logitsOf(model), want)).toBeLessThan(1e-13);
  });

  it('has the paper defaults: 64 layers of width 64, α 0.1, θ 0.5, dropout 0.6, conv weight decay 0.01', () => {
    using model = new GCNII({ inChannels: F, outChannels: OUT });
    expect(model.layers).toHaveLength(64);
    expect(model.layers.every((c) => c.channels === 64 && c.alpha === 0.1 && c.theta === 0.5 && c.bias === null && c.weight2 === null)).toBe(true);
    expect(model.layers.map((c) => c.layer)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(model.dropout).toBe(0.6);
    expect(model.layers.flatMap((c) => c.parameters()).every((p) => p.weightDecay === 0.01)).toBe(true);
    expect([...model.encoder.parameters(), ...model.decoder.parameters()].every((p) => p.weightDecay === null)).toBe(true);
    expect(model.config()).toMatchObject({
      numLayers: 64,
      hiddenChannels: 64,
      alpha: 0.1,
      theta: 0.5,
      dropout: 0.6,
      sharedWeights: true,
      convWeightDecay: 0.01,
    });
  });

  it('sets convWeightDecay on every convolution weight (null leaves the optimizer in charge)', () => {
    using off = new GCNII(gcniiOptions({ convWeightDecay: null, sharedWeights: false }));
    expect(off.parameters().every((p) => p.weightDecay === null)).toBe(true);
    using custom = new GCNII(gcniiOptions({ convWeightDecay: 0.05, sharedWeights: false }));
    const convParams = custom.layers.flatMap((c) => c.parameters());
    expect(convParams).toHaveLength(6);
    expect(convParams.every((p) => p.weightDecay === 0.05)).toBe(true);
  });

  it('an optimizer decays the convolution weights by convWeightDecay and the rest by its own weightDecay', () => {
    using model = new GCNII(gcniiOptions({ convWeightDecay: 0.01 }));
    const before = model.parameters().map(arr);
    for (const p of model.parameters()) p.grad = Tensor.zeros(p.shape, { dtype: 'f64' });
    // SGD with zero gradients: p ← p − lr·wd·p, wd the parameter's own or the optimizer's (5e-4).
    using opt = new SGD(model.parameters(), { lr: 0.5, weightDecay: 5e-4 });
    opt.step();
    model.parameters().forEach((p, i) => {
      const wd = p.weightDecay ?? 5e-4;
      const want = before[i]!.map((v) => v * (1 - 0.5 * wd));
      expect(maxRelDiff(arr(p)!, want)).toBeLessThan(1e-15);
      p.grad!.dispose();
      p.grad = null;
    });
    expect(model.parameters().map((p) => p.weightDecay)).toEqual([null, null, 0.01, 0.01, 0.01, null, null]);
  });

  it('forward and forwardFeatures agree in training mode (same dropout draws); features are x₀ and each Z^ℓ', () => {
    using a = new GCNII(gcniiOptions({ dropout: 0.5 }));
    using b = new GCNII(a.config());
    for (let step = 0; step < 3; step++) {
      const [la, lb, nf] = noGrad(() =>
        tidy(() => {
          const { logits, features } = b.forwardFeatures(Tensor.from(X, [N, F]), graph);
          expect(features.map((f) => f.shape)).toEqual(Array(4).fill([N, H]));
          return [arr(a.forward(Tensor.from(X, [N, F]), graph))!, arr(logits)!, features.length];
        }),
      );
      expect(Array.from(la)).toEqual(Array.from(lb));
      expect(nf).toBe(b.layerParameters().length);
    }
    expect(b.layerParameters().map((ps) => ps.length)).toEqual([2, 1, 1, 1]);
  });

  it.each([
    ['dropout 0.6, training', 0.6, true],
    ['no dropout, training', 0, true],
    ['dropout 0.6, evaluation', 0.6, false],
  ] as const)('has parameter gradients that match finite differences (%s)', (_, dropout, training) => {
    using model = new GCNII(gcniiOptions({ dropout, alpha: 0.3, theta: 1.2, sharedWeights: false })).train(training);
    const errors = modelGradcheck(model);
    expect(errors).toHaveLength(2 + 3 * 2 + 2);
    for (const e of errors) expect(e).toBeLessThan(TOL);
  });

  it('rebuilds the same architecture (and weights) from config(), which its registry schema accepts', () => {
    using model = new GCNII(gcniiOptions({ sharedWeights: false, theta: 0.9 }));
    const config = model.config();
    expect(gcniiEntry.options.parse(config)).toEqual(config);
    using twin = new GCNII(config);
    expect(shapes(twin)).toEqual(shapes(model));
    expect(shapes(twin).map(([n]) => n)).toEqual([
      'encoder.weight',
      'encoder.bias',
      'conv0.weight',
      'conv0.weight2',
      'conv1.weight',
      'conv1.weight2',
      'conv2.weight',
      'conv2.weight2',
      'decoder.weight',
      'decoder.bias',
    ]);
    expect(maxRelDiff(logitsOf(twin.eval()), logitsOf(model.eval()))).toBe(0);
    expect(gcniiEntry.options.safeParse({ ...config, numLayers: 0 }).success).toBe(false);
    expect(gcniiEntry.options.safeParse({ ...config, numLayers: 1e9 }).success).toBe(false);
    expect(gcniiEntry.options.safeParse({ ...config, theta: 0 }).success).toBe(false);
    expect(gcniiEntry.options.safeParse({ ...config, extra: 1 }).success).toBe(false);
  });

  it('redraws every parameter on resetParameters', () => {
    using model = new GCNII(gcniiOptions());
    const before = model.parameters().map(arr);
    model.resetParameters(new Rng(99));
    model.parameters().forEach((p, i) => expect(maxRelDiff(arr(p)!, before[i]!)).toBeGreaterThan(0.01));
  });

  it('rejects bad options with messages that name them', () => {
    expect(() => new GCNII(gcniiOptions({ numLayers: 0 }))).toThrow(/GCNII: numLayers must be a positive integer, got 0/);
    expect(() => new GCNII(gcniiOptions({ theta: 0 }))).toThrow(/GCNII: theta must be a finite number > 0, got 0/);
    expect(() => new GCNII(gcniiOptions({ dropout: 1 }))).toThrow(/GCNII: dropout must be in \[0, 1\), got 1/);
    expect(() => new GCNII(gcniiOptions({ convWeightDecay: -1 }))).toThrow(/GCNII: convWeightDecay must be a finite number ≥ 0 or null/);
    expect(() => new GCNII(gcniiOptions({ alpha: 2 }))).toThrow(/GCN2Conv: alpha must be in \[0, 1\], got 2/);
    expect(() => new GCNII(null as unknown as GCNIIOptions)).toThrow(TypeError);
  });

  it('frees everything on dispose (twice is fine): memory returns to the baseline', () => {
    graph.operator('gcn');
    const base = liveCpu();
    const model = new GCNII(gcniiOptions({ dtype: 'f32', dropout: 0.5, sharedWeights: false }));
    exercise(model);
    model.eval();
    exercise(model);
    model.dispose();
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('registry entry: flags, defaults and a model built from a spec', () => {
    expect(gcniiEntry.name).toBe('gcnii');
    expect(gcniiEntry.flags?.map((f) => f.key)).toEqual(['alpha', 'theta']);
    expect(gcniiEntry.defaults).toEqual({ layers: 64, hidden: 64, dropout: 0.6, lr: 0.01, weightDecay: 5e-4 });
    const options = gcniiEntry.fromSpec(
      { model: 'gcnii', layers: 5, hidden: 8, seed: 3, alpha: 0.2, theta: 1 },
      { inChannels: F, outChannels: OUT, device: 'cpu' },
    );
    using model = gcniiEntry.build(gcniiEntry.options.parse(options)) as GCNII;
    expect(model.name).toBe('gcnii');
    expect(model.layers).toHaveLength(5);
    expect(model.layers[4].beta).toBeCloseTo(Math.log(1 / 5 + 1), 15);
    expect(model.layers[0].alpha).toBe(0.2);
    const defaults = gcniiEntry.fromSpec({ model: 'gcnii', seed: 0 }, { inChannels: F, outChannels: OUT, device: 'cpu' });
    using full = gcniiEntry.build(defaults) as GCNII;
    expect(full.layers).toHaveLength(64);
  });
});

const appnpOptions = (o: Partial<APPNPNetOptions> = {}): APPNPNetOptions => ({
  inChannels: F,
  hiddenChannels: H,
  outChannels: OUT,
  K: 5,
  dtype: 'f64',
  seed: 4,
  ...o,
});

describe('APPNPNet', () => {
  it('evaluates to the dense reference network: MLP, then K propagation steps', () => {
    using model = new APPNPNet(appnpOptions({ alpha: 0.15 })).eval();
    const h = reluRef(linear(X, arr(model.lin1.weight)!, arr(model.lin1.bias), N, F, H));
    const z = linear(h, arr(model.lin2.weight)!, arr(model.lin2.bias), N, H, OUT);
    expect(maxRelDiff(logitsOf(model), appnpReference(P, z, 5, 0.15, N, OUT))).toBeLessThan(1e-13);
  });

  it('has the paper defaults: hidden 64, K 10, α 0.1, dropout 0.5', () => {
    using model = new APPNPNet({ inChannels: F, outChannels: OUT });
    expect([model.lin1.outChannels, model.K, model.alpha, model.dropout]).toEqual([64, 10, 0.1, 0.5]);
    expect(model.parameters().every((p) => p.weightDecay === null)).toBe(true);
  });

  it("sets lin1WeightDecay on the first weight alone (the paper's regularization)", () => {
    using model = new APPNPNet(appnpOptions({ lin1WeightDecay: 5e-3 }));
    expect(model.parameters().map((p) => p.weightDecay)).toEqual([5e-3, null, null, null]);
    expect(model.config().lin1WeightDecay).toBe(5e-3);
    using twin = new APPNPNet(model.config());
    expect(twin.lin1.weight.weightDecay).toBe(5e-3);
    expect(() => new APPNPNet(appnpOptions({ lin1WeightDecay: -1 }))).toThrow(/APPNPNet: lin1WeightDecay must be a finite number ≥ 0 or null/);
  });

  it('forward and forwardFeatures agree in training mode; features are the hidden layer and the logits', () => {
    using a = new APPNPNet(appnpOptions());
    using b = new APPNPNet(a.config());
    for (let step = 0; step < 3; step++) {
      const [la, lb, shapesOut] = noGrad(() =>
        tidy(() => {
          const { logits, features } = b.forwardFeatures(Tensor.from(X, [N, F]), graph);
          expect(features[1]).toBe(logits);
          return [arr(a.forward(Tensor.from(X, [N, F]), graph))!, arr(logits)!, features.map((f) => f.shape)];
        }),
      );
      expect(Array.from(la)).toEqual(Array.from(lb));
      expect(shapesOut).toEqual([
        [N, H],
        [N, OUT],
      ]);
    }
    expect(b.layerParameters().map((ps) => ps.length)).toEqual([2, 2]);
  });

  it.each([
    [0.5, true],
    [0, true],
    [0.5, false],
  ] as const)('has parameter gradients that match finite differences (dropout %s, training %s)', (dropout, training) => {
    using model = new APPNPNet(appnpOptions({ dropout })).train(training);
    const errors = modelGradcheck(model);
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e).toBeLessThan(TOL);
  });

  it('rebuilds the same architecture from config(), which its registry schema accepts', () => {
    using model = new APPNPNet(appnpOptions({ K: 7, alpha: 0.2 }));
    const config = model.config();
    expect(appnpEntry.options.parse(config)).toEqual(config);
    using twin = new APPNPNet(config);
    expect(shapes(twin)).toEqual(shapes(model));
    expect(shapes(twin).map(([n]) => n)).toEqual(['lin1.weight', 'lin1.bias', 'lin2.weight', 'lin2.bias']);
    expect([twin.K, twin.alpha]).toEqual([7, 0.2]);
    expect(maxRelDiff(logitsOf(twin.eval()), logitsOf(model.eval()))).toBe(0);
    expect(appnpEntry.options.safeParse({ ...config, K: -1 }).success).toBe(false);
    expect(appnpEntry.options.safeParse({ ...config, alpha: 1.5 }).success).toBe(false);
  });

  it('redraws every parameter on resetParameters', () => {
    using model = new APPNPNet(appnpOptions());
    const before = model.parameters().map(arr);
    model.resetParameters(new Rng(98));
    model.parameters().forEach((p, i) => expect(maxRelDiff(arr(p)!, before[i]!)).toBeGreaterThan(0.01));
  });

  it('rejects bad options', () => {
    expect(() => new APPNPNet(appnpOptions({ K: -2 }))).toThrow(/APPNP: K must be a non-negative integer, got -2/);
    expect(() => new APPNPNet(appnpOptions({ alpha: -0.5 }))).toThrow(/APPNP: alpha must be in \[0, 1\]/);
    expect(() => new APPNPNet(appnpOptions({ dropout: -0.1 }))).toThrow(/APPNPNet: dropout must be in \[0, 1\)/);
  });

  it('frees everything on dispose (twice is fine): memory returns to the baseline', () => {
    graph.operator('gcn');
    const base = liveCpu();
    const model = new APPNPNet(appnpOptions({ dtype: 'f32' }));
    exercise(model);
    model.dispose();
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(liveCpu()).toEqual(base);
  });

  it('registry entry: --layers is K, flag --alpha, defaults', () => {
    expect(appnpEntry.name).toBe('appnp');
    expect(appnpEntry.summary).toMatch(/--layers is the number of propagation steps K/);
    expect(appnpEntry.flags?.map((f) => f.key)).toEqual(['alpha']);
    expect(appnpEntry.defaults).toEqual({ layers: 10, hidden: 64, dropout: 0.5, lr: 0.01, weightDecay: 5e-4 });
    const options = appnpEntry.fromSpec({ model: 'appnp', layers: 3, hidden: 8, seed: 1, alpha: 0.3 }, { inChannels: F, outChannels: OUT, device: 'cpu' });
    using model = appnpEntry.build(appnpEntry.options.parse(options)) as APPNPNet;
    expect([model.name, model.K, model.alpha, model.lin1.outChannels]).toEqual(['appnp', 3, 0.3, 8]);
  });
});

describe('training', () => {
  it('fit() trains both on a small graph, and memory returns to the baseline', async () => {
    const base = liveCpu();
    const data = smallNodeData();
    for (const model of [
      new GCNII({ inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, numLayers: 8, seed: 1 }),
      new APPNPNet({ inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, seed: 1 }),
    ]) {
      const result = await fit(model, data, { epochs: 30, patience: 0, lr: 0.01, weightDecay: 5e-4 });
      expect(result.epochsRun).toBe(30);
      expect(result.best.valAcc).toBeGreaterThan(0.5); // 4 classes, homophily 0.85: chance is 0.25
      model.dispose();
    }
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });
});

describe.skipIf(!CUDA)(`GCNII and APPNPNet on CUDA${CUDA ? '' : ' (skipped: no CUDA device: devices().cuda.available is false)'}`, () => {
  it.each([['gcnii'], ['appnp']])('%s matches the CPU model, logits and gradients', (kind) => {
    const make = (device: 'cpu' | 'cuda'): NodeModel =>
      kind === 'gcnii' ? new GCNII(gcniiOptions({ device, dropout: 0.5, sharedWeights: false })) : new APPNPNet(appnpOptions({ device }));
    using cpu = make('cpu');
    using gpu = make('cuda');
    const pass = (model: NodeModel, device: 'cpu' | 'cuda') =>
      tidy(() => {
        const out = model.forward(Tensor.from(X, [N, F], { dtype: 'f64', device }), graph);
        backward(sum(out));
        const grads = model.parameters().map((p) => arr(p.grad)!);
        for (const p of model.parameters()) {
          p.grad!.dispose();
          p.grad = null;
        }
        return { out: arr(out)!, grads };
      });
    // Training mode: dropout masks are a function of (seed, index), the same on both devices.
    const a = pass(cpu, 'cpu');
    const b = pass(gpu, 'cuda');
    expect(maxRelDiff(b.out, a.out)).toBeLessThan(1e-12);
    a.grads.forEach((g, i) => expect(maxRelDiff(b.grads[i], g)).toBeLessThan(1e-10));
  });
});
