import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { add } from '../../lib/functional/arithmetic.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { DeeperGCN, deeperGcnEntry, type DeeperGCNOptions } from '../../lib/models/DeeperGCN.js';
import { buildModel, rebuildModel, validateModelSpec } from '../../lib/models/registry.js';
import { Adam } from '../../lib/optim/Adam.js';
import { Rng } from '../../lib/random/rng.js';
import { devices } from '../../lib/runtime/devices.js';
import { SparseFeatures } from '../../lib/tensor/SparseFeatures.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { Device } from '../../lib/tensor/dtype.js';
import { fit } from '../../lib/train/fit.js';
import { expectThrows, liveCpu, smallNodeData } from '../helpers/apiFixtures.js';
import { randomInput, centralDifferences, relativeError } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const CUDA = devices().cuda.available;
const N = 40;
const EDGES = randomEdgeIndex(N, 160, 31);
// Hidden 12: reversible blocks of 2 groups run their branches on 6 channels (a LayerNorm over
// very few channels is nearly a sign function, which would make the tests say little).
const OPTS: DeeperGCNOptions = { inChannels: 10, hiddenChannels: 12, outChannels: 3, numLayers: 3, dropout: 0.3, seed: 7 };

const values = (t: Tensor) => Float64Array.from(t.toArray());
const shapes = (m: DeeperGCN) => m.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);
const xValues = (seed: number) => randomInput(new Rng(seed), [N, OPTS.inChannels]).values;
const clearGrads = (m: DeeperGCN) => {
  for (const p of m.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
};

describe('DeeperGCN res+', () => {
  it('is encoder → LayerNorm → GENConv → [h + GENBranch(h)] × (L − 1) → LayerNorm → Linear, with PyG-style names', () => {
    using model = new DeeperGCN(OPTS);
    expect(model.name).toBe('deepergcn');
    expect(model.block).toBe('res+');
    expect(model.layers).toHaveLength(2);
    expect(model.stack).toBeNull();
    // One Linear per update by default (mlpLayers 1).
    const conv = (p: string) => [`${p}.t:1`, `${p}.mlp.weight:12x12`, `${p}.mlp.bias:12`];
    expect(shapes(model)).toEqual([
      'encoder.weight:12x10',
      'encoderNorm.weight:12',
      'encoderNorm.bias:12',
      ...conv('conv0'),
      'layer1.norm.weight:12',
      'layer1.norm.bias:12',
      ...conv('layer1.genConv'),
      'layer2.norm.weight:12',
      'layer2.norm.bias:12',
      ...conv('layer2.genConv'),
      'norm.weight:12',
      'norm.bias:12',
      'decoder.weight:3x12',
      'decoder.bias:3',
    ]);
    using fixedT = new DeeperGCN({ ...OPTS, learnT: false, t: 0.5 });
    expect(shapes(fixedT).filter((s) => s.includes('.t:'))).toEqual([]);
    expect([fixedT.first!, ...fixedT.layers.map((l) => l.genConv)].every((c) => values(c.t!)[0] === 0.5 && !c.t!.requiresGrad)).toBe(true);
    using plain = new DeeperGCN({ ...OPTS, encoderNorm: false });
    expect(shapes(plain).slice(0, 3)).toEqual(['encoder.weight:12x10', 'encoder.bias:12', 'conv0.t:1']);
    using twoLayers = new DeeperGCN({ ...OPTS, mlpLayers: 2 });
    expect(shapes(twoLayers).filter((s) => s.startsWith('layer1.'))).toEqual([
      'layer1.norm.weight:12',
      'layer1.norm.bias:12',
      'layer1.genConv.t:1',
      'layer1.genConv.mlp.lin1.weight:24x12',
      'layer1.genConv.mlp.lin1.bias:24',
      'layer1.genConv.mlp.lin2.weight:12x24',
      'layer1.genConv.mlp.lin2.bias:12',
    ]);
  });

  it('computes its definition in eval mode, from its own modules', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    for (const encoderNorm of [true, false]) {
      using model = new DeeperGCN({ ...OPTS, encoderNorm, branchScale: 0.5, dtype: 'f64' });
      model.eval();
      noGrad(() =>
        tidy(() => {
          const x = Tensor.from(xValues(1), [N, OPTS.inChannels]);
          const got = values(model.forward(x, graph));
          let h = model.encoder.forward(x);
          if (encoderNorm) h = model.encoderNorm!.forward(h);
          h = model.first!.forward(h, graph);
          for (const layer of model.layers) h = add(h, layer.forward(h, graph));
          const want = values(model.decoder.forward(relu(model.norm.forward(h))));
          expect(got).toEqual(want);
        }),
      );
    }
  });
});

