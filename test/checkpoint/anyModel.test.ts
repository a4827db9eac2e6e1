// Checkpoints of a model of one's own: parameters by name (a state dict in safetensors), no
// config() needed; fit() checkpoints such a model and resumes it bit for bit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  FathomError,
  GCNConv,
  Linear,
  NodeModel,
  Rng,
  dropout,
  fit,
  loadCheckpoint,
  loadModel,
  loadStateDict,
  relu,
  restoreCheckpoint,
  saveCheckpoint,
  saveStateDict,
} from '../../lib/index.js';
import type { Graph, NodeData, SparseFeatures, Tensor } from '../../lib/index.js';
import { expectFathom, smallNodeData } from '../helpers/apiFixtures.js';

/** GCNConv → ReLU → dropout → GCNConv → ReLU → Linear, from public layers, with its own dropout stream. */
class TwoConvNet extends NodeModel {
  readonly name = 'two-conv';
  readonly conv1: GCNConv;
  readonly conv2: GCNConv;
  readonly head: Linear;
  readonly #rng: Rng;

  constructor(inChannels: number, hidden: number, outChannels: number, seed: number) {
    super();
    const rng = new Rng(seed);
    this.#rng = new Rng(seed + 1);
    this.registerDropoutStream(this.#rng);
    this.conv1 = this.registerModule('conv1', new GCNConv(inChannels, hidden, { rng }));
    this.conv2 = this.registerModule('conv2', new GCNConv(hidden, hidden, { rng }));
    this.head = this.registerModule('head', new Linear(hidden, outChannels, { rng }));
  }

  override forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    const h = relu(this.conv1.forward(x, graph));
    const d = dropout(h, 0.5, { seed: this.#rng.nextUint32(), training: this.training });
    return this.head.forward(relu(this.conv2.forward(d, graph)));
  }
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-any-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const net = (data: NodeData, seed: number) => new TwoConvNet(data.numFeatures, 12, data.numClasses, seed);
const values = (m: NodeModel) => m.namedParameters().map(([n, p]) => [n, Array.from(p.toArray())] as const);

describe('state dicts of any module', () => {
  it('stateDict and loadStateDict copy every parameter by name, bit for bit', () => {
    using data = smallNodeData();
    using a = net(data, 1);
    using b = net(data, 2);
    expect(Object.keys(a.stateDict())).toEqual(['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'head.weight', 'head.bias']);
    expect(values(b)).not.toEqual(values(a));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(values(b)).toEqual(values(a));
  });

  it('lists every mismatch and assigns nothing when one entry does not fit', () => {
    using data = smallNodeData();
    using a = net(data, 1);
    using wide = new TwoConvNet(data.numFeatures, 16, data.numClasses, 3);
    const before = values(a);
    const dict = { ...wide.stateDict(), extra: wide.head.bias! };
    const e = expectFathom(
      () => a.loadStateDict(dict),
      'SHAPE',
      'nothing was assigned',
      "'conv1.weight' is f32[16, 16]",
      "'head.weight' is f32[4, 16]",
      "'extra'",
    );
    expect(e.message).toContain("the model's is f32[12, 16]");
    expect(values(a)).toEqual(before);
    // Not strict: unknown and missing names are reported, shapes are still checked.
    using b = net(data, 2);
    expect(a.loadStateDict({ 'head.bias': b.head.bias!, other: b.head.bias! }, { strict: false })).toEqual({
      missingKeys: ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'head.weight'],
      unexpectedKeys: ['other'],
    });
    expect(Array.from(a.head.bias!.toArray())).toEqual(Array.from(b.head.bias!.toArray()));
  });

  it('saveStateDict and loadStateDict round-trip through a file, and refuse one that does not fit', () => {
    using data = smallNodeData();
    using a = net(data, 1);
    using b = net(data, 2);
    const path = join(tmp, 'w.safetensors');
    saveStateDict(path, a);
    loadStateDict(path, b);
    expect(values(b)).toEqual(values(a));
    using wide = new TwoConvNet(data.numFeatures, 16, data.numClasses, 3);
    const before = values(wide);
    expectFathom(() => loadStateDict(path, wide), 'IO', path, 'nothing was assigned', "'conv2.weight' is f32[12, 12]");
    expect(values(wide)).toEqual(before);
  });
});

describe('checkpoints of a model without config()', () => {
  it('save and restore into the instance bit for bit; loading without an instance says the file holds weights only', () => {
    using data = smallNodeData();
    using a = net(data, 1);
    a.eval();
    const path = join(tmp, 'c.safetensors');
    saveCheckpoint(path, { model: a, epoch: 4 });
    using b = net(data, 9);
    expect(restoreCheckpoint(path, { model: b }).epoch).toBe(4);
    expect(values(b)).toEqual(values(a));
    expect(b.rngState).toEqual(a.rngState);
    for (const load of [loadCheckpoint, loadModel]) {
      expectFathom(
        () => load(path),
        'IO',
        path,
        "holds weights only (model 'two-conv'",
        'restoreCheckpoint(path, { model, optimizer })',
        'loadStateDict(path, model)',
      );
    }
  });

  it('fit checkpoints it mid-run and resumes on the trajectory of an uninterrupted run, bit for bit', async () => {
    using data = smallNodeData();
    const run = async (seed: number, options: Parameters<typeof fit>[2]) => {
      using model = net(data, seed);
      const r = await fit(model, data, { patience: 0, lr: 0.02, weightDecay: 5e-4, ...options });
      return { r, w: values(model), rng: model.rngState };
    };
    const full = await run(0, { epochs: 14 });
    const dir = join(tmp, 'run');
    await run(0, { epochs: 8, checkpoint: { dir, every: 3 } });
    // Another seed: every weight and the dropout stream must come from the checkpoint of epoch 6.
    const resumed = await run(5, { epochs: 14, checkpoint: { dir, every: 3 }, resume: true });
    expect(resumed.r.resumedFrom).toBe(6);
    expect(resumed.r.history.map((h) => h.trainLoss)).toEqual(full.r.history.slice(6).map((h) => h.trainLoss));
    expect(resumed.w).toEqual(full.w);
    expect(resumed.rng).toEqual(full.rng);
    expect({ ...resumed.r.best, stepMs: 0 }).toEqual({ ...full.r.best, stepMs: 0 });
  });

  it('reports a corrupt weights-only file with an error naming it', () => {
    using data = smallNodeData();
    using a = net(data, 1);
    const path = join(tmp, 'bad.safetensors');
    saveStateDict(path, a);
    expect(() => restoreCheckpoint(path, { model: a })).toThrow(FathomError);
    expectFathom(() => loadCheckpoint(path), 'IO', path, 'format is "fathom-state-dict/1"');
  });
});