describe('DeeperGCN res+ gradients', () => {
  it('of the input and every parameter match central differences (float64, dropout off)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new DeeperGCN({ ...OPTS, hiddenChannels: 6, dropout: 0, t: 0.7, dtype: 'f64', seed: 2 });
    const xv = xValues(10);
    const r = randomInput(new Rng(11), [N, 3]).values;
    const h = 1e-6;
    // The ReLU kinks are at the first GENConv's messages (the encoder's output), at every branch's
    // LayerNorm output and at the final LayerNorm output: all must sit KINK_MARGIN from 0, far more
    // than a step of h moves them (a derivative of ≲ 10 times 1e-6), so central differences see a
    // smooth function. Tolerance as docs/methods.md §5 (relative error < 1e-6): truncation O(h²)
    // and rounding O(1e-16·|L|/h) are both ≲ 1e-9 here.
    const KINK_MARGIN = 1e-4;
    noGrad(() =>
      tidy(() => {
        const { features } = model.forwardFeatures(Tensor.from(xv, [N, OPTS.inChannels]), graph);
        const pre = [features[0], ...model.layers.map((l, i) => l.norm.forward(features[i + 1])), model.norm.forward(features.at(-1)!)];
        for (const t of pre) expect(Math.min(...values(t).map(Math.abs))).toBeGreaterThan(KINK_MARGIN);
      }),
    );
    const loss = () => noGrad(() => tidy(() => values(model.forward(Tensor.from(xv, [N, OPTS.inChannels]), graph)).reduce((a, v, i) => a + v * r[i], 0)));
    const analytic = tidy(() => {
      const x = Tensor.from(xv, [N, OPTS.inChannels]);
      x.requiresGrad = true;
      backward(model.forward(x, graph), Tensor.from(r, [N, 3]));
      return [values(x.grad!), ...model.parameters().map((p) => values(p.grad!))];
    });
    clearGrads(model);
    const relErr = relativeError;
    const numeric = (v: Float64Array, set: () => void) => centralDifferences(v, set, loss, h);
    const names = ['x', ...model.namedParameters().map(([n]) => n)];
    const errs = [
      relErr(
        analytic[0],
        numeric(xv, () => {}),
      ),
    ];
    for (const p of model.parameters()) {
      const v = values(p);
      errs.push(
        relErr(
          analytic[errs.length],
          numeric(v, () => tidy(() => p.assign(Tensor.from(v, [...p.shape])))),
        ),
      );
    }
    errs.forEach((e, i) => expect(e, names[i]).toBeLessThan(1e-6));
  });
});

describe.each(['res+', 'reversible'] as const)('DeeperGCN (%s blocks)', (block) => {
  const opts: DeeperGCNOptions = { ...OPTS, block };

  it('forward and forwardFeatures agree in training mode: same dropout draws, logits and gradients', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new DeeperGCN({ ...opts, dtype: 'f64' });
    const xv = xValues(2);
    const state = model.rngState!;
    const run = (features: boolean) =>
      tidy(() => {
        model.setRngState(state);
        clearGrads(model);
        const x = Tensor.from(xv, [N, OPTS.inChannels]);
        let logits: Tensor;
        if (features) {
          const f = model.forwardFeatures(x, graph);
          // res+: the encoder's output, then every layer's; reversible: the encoder's and the stack's.
          expect(f.features).toHaveLength(block === 'res+' ? 4 : 2);
          expect(f.features.every((t) => t.shape.join('x') === `${N}x12`)).toBe(true);
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
    // Dropout is on: the next draw gives other logits.
    const c = tidy(() => values(model.forward(Tensor.from(xv, [N, OPTS.inChannels]), graph)));
    expect(Array.from(c)).not.toEqual(Array.from(a[0]));
    // layerParameters() covers every parameter once, in order.
    expect(model.layerParameters().flat()).toEqual(model.parameters().slice(0, model.layerParameters().flat().length));
    clearGrads(model);
  });

  it('takes constant sparse input features, with the dense result', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new DeeperGCN({ ...opts, dtype: 'f64' });
    model.eval();
    const xv = xValues(4).map((v, i) => (i % 4 === 0 ? v : 0));
    noGrad(() =>
      tidy(() => {
        const x = Tensor.from(xv, [N, OPTS.inChannels]);
        using xs = SparseFeatures.fromDense(x);
        expect(maxRelDiff(values(model.forward(xs, graph)), values(model.forward(x, graph)))).toBeLessThan(1e-12);
      }),
    );
  });

  it('config() round trip through the registry entry: the same architecture and, from the same seed, the same weights', () => {
    using model = new DeeperGCN({ ...opts, learnT: false, t: 0.3, branchScale: 0.25, mlpLayers: 2, branchDropout: 0.2, inputDropout: 0.1 });
    const config = model.config();
    const parsed = deeperGcnEntry.options.parse(JSON.parse(JSON.stringify(config)));
    expect(parsed).toEqual(config);
    using twin = deeperGcnEntry.build(parsed) as DeeperGCN;
    expect(twin.block).toBe(block);
    expect(shapes(twin)).toEqual(shapes(model));
    expect(twin.parameters().map(values)).toEqual(model.parameters().map(values));
    using rebuilt = rebuildModel('deepergcn', config) as DeeperGCN;
    expect(shapes(rebuilt)).toEqual(shapes(model));
  });

  it('resetParameters redraws every weight from the stream it is given (t and the norms back to their initial values)', () => {
    using model = new DeeperGCN({ ...opts, t: 0.8 });
    const initial = model.parameters().map(values);
    tidy(() => {
      for (const p of model.parameters()) p.assign(Tensor.full(p.shape, 0.5));
    });
    model.resetParameters(new Rng(123));
    const named = model.namedParameters();
    named.forEach(([name, p], i) => {
      const v = values(p);
      if (name.endsWith('.t')) expect(v[0], name).toBeCloseTo(0.8, 6);
      else if (/norm\.weight$|Norm\.weight$/.test(name)) expect(Array.from(v), name).toEqual(new Array(v.length).fill(1));
      else if (/norm\.bias$|Norm\.bias$/.test(name)) expect(Array.from(v), name).toEqual(new Array(v.length).fill(0));
      else {
        expect(
          v.some((x) => x !== 0.5),
          name,
        ).toBe(true);
        expect(v, name).not.toEqual(initial[i]);
      }
    });
  });

  it('disposes once however often dispose is called, and memory comes back to its baseline after training steps', () => {
    const base = liveCpu();
    {
      using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
      const model = new DeeperGCN({ ...opts, learnT: false });
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      for (let s = 0; s < 2; s++) {
        tidy(() => {
          const x = Tensor.from(xValues(5), [N, OPTS.inChannels], { dtype: 'f32' });
          const y = Tensor.from(
            Int32Array.from({ length: N }, (_, i) => i % 3),
            [N],
          );
          backward(nllLoss(logSoftmax(model.forward(x, graph)), y));
          opt.step();
          opt.zeroGrad();
        });
      }
      opt.dispose();
      model.dispose();
      model.dispose();
      expect(model.disposed).toBe(true);
    }
    expect(liveCpu()).toEqual(base);
  });
});

describe('DeeperGCN reversible blocks', () => {
  it('are grouped reversible blocks with GENBranch branches on hidden/groups channels', () => {
    using model = new DeeperGCN({ ...OPTS, block: 'reversible', groups: 3 });
    expect(model.stack!.groups).toBe(3);
    expect(model.stack!.depth).toBe(3);
    expect(model.first).toBeNull();
    expect(model.layers).toEqual([]);
    const names = shapes(model);
    expect(names.filter((s) => s.startsWith('stack.f0_0.'))).toEqual([
      'stack.f0_0.norm.weight:4',
      'stack.f0_0.norm.bias:4',
      'stack.f0_0.genConv.t:1',
      'stack.f0_0.genConv.mlp.weight:4x4',
      'stack.f0_0.genConv.mlp.bias:4',
    ]);
    expect(names.filter((s) => s.startsWith('stack.')).length).toBe(3 * 3 * 5);
  });

  it('give the gradients of the same blocks with stored activations, to float64 rounding (dropout on)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    for (const groups of [2, 3]) {
      const o: DeeperGCNOptions = { ...OPTS, block: 'reversible', groups, numLayers: 4, dtype: 'f64' };
      using rev = new DeeperGCN(o);
      using stored = new DeeperGCN(o);
      // The twin runs the same stack with ordinary autograd (every activation kept).
      const stack = stored.stack!;
      stack.forward = (x, g, options) => stack.forwardStored(x, g, options);
      const xv = xValues(6);
      const r = randomInput(new Rng(7), [N, 3]).values;
      const run = (model: DeeperGCN) =>
        tidy(() => {
          const x = Tensor.from(xv, [N, OPTS.inChannels]);
          x.requiresGrad = true;
          const logits = model.forward(x, graph);
          backward(logits, Tensor.from(r, [N, 3]));
          return [logits, x.grad!, ...model.parameters().map((p) => p.grad!)].map(values);
        });
      const a = run(rev);
      const b = run(stored);
      expect(a.length).toBe(b.length);
      // The reversible backward rebuilds each block's input as X'_i − f_i(X'_{i−1}): a few
      // roundings per block of values of order 1, so ~1e-15 relative; 1e-10 bounds 4 blocks.
      a.forEach((v, i) => expect(maxRelDiff(v, b[i]), `output ${i}`).toBeLessThan(1e-10));
    }
  });

  it('replay the whole pass from the model dropout stream (one state, the same logits)', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    using model = new DeeperGCN({ ...OPTS, block: 'reversible', dtype: 'f64' });
    const state = model.rngState!;
    const logits = () => tidy(() => values(model.forward(Tensor.from(xValues(8), [N, OPTS.inChannels]), graph)));
    const first = logits();
    expect(logits()).not.toEqual(first);
    model.setRngState(state);
    expect(logits()).toEqual(first);
  });
});

describe('DeeperGCN GENConv and training options', () => {
  it('passes msgNorm, learnMsgScale, addSelfLoops and norm to every layer', () => {
    using model = new DeeperGCN({ ...OPTS, msgNorm: true, learnMsgScale: true, addSelfLoops: true, norm: 'batch' });
    const convs = [model.first!, ...model.layers.map((l) => l.genConv)];
    for (const c of convs) expect([c.msgScale?.requiresGrad, c.addSelfLoops]).toEqual([true, true]);
    expect(shapes(model).filter((n) => n.includes('msgScale'))).toEqual(['conv0.msgScale:1', 'layer1.genConv.msgScale:1', 'layer2.genConv.msgScale:1']);
    expect(model.layers.map((l) => l.norm.constructor.name)).toEqual(['BatchNorm', 'BatchNorm']);
    expect(model.norm.constructor.name).toBe('BatchNorm');
    expect(deeperGcnEntry.options.safeParse({ ...OPTS, msgNorm: true, learnMsgScale: true, addSelfLoops: true, norm: 'batch', edgeDropout: 0.2 }).success).toBe(
      true,
    );
  });

  it("passes aggr 'power' and its learned power p to every layer, the reversible branches included", () => {
    using model = new DeeperGCN({ ...OPTS, aggr: 'power', p: 1.5 });
    const convs = [model.first!, ...model.layers.map((l) => l.genConv)];
    for (const c of convs) expect([c.aggr, c.t, c.p?.requiresGrad, c.p!.toArray()[0]]).toEqual(['power', null, true, 1.5]);
    expect(shapes(model).filter((n) => /\.(t|p):/.test(n))).toEqual(['conv0.p:1', 'layer1.genConv.p:1', 'layer2.genConv.p:1']);
    using rev = new DeeperGCN({ ...OPTS, block: 'reversible', aggr: 'power' });
    expect(shapes(rev).filter((n) => /\.(t|p):/.test(n))[0]).toBe('stack.f0_0.genConv.p:1');
    expect(deeperGcnEntry.options.safeParse({ ...OPTS, aggr: 'power', p: 2, learnP: false }).success).toBe(true);
    expect(deeperGcnEntry.options.safeParse({ ...OPTS, aggr: 'max' }).success).toBe(false);
    expect(() => new DeeperGCN({ ...OPTS, aggr: 'power', t: 0.1 })).toThrow(/t and learnT apply to aggr 'softmax' only/);
  });

  it('with edgeDropout drops edges in training passes only, from the model dropout stream, and frees the subgraphs', () => {
    using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
    const x = () => Tensor.from(xValues(9), [N, OPTS.inChannels], { dtype: 'f64' });
    const run = (m: DeeperGCN) => tidy(() => values(m.forward(x(), graph)));
    using plain = new DeeperGCN({ ...OPTS, dropout: 0, dtype: 'f64' });
    using dropped = new DeeperGCN({ ...OPTS, dropout: 0, edgeDropout: 0.5, dtype: 'f64' });
    // Evaluation runs on the whole graph: the same weights give the same logits.
    plain.eval();
    dropped.eval();
    expect(run(dropped)).toEqual(run(plain));
    const base = liveCpu(); // the graph's own operators are built by now
    // Training passes run on subgraphs drawn from the dropout stream: another each pass, replayed from its state.
    plain.train();
    dropped.train();
    const state = dropped.rngState!;
    const first = run(dropped);
    expect(maxRelDiff(first, run(plain))).toBeGreaterThan(1e-3);
    expect(run(dropped)).not.toEqual(first);
    dropped.setRngState(state);
    expect(run(dropped)).toEqual(first);
    // One subgraph lives until the next pass (its backward reads it); an eval pass frees it.
    dropped.eval();
    run(dropped);
    expect(liveCpu()).toEqual(base);
  });
});

describe('DeeperGCN options', () => {
  it('rejects bad options with messages that say what to change, leaking nothing', () => {
    const base = liveCpu();
    expectThrows(() => new DeeperGCN(null as never), TypeError, 'DeeperGCN', 'options');
    expectThrows(() => new DeeperGCN({ ...OPTS, numLayers: 0 }), RangeError, 'DeeperGCN', 'numLayers');
    expectThrows(() => new DeeperGCN({ ...OPTS, numLayers: 2.5 }), RangeError, 'DeeperGCN', 'numLayers');
    expectThrows(() => new DeeperGCN({ ...OPTS, hiddenChannels: 0 }), RangeError, 'hiddenChannels');
    expectThrows(() => new DeeperGCN({ ...OPTS, block: 'res' as never }), RangeError, 'DeeperGCN', "'res+' or 'reversible'");
    expectThrows(() => new DeeperGCN({ ...OPTS, dropout: 1 }), RangeError, 'DeeperGCN', 'dropout');
    expectThrows(() => new DeeperGCN({ ...OPTS, block: 'reversible', groups: 5 }), RangeError, 'DeeperGCN', 'groups', 'dividing hiddenChannels (12)');
    expectThrows(() => new DeeperGCN({ ...OPTS, block: 'reversible', groups: 1 }), RangeError, 'DeeperGCN', 'groups');
    expectThrows(() => new DeeperGCN({ ...OPTS, groups: 3 }), RangeError, 'DeeperGCN', 'groups', "block 'reversible'");
    expectThrows(() => new DeeperGCN({ ...OPTS, t: Number.NaN }), RangeError, 't must be finite');
    expectThrows(() => new DeeperGCN({ ...OPTS, learnT: 'yes' as never }), TypeError, 'learnT');
    expectThrows(() => new DeeperGCN({ ...OPTS, branchScale: Infinity }), RangeError, 'DeeperGCN', 'branchScale');
    expectThrows(() => new DeeperGCN({ ...OPTS, encoderNorm: 1 as never }), TypeError, 'DeeperGCN', 'encoderNorm');
    expectThrows(() => new DeeperGCN({ ...OPTS, branchDropout: -0.1 }), RangeError, 'DeeperGCN', 'branchDropout');
    expectThrows(() => new DeeperGCN({ ...OPTS, inputDropout: 1 }), RangeError, 'DeeperGCN', 'inputDropout');
    expectThrows(() => new DeeperGCN({ ...OPTS, mlpLayers: 0 as never }), RangeError, 'GENConv', 'mlpLayers');
    expectThrows(() => new DeeperGCN({ ...OPTS, norm: 'group' as never }), RangeError, 'DeeperGCN', "norm must be 'layer' or 'batch'");
    expectThrows(() => new DeeperGCN({ ...OPTS, edgeDropout: 1 }), RangeError, 'DeeperGCN', 'edgeDropout');
    expectThrows(() => new DeeperGCN({ ...OPTS, learnMsgScale: true }), RangeError, 'GENConv', 'learnMsgScale needs msgNorm');
    expectThrows(() => new DeeperGCN({ ...OPTS, addSelfLoops: 'yes' as never }), TypeError, 'GENConv', 'addSelfLoops');
    expect(liveCpu()).toEqual(base);
    const schema = deeperGcnEntry.options;
    const ok = { ...OPTS, dtype: 'f32', device: 'cpu' };
    expect(schema.safeParse(ok).success).toBe(true);
    expect(schema.safeParse({ ...ok, hiddenChannels: 2 ** 30 }).success).toBe(false);
    expect(schema.safeParse({ ...ok, numLayers: 1.5 }).success).toBe(false);
    expect(schema.safeParse({ ...ok, block: 'dense' }).success).toBe(false);
    expect(schema.safeParse({ ...ok, t: Number.POSITIVE_INFINITY }).success).toBe(false);
    expect(schema.safeParse({ ...ok, learnT: 'yes' }).success).toBe(false);
    expect(schema.safeParse({ ...ok, mlpLayers: 3 }).success).toBe(false);
    expect(schema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
  });

  it('has a registry entry: name, --block and --groups flags, training defaults, options from a spec', () => {
    expect(deeperGcnEntry.name).toBe('deepergcn');
    expect(deeperGcnEntry.flags!.map((f) => f.flag)).toEqual([
      '--block <kind>',
      '--groups <n>',
      '--aggr <kind>',
      '--p <p>',
      '--msg-norm',
      '--learn-msg-scale',
      '--self-loops',
      '--edge-dropout <p>',
    ]);
    const d = deeperGcnEntry.defaults!;
    expect(d.layers).toBe(28);
    expect(d.hidden).toBe(64);
    const io = { inChannels: 1433, outChannels: 7, device: 'cpu' as const };
    using model = buildModel({ model: 'deepergcn', seed: 3, layers: 4, hidden: 16 }, io) as DeeperGCN;
    expect(model.block).toBe('res+');
    expect(model.layers).toHaveLength(3);
    expect(model.dropout).toBe(d.dropout);
    using rev = buildModel({ model: 'deepergcn', seed: 3, layers: 4, hidden: 16, block: 'reversible', groups: 4 }, io) as DeeperGCN;
    expect(rev.stack!.groups).toBe(4);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, groups: 2 })).toThrow(/--groups applies to --block reversible/);
    using opts = buildModel(
      { model: 'deepergcn', seed: 3, layers: 2, hidden: 16, msgNorm: true, learnMsgScale: true, selfLoops: true, edgeDropout: 0.25 },
      io,
    ) as DeeperGCN;
    expect([opts.edgeDropout, opts.first!.addSelfLoops, opts.layers[0]!.genConv.msgScale?.requiresGrad]).toEqual([0.25, true, true]);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, learnMsgScale: true })).toThrow(/--learn-msg-scale needs --msg-norm/);
    using power = buildModel({ model: 'deepergcn', seed: 3, layers: 2, hidden: 16, aggr: 'power', p: 2 }, io) as DeeperGCN;
    expect([power.first!.aggr, power.layers[0]!.genConv.p!.toArray()[0]]).toEqual(['power', 2]);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, p: 2 })).toThrow(/--p applies to --aggr power only/);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, aggr: 'power', p: 0 })).toThrow(/--p must not be 0/);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, edgeDropout: 1 })).toThrow(/--edge-dropout/);
    expect(() => validateModelSpec({ model: 'deepergcn', seed: 0, block: 'dense' })).toThrow(/--block must be one of res\+, reversible/);
  });

  it('learns a small homophilous graph from the registry defaults (both blocks)', async () => {
    for (const block of ['res+', 'reversible'] as const) {
      using data = smallNodeData();
      using model = new DeeperGCN({ inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, numLayers: 6, block, seed: 1 });
      const d = deeperGcnEntry.defaults!;
      using optimizer = new Adam(model.parameters(), { lr: d.lr!, weightDecay: d.weightDecay! });
      const result = await fit(model, data, { epochs: 40, optimizer, patience: 0 });
      // 4 balanced classes: chance is 0.25.
      expect(result.best.valAcc, block).toBeGreaterThan(0.6);
    }
  });
});

describe.skipIf(!CUDA)(`DeeperGCN on CUDA against CPU${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  it.each(['res+', 'reversible'] as const)('gives the same logits and gradients (f64, dropout on) on both devices: %s', (block) => {
    const run = (device: Device) =>
      tidy(() => {
        using graph = Graph.fromEdgeIndex(EDGES, { numNodes: N });
        using model = new DeeperGCN({ ...OPTS, block, dtype: 'f64', device });
        const x = Tensor.from(xValues(9), [N, OPTS.inChannels], { device });
        const logits = model.forward(x, graph);
        backward(logits, Tensor.from(randomInput(new Rng(6), [N, 3]).values, [N, 3], { device }));
        return [logits, ...model.parameters().map((p) => p.grad!)].map((t) => values(t.to('cpu')));
      });
    const cpu = run('cpu');
    const gpu = run('cuda');
    // f64 on both, the same dropout masks (a function of seed and index on either device): only
    // the summation order differs (~1e-15 relative).
    cpu.forEach((c, i) => expect(maxRelDiff(gpu[i], c), `output ${i}`).toBeLessThan(1e-12));
  });
});
